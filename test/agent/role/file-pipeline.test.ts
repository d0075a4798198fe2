import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { createAgentRole, loadAlloyConfig } from '../../../src/agent/index.js';
import type { LogSink, LogStream } from '../../../src/logs/sink.js';

const PUSH_URL = 'http://127.0.0.1:3100/loki/api/v1/push';

function memorySink(): LogSink & { lines: { labels: Record<string, string>; line: string }[] } {
  const lines: { labels: Record<string, string>; line: string }[] = [];
  return {
    lines,
    async push(streams: LogStream[]) {
      for (const s of streams)
        for (const e of s.entries) lines.push({ labels: s.labels, line: e.line });
    },
  };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('files through loki.process into the logs sink', () => {
  it('delivers each line once with the seed labels, across an agent restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obs-agent-e2e-'));
    const logs = join(dir, '_logs');
    const mcp = join(dir, 'mcp');
    mkdirSync(logs);
    mkdirSync(mcp);
    writeFileSync(join(logs, 'tool.log'), 'first\nsecond\n');
    writeFileSync(join(mcp, 'server.log'), '{"level":"warn","msg":"mcp up"}\n');
    const file = join(dir, 'config.alloy');
    writeFileSync(
      file,
      `local.file_match "tool_sink" {
  path_targets = [{ __path__ = "${logs}/*.log", job = "tool_sink" }]
  sync_period  = "100ms"
}
loki.source.file "tool_sink" {
  targets    = local.file_match.tool_sink.targets
  forward_to = [loki.process.main.receiver]
}
local.file_match "mcp" {
  path_targets = [{ __path__ = "${mcp}/*.log", job = "codeswarm_mcp" }]
  sync_period  = "100ms"
}
loki.source.file "mcp" {
  targets    = local.file_match.mcp.targets
  forward_to = [loki.process.codeswarm.receiver]
}
loki.process "codeswarm" {
  stage.json {
    expressions = { level = "" }
  }
  stage.labels {
    values = { level = "" }
  }
  stage.static_labels {
    values = { log_source = "codeswarm_mcp" }
  }
  forward_to = [loki.process.main.receiver]
}
loki.process "main" {
  stage.static_labels {
    values = { env = "sandbox", host = constants.hostname }
  }
  forward_to = [loki.write.default.receiver]
}
loki.write "default" {
  endpoint {
    url        = "${PUSH_URL}"
    batch_wait = "20ms"
  }
}
`,
    );
    const sink = memorySink();
    const start = async () => {
      const role = await createAgentRole(
        { logger: pino({ level: 'silent' }), dataDir: join(dir, 'data'), listenHost: '127.0.0.1' },
        { config: await loadAlloyConfig(file), inProcessLogs: { pushUrl: PUSH_URL, sink } },
      );
      await role.start();
      return role;
    };
    try {
      let role = await start();
      await until(() => sink.lines.length >= 3);
      await role.stop();
      appendFileSync(join(logs, 'tool.log'), 'third\n');
      role = await start();
      await until(() => sink.lines.length >= 4);
      await new Promise((r) => setTimeout(r, 300));
      await role.stop();
      const byLine = new Map(sink.lines.map((l) => [l.line, l.labels]));
      assert.equal(sink.lines.length, 4, JSON.stringify(sink.lines));
      assert.deepEqual(byLine.get('third'), {
        env: 'sandbox',
        filename: join(logs, 'tool.log'),
        host: hostname(),
        job: 'tool_sink',
      });
      assert.deepEqual(byLine.get('{"level":"warn","msg":"mcp up"}'), {
        env: 'sandbox',
        filename: join(mcp, 'server.log'),
        host: hostname(),
        job: 'codeswarm_mcp',
        level: 'warn',
        log_source: 'codeswarm_mcp',
      });
      assert.deepEqual(
        sink.lines.filter((l) => l.labels.job === 'tool_sink').map((l) => l.line),
        ['first', 'second', 'third'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('agent reload (/-/reload, SIGHUP)', () => {
  it('swaps in an edited config without losing or doubling lines, and keeps the old one when the new one is bad', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obs-agent-reload-'));
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    writeFileSync(join(logs, 'a.log'), 'one\n');
    const file = join(dir, 'config.alloy');
    const config = (version: string) => `local.file_match "f" {
  path_targets = [{ __path__ = "${logs}/*.log", job = "j" }]
  sync_period  = "100ms"
}
loki.source.file "f" {
  targets    = local.file_match.f.targets
  forward_to = [loki.process.main.receiver]
}
loki.process "main" {
  stage.static_labels {
    values = { version = "${version}" }
  }
  forward_to = [loki.write.default.receiver]
}
loki.write "default" {
  endpoint {
    url        = "${PUSH_URL}"
    batch_wait = "20ms"
  }
}
`;
    writeFileSync(file, config('1'));
    const sink = memorySink();
    const role = await createAgentRole(
      { logger: pino({ level: 'silent' }), dataDir: join(dir, 'data'), listenHost: '127.0.0.1' },
      {
        config: await loadAlloyConfig(file),
        debugPort: 0,
        inProcessLogs: { pushUrl: PUSH_URL, sink },
      },
    );
    await role.start();
    try {
      await until(() => sink.lines.length === 1);
      writeFileSync(file, config('2'));
      const ok = await fetch(`${role.status().address}/-/reload`, { method: 'POST' });
      assert.equal(ok.status, 200);
      appendFileSync(join(logs, 'a.log'), 'two\n');
      await until(() => sink.lines.length === 2);

      writeFileSync(
        file,
        config('3').replace('forward_to = [loki.write', 'forward_to = [loki.nope'),
      );
      const bad = await fetch(`${role.status().address}/-/reload`, { method: 'POST' });
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /component "loki\.nope\.default\.receiver" does not exist/);
      appendFileSync(join(logs, 'a.log'), 'three\n');
      await until(() => sink.lines.length === 3);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(
        sink.lines.map((l) => [l.line, l.labels.version]),
        [
          ['one', '1'],
          ['two', '2'],
          ['three', '2'],
        ],
      );
      assert.equal(role.status().state, 'running');
    } finally {
      await role.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
