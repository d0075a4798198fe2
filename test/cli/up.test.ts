import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runObs, startObs, waitFor, type ObsProcess } from '../support/obs-cli.js';
import { makeObsDirs, type ObsDirs } from '../support/obs-dirs.js';

let dirs: ObsDirs;
let obs: ObsProcess;

async function get(port: number, path: string): Promise<Response | undefined> {
  try {
    return await fetch(`http://127.0.0.1:${port}${path}`);
  } catch {
    return undefined;
  }
}

before(async () => {
  dirs = await makeObsDirs();
  obs = startObs(['up', '--config-dir', dirs.configDir, '--data-dir', dirs.dataDir]);
  await waitFor(
    async () => (await get(dirs.ports.ui, '/api/health'))?.ok === true,
    60_000,
    'obs up',
  );
});

after(async () => {
  if (obs.child.exitCode === null) obs.child.kill('SIGKILL');
});

test("the UI answers /api/health with Grafana's shape", async () => {
  const res = await get(dirs.ports.ui, '/api/health');
  assert.equal(res?.status, 200);
  const body = (await res!.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['commit', 'database', 'version']);
  assert.equal(body.database, 'ok');
  assert.equal(body.version, '11.1.0');
});

test("the logs and metrics roles serve their real counterparts' health endpoints", async () => {
  const ready = await get(dirs.ports.logs, '/ready');
  assert.equal(ready?.status, 200);
  assert.equal((await ready!.text()).trim(), 'ready');
  for (const path of ['/-/ready', '/-/healthy']) {
    assert.equal((await get(dirs.ports.metrics, path))?.status, 200, path);
  }
});

test('obs status shows every role, with state, address and health', async () => {
  const res = await runObs(['status', '--config-dir', dirs.configDir, '--json']);
  assert.equal(res.code, 0, res.stdout + res.stderr);
  const status = JSON.parse(res.stdout) as {
    running: boolean;
    pid: number;
    roles: { name: string; state: string; address?: string; healthy?: boolean }[];
  };
  assert.equal(status.running, true);
  assert.equal(status.pid, obs.child.pid);
  assert.deepEqual(
    status.roles.map((r) => r.name),
    ['logs', 'metrics', 'agent', 'node-exporter', 'cadvisor', 'ui'],
  );
  const ui = status.roles.find((r) => r.name === 'ui')!;
  assert.equal(ui.state, 'running');
  assert.equal(ui.address, `http://127.0.0.1:${dirs.ports.ui}`);
  assert.equal(ui.healthy, true);
  for (const role of status.roles) assert.notEqual(role.healthy, false, `${role.name} healthy`);

  const table = await runObs(['status', '--config-dir', dirs.configDir]);
  assert.equal(table.code, 0);
  assert.match(
    table.stdout,
    /^ROLE\s+STATE\s+ADDRESS\s+HEALTH\s+DATA DIR\s+DISK\s+RETENTION\s+LAST ERROR$/m,
  );
  assert.match(table.stdout, /^ui\s+running\s+http:\/\/127\.0\.0\.1:\d+\s+ok/m);
});

test('a second obs up on the same data directory fails at once', async () => {
  const t0 = Date.now();
  const res = await runObs(['up', '--config-dir', dirs.configDir, '--data-dir', dirs.dataDir]);
  assert.equal(res.code, 1);
  assert.match(
    res.stderr,
    new RegExp(`another obs \\(pid ${obs.child.pid}\\) is already running on the data directory`),
  );
  assert.ok(Date.now() - t0 < 15_000, 'fails at once');
});

test('SIGTERM drains and exits 0, and the port is released', async () => {
  obs.child.kill('SIGTERM');
  assert.equal(await obs.exited, 0, obs.output());
  assert.match(obs.output(), /"msg":"stopped"/);
  assert.equal(await get(dirs.ports.ui, '/api/health'), undefined);
  const res = await runObs(['status', '--config-dir', dirs.configDir]);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /obs is not running/);
});

test('--listen-address with a non-loopback host binds it and warns loudly', async () => {
  const other = await makeObsDirs();
  const run = startObs([
    'up',
    '--config-dir',
    other.configDir,
    '--data-dir',
    other.dataDir,
    '--listen-address',
    '0.0.0.0',
  ]);
  try {
    await waitFor(
      async () => (await get(other.ports.ui, '/api/health'))?.ok === true,
      60_000,
      'obs up on 0.0.0.0',
    );
    assert.match(run.output(), /WARNING: binding 0\.0\.0\.0, which is not loopback/);
  } finally {
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  }
});
