import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import {
  createMetricsRole,
  loadPrometheusConfig,
  parseMetricsFlags,
  type MetricsRole,
} from '../../../src/metrics/index.js';
import { waitFor } from '../helpers/memory-appendable.js';

const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'obs-metrics-role-'));
let target: Server;
let targetAddr = '';
let role: MetricsRole;
let base = '';
const cfgFile = join(dir, 'prometheus.yml');

function jobYaml(extra = ''): string {
  return `global:\n  scrape_interval: 1s\n  scrape_timeout: 500ms\n  external_labels: {site: lab}\nscrape_configs:\n  - job_name: app\n    static_configs: [{targets: ['${targetAddr}']}]\n${extra}`;
}

async function api<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text answer
  }
  return { status: res.status, body: body as T };
}

before(async () => {
  target = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end('# TYPE app_requests_total counter\napp_requests_total{code="200"} 7\n');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetAddr = `127.0.0.1:${(target.address() as AddressInfo).port}`;
  writeFileSync(cfgFile, jobYaml());
  role = await createMetricsRole(
    { logger, dataDir: join(dir, 'data'), listenHost: '127.0.0.1' },
    {
      config: await loadPrometheusConfig(cfgFile),
      configFile: cfgFile,
      flags: parseMetricsFlags(['--web.enable-lifecycle', '--web.enable-remote-write-receiver']),
      port: 0,
      sources: [
        {
          job: 'node_exporter',
          instance: '127.0.0.1:9100',
          collect: async () => ({ contentType: 'text/plain', body: 'node_load1 0.25\n' }),
        },
      ],
    },
  );
  await role.start();
  base = `http://127.0.0.1:${role.port}`;
});

after(async () => {
  await role.stop();
  await new Promise<void>((r) => target.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

interface Vector {
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

test('serves the Prometheus API over what it scrapes', async () => {
  assert.equal((await api('/-/ready')).status, 200);
  assert.equal(role.status().state, 'running');
  await waitFor(() => role.targets().activeTargets[0]?.health === 'up', 10_000, 'first scrape');
  let result: Vector['data']['result'] = [];
  await waitFor(
    () => {
      void api<Vector>('/api/v1/query?query=app_requests_total').then(
        (r) => (result = r.body.data.result),
      );
      return result.length === 1;
    },
    10_000,
    'the sample to be queryable',
  );
  assert.deepEqual(result[0]!.metric, {
    __name__: 'app_requests_total',
    code: '200',
    instance: targetAddr,
    job: 'app',
  });
  assert.equal(result[0]!.value[1], '7');
  const up = await api<Vector>('/api/v1/query?query=up');
  assert.equal(up.body.data.result[0]!.value[1], '1');
  const targets = await api<{ data: { activeTargets: { scrapePool: string }[] } }>(
    '/api/v1/targets',
  );
  assert.deepEqual(
    targets.body.data.activeTargets.map((t) => t.scrapePool),
    ['app'],
  );
  const flags = await api<{ data: Record<string, string> }>('/api/v1/status/flags');
  assert.equal(flags.body.data['storage.tsdb.retention.time'], '15d');
  const config = await api<{ data: { yaml: string } }>('/api/v1/status/config');
  assert.match(config.body.data.yaml, /job_name: app/);
  const metrics = await api<string>('/metrics');
  assert.match(metrics.body, /^prometheus_target_scrape_pool_targets\{scrape_job="app"\} 1$/m);
  assert.match(metrics.body, /^process_cpu_user_seconds_total /m);
  assert.match(metrics.body, /^prometheus_config_last_reload_successful 1$/m);
  const appended = /^prometheus_tsdb_head_samples_appended_total\{type="float"\} (\d+)$/m.exec(
    metrics.body,
  );
  assert.ok(appended && Number(appended[1]) > 0, 'appended samples are counted');
});

test('/-/reload: a bad config keeps the running one; a good one applies; GET is refused', async () => {
  assert.equal((await api('/-/reload')).status, 405);
  writeFileSync(cfgFile, `${jobYaml()}    scrape_intervall: 5s\n`);
  const bad = await api<string>('/-/reload', { method: 'POST' });
  assert.equal(bad.status, 500);
  assert.match(
    bad.body,
    /^failed to reload config: .*prometheus\.yml:\d+: .*unknown key "scrape_intervall"/,
  );
  assert.match(
    (await api<string>('/metrics')).body,
    /^prometheus_config_last_reload_successful 0$/m,
  );
  assert.equal(role.targets().activeTargets.length, 1, 'the old config still runs');

  writeFileSync(
    cfgFile,
    jobYaml(
      `  - job_name: prometheus\n    static_configs: [{targets: ['127.0.0.1:${role.port}']}]\n  - job_name: node_exporter\n    static_configs: [{targets: ['127.0.0.1:9100']}]\n`,
    ),
  );
  const good = await api('/-/reload', { method: 'POST' });
  assert.equal(good.status, 200);
  await waitFor(
    () => role.targets().activeTargets.filter((t) => t.health === 'up').length === 3,
    10_000,
    'the new jobs, scraped in-process',
  );
  let self: Vector['data']['result'] = [];
  await waitFor(
    () => {
      void api<Vector>('/api/v1/query?query=up{job=~"prometheus|node_exporter"}').then(
        (r) => (self = r.body.data.result),
      );
      return self.length === 2;
    },
    10_000,
    'self and node_exporter up',
  );
});

test('a reload with a broken rule file fails and keeps the running rules', async () => {
  writeFileSync(
    join(dir, 'ok.rules.yml'),
    'groups:\n  - name: g\n    rules:\n      - record: r:up\n        expr: up\n',
  );
  writeFileSync(cfgFile, `rule_files: ['ok.rules.yml']\n${jobYaml()}`);
  assert.equal((await api('/-/reload', { method: 'POST' })).status, 200);
  assert.deepEqual(
    role.ruleGroups().map((g) => g.name),
    ['g'],
  );
  writeFileSync(
    join(dir, 'ok.rules.yml'),
    'groups:\n  - name: g\n    rules:\n      - record: r:up\n        expr: sum(up\n',
  );
  const bad = await api<string>('/-/reload', { method: 'POST' });
  assert.equal(bad.status, 500);
  assert.match(bad.body, /could not parse expression/);
  assert.equal(role.ruleGroups()[0]!.rules[0]!.expr, 'up');
});

test('SIGHUP reloads the config file; removed targets go stale at once', async () => {
  writeFileSync(cfgFile, jobYaml());
  process.emit('SIGHUP');
  await waitFor(() => role.targets().activeTargets.length === 1, 10_000, 'reload by SIGHUP');
  // Stale markers end the series now, not after the 5m lookback.
  const gone = await api<Vector>('/api/v1/query?query=up{job="node_exporter"}');
  assert.deepEqual(gone.body.data.result, []);
  const kept = await api<Vector>('/api/v1/query?query=up{job="app"}');
  assert.equal(kept.body.data.result.length, 1);
});

test('remote-write receiver appends through the role', async () => {
  const { encodeWriteRequest } = await import('../../../src/metrics/remote/sender/index.js');
  const snappy = (await import('snappy')).default;
  const now = Date.now();
  const body = snappy.compressSync(
    Buffer.from(
      encodeWriteRequest([
        {
          labels: { __name__: 'pushed', a: 'b' },
          timestamps: [now],
          values: new Float64Array([42]),
        },
      ]),
    ),
  );
  const res = await fetch(`${base}/api/v1/write`, {
    method: 'POST',
    headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' },
    body,
  });
  assert.equal(res.status, 204);
  const q = await api<Vector>(`/api/v1/query?query=pushed&time=${now / 1000}`);
  assert.equal(q.body.data.result[0]!.value[1], '42');
});
