import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { runObs } from '../support/obs-cli.js';
import { requirePeer } from '../support/peers.js';

const FILES: [string, number][] = [
  ['.env', 0o600],
  ['.gitignore', 0o644],
  ['loki-config.yml', 0o644],
  ['prometheus/prometheus.yml', 0o644],
  ['alloy-config.alloy', 0o644],
  ['grafana/provisioning/datasources/obs.yml', 0o644],
  ['grafana/provisioning/dashboards/obs.yml', 0o644],
];

async function initDir(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'obs-init-')), 'infra', 'logging');
  const res = await runObs(['init', dir]);
  assert.equal(res.code, 0, res.stderr);
  return dir;
}

test('init writes every file of the seed layout with its mode', async () => {
  const dir = await initDir();
  for (const [rel, mode] of FILES) {
    const info = await stat(join(dir, rel));
    assert.equal(info.mode & 0o777, mode, `${rel} mode`);
  }
  assert.match(await readFile(join(dir, '.gitignore'), 'utf8'), /^\.env$/m);
});

test('.env holds the admin user, a random password and the seed ports', async () => {
  const [a, b] = [await initDir(), await initDir()];
  const env = await readFile(join(a, '.env'), 'utf8');
  assert.match(env, /^GRAFANA_ADMIN_USER=admin$/m);
  assert.match(env, /^GRAFANA_PORT=9001$/m);
  assert.match(env, /^PROMETHEUS_PORT=9004$/m);
  assert.match(env, /^LOKI_PORT=3100$/m);
  const password = (text: string) => /^GRAFANA_ADMIN_PASSWORD=(.+)$/m.exec(text)?.[1];
  const pa = password(env);
  assert.ok(pa && pa.length >= 20, 'a long password');
  assert.notEqual(
    pa,
    password(await readFile(join(b, '.env'), 'utf8')),
    'each init draws its own password',
  );
});

test('loki-config.yml carries the seed values in Loki format', async () => {
  const loki = parse(await readFile(join(await initDir(), 'loki-config.yml'), 'utf8'));
  assert.equal(loki.limits_config.retention_period, '720h');
  assert.equal(loki.limits_config.max_label_names_per_series, 15);
  assert.equal(loki.limits_config.reject_old_samples, false);
  assert.equal(loki.compactor.compaction_interval, '10m');
  assert.equal(loki.compactor.retention_delete_delay, '2h');
  assert.equal(loki.compactor.retention_enabled, true);
  assert.equal(loki.schema_config.configs[0].schema, 'v13');
});

test('prometheus.yml scrapes the host exporter, the container exporter and obs, and promtool accepts it', async (t) => {
  const dir = await initDir();
  const prom = parse(await readFile(join(dir, 'prometheus/prometheus.yml'), 'utf8'));
  assert.deepEqual(prom.scrape_configs.map((s: { job_name: string }) => s.job_name).sort(), [
    'cadvisor',
    'node_exporter',
    'prometheus',
  ]);
  assert.equal(
    JSON.stringify(prom).includes('retention'),
    false,
    'retention is a CLI flag, not config',
  );
  if (!requirePeer('promtool', t)) return;
  const out = execFileSync(
    'promtool',
    ['check', 'config', join(dir, 'prometheus/prometheus.yml')],
    {
      encoding: 'utf8',
    },
  );
  assert.match(out, /SUCCESS/);
});

test('datasources point at the logs and metrics roles', async () => {
  const ds = parse(
    await readFile(join(await initDir(), 'grafana/provisioning/datasources/obs.yml'), 'utf8'),
  );
  const byType = Object.fromEntries(
    ds.datasources.map((d: { type: string; url: string }) => [d.type, d.url]),
  );
  assert.equal(byType.loki, 'http://127.0.0.1:3100');
  assert.equal(byType.prometheus, 'http://127.0.0.1:9004');
});

test('init never overwrites an existing file', async () => {
  const dir = await initDir();
  const env = join(dir, '.env');
  const before = await readFile(env, 'utf8');
  await writeFile(join(dir, 'loki-config.yml'), '# edited by the user\n');
  const res = await runObs(['init', dir]);
  assert.equal(res.code, 0);
  assert.equal(await readFile(env, 'utf8'), before);
  assert.equal(await readFile(join(dir, 'loki-config.yml'), 'utf8'), '# edited by the user\n');
  assert.match(res.stdout, /kept {2}loki-config\.yml/);
});
