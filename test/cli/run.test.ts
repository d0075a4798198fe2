import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runObs, startObs, waitForOk } from '../support/obs-cli.js';
import { makeObsDirs } from '../support/obs-dirs.js';

test("obs run ui serves Grafana's health endpoint alone and stops on SIGTERM", async () => {
  const dirs = await makeObsDirs();
  const ui = startObs(['run', 'ui', '--config-dir', dirs.configDir]);
  try {
    await waitForOk(`http://127.0.0.1:${dirs.ports.ui}/api/health`, 30_000, 'obs run ui');
    const body = await (await fetch(`http://127.0.0.1:${dirs.ports.ui}/api/health`)).json();
    assert.deepEqual(body, { commit: 'obs', database: 'ok', version: '11.1.0' });
  } finally {
    ui.child.kill('SIGTERM');
  }
  assert.equal(await ui.exited, 0, ui.output());
});

test('obs run --help lists every role with the program it replaces', async () => {
  const res = await runObs(['run', '--help']);
  assert.equal(res.code, 0);
  for (const [role, program] of [
    ['logs', 'Loki'],
    ['metrics', 'Prometheus'],
    ['agent', 'Alloy'],
    ['node-exporter', 'node_exporter'],
    ['cadvisor', 'cAdvisor'],
    ['ui', 'Grafana'],
  ]) {
    assert.match(
      res.stdout,
      new RegExp(`^ {2}${role} +drop-in for ${program}: obs run ${role}`, 'm'),
    );
  }
});
