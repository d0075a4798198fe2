import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { createAgentRole, defaultAlloyConfig } from '../../../src/agent/index.js';
import { COMPONENTS } from '../../../src/agent/components/registry.js';
import { checkAlloyConfig } from '../../../src/agent/runtime/index.js';
import type { LogSink, LogStream } from '../../../src/logs/sink.js';
import { repoRoot } from '../../support/repo.js';
import { startDockerEngine, type DockerEngine } from '../docker/engine.js';

const PUSH_URL = 'http://127.0.0.1:3100/loki/api/v1/push';

interface Got {
  labels: Record<string, string>;
  line: string;
}

function memorySink(): LogSink & { got: Got[] } {
  const got: Got[] = [];
  return {
    got,
    async push(streams: LogStream[]) {
      for (const s of streams)
        for (const e of s.entries) got.push({ labels: s.labels, line: e.line });
    },
  };
}

async function until(cond: () => boolean, what: () => string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting; got ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Real journal files written by systemd-journal-remote (../shared/tools/journal-fixture.sh). */
async function journalFixture(dir: string, entries: Record<string, string>[]): Promise<void> {
  const script = join(repoRoot(), '..', 'shared', 'tools', 'journal-fixture.sh');
  const text = entries
    .map((e) =>
      Object.entries(e)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    )
    .join('\n\n');
  const child = execFile(script, [dir]);
  child.stdin!.end(text + '\n\n');
  await new Promise<void>((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`fixture exit ${code}`)),
    ),
  );
}

describe("the default config's four pipelines against a real Docker engine, journal files and files", () => {
  let engine: DockerEngine | undefined;
  let dir: string;
  const container = `obs-agent-seed-${process.pid}`;

  before(async () => {
    engine = await startDockerEngine();
    dir = mkdtempSync(join(tmpdir(), 'obs-agent-seed-'));
  });

  after(async () => {
    await engine?.docker('rm', '-f', container).catch(() => '');
    await engine?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('labels every source as the seed does and delivers each line once', async (t) => {
    if (!engine) {
      t.skip('no Docker engine available (needs root for ../shared/tools/dockerd-up.sh)');
      return;
    }
    const home = join(dir, 'home');
    const paths = {
      tool: join(home, '_logs', 'tool.log'),
      telemetry: join(home, '_telemetry', 'events.jsonl'),
      mcp: join(home, 'apps', 'vLLM', '_data', 'mcp-logs', 'server.log'),
    };
    for (const p of Object.values(paths)) mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(paths.tool, 'tool line\n');
    writeFileSync(paths.telemetry, '{"event":"tick"}\n');
    writeFileSync(paths.mcp, 'mcp line\n');
    const journalDir = join(dir, 'journal');
    const nowUs = String(Date.now() * 1000);
    await journalFixture(journalDir, [
      {
        __REALTIME_TIMESTAMP: nowUs,
        MESSAGE: 'journal line',
        _SYSTEMD_UNIT: 'ssh.service',
        PRIORITY: '6',
      },
    ]);
    await engine.docker(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      container,
      '--label',
      'com.docker.compose.project=infra_observability',
      'obs-test/busybox',
      'sh',
      '-c',
      'echo container line; sleep 600',
    );

    const text = defaultAlloyConfig({ home, hostname: 'codeswarm' })
      .replaceAll('unix:///var/run/docker.sock', engine.host)
      .replace(
        'loki.source.journal "system" {',
        `loki.source.journal "system" {\n  path = "${journalDir}"`,
      );
    const sink = memorySink();
    const role = await createAgentRole(
      { logger: pino({ level: 'silent' }), dataDir: join(dir, 'data'), listenHost: '127.0.0.1' },
      {
        config: checkAlloyConfig('alloy-config.alloy', text, COMPONENTS),
        inProcessLogs: { pushUrl: PUSH_URL, sink },
      },
    );
    await role.start();
    try {
      const lines = ['container line', 'journal line', 'tool line', '{"event":"tick"}', 'mcp line'];
      await until(
        () => lines.every((l) => sink.got.some((g) => g.line === l)),
        () => JSON.stringify(sink.got),
      );
      // Time for anything doubled to show up.
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await role.stop();
    }
    const byLine = (line: string) => {
      const found = sink.got.filter((g) => g.line === line);
      assert.equal(found.length, 1, `${line} delivered once`);
      return found[0]!.labels;
    };
    const seed = { env: 'sandbox', host: 'codeswarm' };
    const docker = byLine('container line');
    assert.deepEqual(
      {
        env: docker.env,
        host: docker.host,
        job: docker.job,
        container_name: docker.container_name,
        image: docker.image,
        compose_project: docker.compose_project,
      },
      {
        ...seed,
        job: 'dockerlogs',
        container_name: container,
        image: 'obs-test/busybox',
        compose_project: 'infra_observability',
      },
    );
    assert.deepEqual(byLine('journal line'), {
      ...seed,
      job: 'systemd-journal',
      unit: 'ssh.service',
    });
    assert.deepEqual(byLine('tool line'), { ...seed, job: 'tool_sink', filename: paths.tool });
    assert.deepEqual(byLine('{"event":"tick"}'), {
      ...seed,
      job: 'telemetry',
      filename: paths.telemetry,
    });
    assert.deepEqual(byLine('mcp line'), {
      ...seed,
      job: 'codeswarm_mcp',
      filename: paths.mcp,
      log_source: 'codeswarm_mcp',
    });
    assert.ok(!sink.got.some((g) => Object.keys(g.labels).some((k) => k.startsWith('__'))));
  });
});
