import assert from 'node:assert/strict';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runObs, startObs, waitFor, waitForOk, type ObsProcess } from '../support/obs-cli.js';
import { makeObsDirs, type ObsDirs } from '../support/obs-dirs.js';

/**
 * `obs up` with every role: the roles reach each other in-process (obs's own
 * logs land in the logs role, the metrics role scrapes itself and the
 * exporters) and each answers on its real counterpart's API.
 */
let dirs: ObsDirs;
let obs: ObsProcess;

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

before(async () => {
  dirs = await makeObsDirs();
  obs = startObs(['up', '--config-dir', dirs.configDir, '--data-dir', dirs.dataDir]);
  await waitForOk(`http://127.0.0.1:${dirs.ports.ui}/api/health`, 90_000, 'obs up');
});

after(async () => {
  if (obs.child.exitCode === null) {
    obs.child.kill('SIGTERM');
    await obs.exited;
  }
});

test('every role is running and healthy', async () => {
  const res = await runObs(['status', '--config-dir', dirs.configDir, '--json']);
  assert.equal(res.code, 0, res.stdout + res.stderr + obs.output());
  const status = JSON.parse(res.stdout) as {
    roles: { name: string; state: string; healthy?: boolean }[];
  };
  for (const role of status.roles) {
    assert.equal(role.state, 'running', `${role.name} running`);
    assert.notEqual(role.healthy, false, `${role.name} healthy`);
  }
});

test('a pushed line can be queried back from the logs role', async () => {
  const logs = `http://127.0.0.1:${dirs.ports.logs}`;
  const ns = BigInt(Date.now()) * 1_000_000n;
  const push = await fetch(`${logs}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      streams: [
        {
          stream: { job: 'e2e', env: 'sandbox' },
          values: [[String(ns), 'hello from the e2e test']],
        },
      ],
    }),
  });
  assert.equal(push.status, 204);
  const q = new URLSearchParams({
    query: '{job="e2e"} |= "hello"',
    start: String(ns - 1_000_000_000n),
    end: String(ns + 1_000_000_000n),
  });
  const res = await json(`${logs}/loki/api/v1/query_range?${q}`);
  assert.equal(res.status, 200);
  assert.equal(res.body.data.resultType, 'streams');
  assert.deepEqual(res.body.data.result[0].values, [[String(ns), 'hello from the e2e test']]);
});

test('obs\'s own logs are in the store with job="obs"', async () => {
  const logs = `http://127.0.0.1:${dirs.ports.logs}`;
  await waitFor(
    async () => {
      const q = new URLSearchParams({ query: '{job="obs"} |= "obs is up"', since: '10m' });
      const res = await json(`${logs}/loki/api/v1/query_range?${q}`);
      return res.status === 200 && res.body.data.result.length > 0;
    },
    20_000,
    'self logs in the store',
  );
});

test('the default Alloy pipeline delivers a tool log line to the logs role on its own port', async () => {
  // The default loki.write URL is the seed's loki:3100; the logs role listens
  // on LOKI_PORT (a free port here), and the line still arrives in memory.
  const logs = `http://127.0.0.1:${dirs.ports.logs}`;
  await mkdir(join(dirs.home, '_logs'), { recursive: true });
  await appendFile(join(dirs.home, '_logs', 'e2e.log'), 'e2e tool line via the agent\n');
  await waitFor(
    async () => {
      const q = new URLSearchParams({
        query: '{job="tool_sink", env="sandbox"} |= "e2e tool line"',
        since: '10m',
      });
      const res = await json(`${logs}/loki/api/v1/query_range?${q}`);
      return res.status === 200 && res.body.data.result.length > 0;
    },
    40_000,
    'the tool log line in the store',
  );
});

test('the metrics role scrapes itself and both exporters', async () => {
  const metrics = `http://127.0.0.1:${dirs.ports.metrics}`;
  let jobs: string[] = [];
  await waitFor(
    async () => {
      const res = await json(`${metrics}/api/v1/query?query=${encodeURIComponent('up == 1')}`);
      jobs = (res.body?.data?.result ?? []).map((r: any) => r.metric.job).sort();
      return jobs.length === 3;
    },
    60_000,
    'three healthy scrape targets',
  );
  assert.deepEqual(jobs, ['cadvisor', 'node_exporter', 'prometheus']);
  const cpu = await json(
    `${metrics}/api/v1/query?query=${encodeURIComponent('count(node_cpu_seconds_total)')}`,
  );
  assert.ok(Number(cpu.body.data.result[0].value[1]) > 0, 'host CPU metrics present');
});
