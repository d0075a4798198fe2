import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { compileRelabel } from '../../../src/common/relabel.js';
import { parsePrometheusConfig } from '../../../src/metrics/config/index.js';
import {
  acceptHeader,
  mutateSampleLabels,
  populateTarget,
  ScrapeManager,
  type TargetGroup,
} from '../../../src/metrics/scrape/index.js';
import { MemoryAppendable, waitFor } from '../helpers/memory-appendable.js';

const logger = pino({ level: 'silent' });

// A target whose answer each test sets: path → [status, content type, body, delay ms].
const routes = new Map<string, [number, string, string, number?]>();
const seenHeaders: IncomingHttpHeaders[] = [];
let server: Server;
let addr = '';

before(async () => {
  server = createServer((req, res) => {
    seenHeaders.push(req.headers);
    const route = routes.get(req.url ?? '');
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    const [status, type, body, delay] = route;
    const send = (): void => {
      const gzip = /gzip/.test(String(req.headers['accept-encoding']));
      res.writeHead(status, {
        'Content-Type': type,
        ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
      });
      res.end(gzip ? gzipSync(body) : body);
    };
    if (delay) setTimeout(send, delay);
    else send();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

function config(yaml: string) {
  return parsePrometheusConfig(yaml, '/tmp/prometheus.yml');
}

/** A manager over one job; scrapes happen on demand through its loops. */
async function manager(jobYaml: string, store = new MemoryAppendable()) {
  const m = new ScrapeManager({ appendable: store, logger, userAgent: 'Prometheus/2.52.0' });
  await m.applyConfig(config(`scrape_configs:\n${jobYaml}`));
  await waitFor(() => m.loops().length > 0, 15_000, 'targets');
  return { m, store, scrape: () => Promise.all(m.loops().map((l) => l.scrapeOnce())) };
}

test("Prometheus's Accept header for its default scrape protocols", () => {
  assert.equal(
    acceptHeader(['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText0.0.4']),
    'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
  );
});

const job = config(
  'scrape_configs:\n  - job_name: node\n    scrape_interval: 15s\n    params: {module: [cpu, mem]}\n',
).scrape_configs[0]!;
const group: TargetGroup = { source: 's/0', targets: [], labels: { env: 'sandbox' } };

const targetCases: {
  name: string;
  target: Record<string, string>;
  rules?: Parameters<typeof compileRelabel>[0];
  expect: { kind: string; labels?: Record<string, string>; url?: string; error?: string };
}[] = [
  {
    name: 'defaults become labels; instance is the address',
    target: { __address__: 'host:9100' },
    expect: {
      kind: 'active',
      labels: {
        __address__: 'host:9100',
        __metrics_path__: '/metrics',
        __param_module: 'cpu',
        __scheme__: 'http',
        __scrape_interval__: '15s',
        __scrape_timeout__: '10s',
        env: 'sandbox',
        instance: 'host:9100',
        job: 'node',
      },
      url: 'http://host:9100/metrics?module=cpu',
    },
  },
  {
    name: 'a missing port is the scheme default',
    target: { __address__: 'host' },
    expect: { kind: 'active', url: 'http://host:80/metrics?module=cpu' },
  },
  {
    name: 'relabeling can drop a target',
    target: { __address__: 'host:9100' },
    rules: [{ source_labels: ['env'], regex: 'sandbox', action: 'drop' }],
    expect: { kind: 'dropped' },
  },
  {
    name: 'relabeling sets the path and a meta label goes away',
    target: { __address__: 'host:9100', __meta_path: '/probe' },
    rules: [{ source_labels: ['__meta_path'], target_label: '__metrics_path__' }],
    expect: { kind: 'active', url: 'http://host:9100/probe?module=cpu' },
  },
  {
    name: 'a timeout above the interval is an error',
    target: { __address__: 'host:9100', __scrape_timeout__: '1m' },
    expect: {
      kind: 'error',
      error: 'scrape timeout cannot be greater than scrape interval ("1m" > "15s")',
    },
  },
  {
    name: 'no address',
    target: { __address__: '' },
    rules: [{ target_label: '__address__', replacement: '' }],
    expect: { kind: 'error', error: 'no address' },
  },
];
for (const c of targetCases) {
  test(`target: ${c.name}`, () => {
    const r = populateTarget(group, c.target, job, compileRelabel(c.rules ?? []));
    assert.equal(r.kind, c.expect.kind);
    if (r.kind === 'active') {
      if (c.expect.labels) assert.deepEqual(r.target.labels, c.expect.labels);
      if (c.expect.url) assert.equal(r.target.url, c.expect.url);
      assert.ok(!Object.keys(r.target.labels).some((n) => n.startsWith('__meta_')));
    }
    if (r.kind === 'error') assert.equal(r.error, c.expect.error);
  });
}

test('sample labels: target labels win unless honor_labels; clashes become exported_', () => {
  const target = { job: 'node', instance: 'h:1' };
  assert.deepEqual(
    mutateSampleLabels({ __name__: 'x', job: 'app', exported_job: 'y' }, target, false),
    {
      __name__: 'x',
      job: 'node',
      instance: 'h:1',
      exported_job: 'y',
      exported_exported_job: 'app',
    },
  );
  assert.deepEqual(mutateSampleLabels({ __name__: 'x', job: 'app' }, target, true), {
    __name__: 'x',
    job: 'app',
    instance: 'h:1',
  });
});

test('scrapes over HTTP: headers, gzip, target labels, synthetic series, staleness', async () => {
  routes.set('/m1', [200, 'text/plain; version=0.0.4', 'a 1\nb{x="1"} 2\n']);
  const { m, store, scrape } = await manager(
    `  - job_name: app\n    metrics_path: /m1\n    static_configs: [{targets: ['${addr}'], labels: {team: t}}]\n`,
  );
  try {
    seenHeaders.length = 0;
    await scrape();
    const h = seenHeaders[0]!;
    assert.match(String(h.accept), /^application\/openmetrics-text;version=1.0.0;q=0.5,/);
    assert.equal(h['accept-encoding'], 'gzip');
    assert.equal(h['user-agent'], 'Prometheus/2.52.0');
    assert.equal(h['x-prometheus-scrape-timeout-seconds'], '10');
    const want = { job: 'app', instance: addr, team: 't' };
    assert.deepEqual(store.last('b')!.labels, { __name__: 'b', x: '1', ...want });
    assert.equal(store.last('up', want)!.v, 1);
    assert.equal(store.last('scrape_samples_scraped')!.v, 2);
    assert.equal(store.last('scrape_samples_post_metric_relabeling')!.v, 2);
    assert.equal(store.last('scrape_series_added')!.v, 2);
    assert.ok(store.last('scrape_duration_seconds')!.v >= 0);
    const t1 = store.last('up')!.t;
    assert.equal(store.last('a')!.t, t1, 'samples carry the scrape start time');

    routes.set('/m1', [200, 'text/plain; version=0.0.4', 'a 3\n']);
    await new Promise((r) => setTimeout(r, 5));
    await scrape();
    assert.equal(store.last('a')!.v, 3);
    assert.equal(store.last('b')!.stale, true, 'a vanished series gets a stale marker');
    assert.equal(store.last('scrape_series_added')!.v, 0);

    const [target] = m.targets().activeTargets;
    assert.deepEqual(Object.keys(target!).sort(), [
      'discoveredLabels',
      'globalUrl',
      'health',
      'labels',
      'lastError',
      'lastScrape',
      'lastScrapeDuration',
      'scrapeInterval',
      'scrapePool',
      'scrapeTimeout',
      'scrapeUrl',
    ]);
    assert.equal(target!.health, 'up');
    assert.equal(target!.scrapeUrl, `http://${addr}/m1`);
    const { hostname } = await import('node:os');
    assert.equal(target!.globalUrl, `http://${hostname()}:${addr.split(':')[1]}/m1`);
    assert.deepEqual(target!.labels, want);
    assert.equal(target!.scrapeInterval, '1m');
  } finally {
    await m.stop();
  }
  assert.equal(store.last('a')!.stale, true, 'stopping a target marks its series stale');
  assert.equal(store.last('up')!.stale, true);
});

test('a failing scrape: up 0, Prometheus error text, every series stale', async () => {
  routes.set('/m2', [200, 'text/plain', 'a 1\n']);
  const { m, store, scrape } = await manager(
    `  - job_name: app\n    metrics_path: /m2\n    static_configs: [{targets: ['${addr}']}]\n`,
  );
  try {
    await scrape();
    routes.set('/m2', [503, 'text/plain', 'down']);
    await scrape();
    assert.equal(store.last('up')!.v, 0);
    assert.equal(store.last('a')!.stale, true);
    assert.equal(
      m.targets().activeTargets[0]!.lastError,
      'server returned HTTP status 503 Service Unavailable',
    );
    assert.equal(m.targets().activeTargets[0]!.health, 'down');
    routes.set('/m2', [200, 'text/plain', 'a true\n']);
    await scrape();
    assert.equal(
      m.targets().activeTargets[0]!.lastError,
      'strconv.ParseFloat: parsing "true": invalid syntax while parsing: "a true"',
    );
    assert.equal(store.last('scrape_samples_scraped')!.v, 0);
  } finally {
    await m.stop();
  }
});

test('timeouts, refused connections and sample_limit fail the scrape', async () => {
  routes.set('/slow', [200, 'text/plain', 'a 1\n', 1500]);
  const slow = await manager(
    `  - job_name: slow\n    scrape_interval: 5s\n    scrape_timeout: 200ms\n    metrics_path: /slow\n    static_configs: [{targets: ['${addr}']}]\n`,
  );
  await slow.scrape();
  assert.equal(
    slow.m.targets().activeTargets[0]!.lastError,
    `Get "http://${addr}/slow": context deadline exceeded`,
  );
  await slow.m.stop();

  const refused = await manager(
    `  - job_name: gone\n    static_configs: [{targets: ['127.0.0.1:1']}]\n`,
  );
  await refused.scrape();
  assert.equal(
    refused.m.targets().activeTargets[0]!.lastError,
    'Get "http://127.0.0.1:1/metrics": dial tcp 127.0.0.1:1: connect: connection refused',
  );
  await refused.m.stop();

  routes.set('/many', [200, 'text/plain', 'a 1\nb 2\nc 3\n']);
  const limited = await manager(
    `  - job_name: lim\n    sample_limit: 2\n    metrics_path: /many\n    static_configs: [{targets: ['${addr}']}]\n`,
  );
  await limited.scrape();
  assert.equal(limited.m.targets().activeTargets[0]!.lastError, 'sample limit exceeded');
  assert.equal(limited.store.named('a').length, 0, 'nothing of a failed scrape is stored');
  assert.equal(limited.store.last('up')!.v, 0);
  await limited.m.stop();
});

test('metric_relabel_configs, label limits, honor_timestamps and OpenMetrics', async () => {
  routes.set('/om', [
    200,
    'application/openmetrics-text; version=1.0.0; charset=utf-8',
    '# TYPE c counter\nc_total{path="/x"} 5 1700000000.5\ngo_x 1\n# EOF\n',
  ]);
  const { m, store, scrape } = await manager(
    [
      '  - job_name: om',
      '    metrics_path: /om',
      `    static_configs: [{targets: ['${addr}']}]`,
      '    metric_relabel_configs:',
      '      - {source_labels: [__name__], regex: "go_.*", action: drop}',
      '',
    ].join('\n'),
  );
  try {
    await scrape();
    assert.equal(store.last('c_total')!.t, 1700000000500, 'the exposed timestamp is kept');
    assert.equal(store.named('go_x').length, 0);
    assert.equal(store.last('scrape_samples_scraped')!.v, 2);
    assert.equal(store.last('scrape_samples_post_metric_relabeling')!.v, 1);
  } finally {
    await m.stop();
  }
  routes.set('/long', [200, 'text/plain', `a{x="${'v'.repeat(60)}"} 1\n`]);
  const lim = await manager(
    `  - job_name: lim\n    label_value_length_limit: 10\n    metrics_path: /long\n    static_configs: [{targets: ['${addr}']}]\n`,
  );
  await lim.scrape();
  assert.equal(
    lim.m.targets().activeTargets[0]!.lastError,
    `label_value_length_limit exceeded (metric: a, label name: x, value: "${'v'.repeat(50)}", length: 60, limit: 10)`,
  );
  await lim.m.stop();
});

test('a target whose address is an in-process source is collected without HTTP', async () => {
  const store = new MemoryAppendable();
  const m = new ScrapeManager({
    appendable: store,
    logger,
    userAgent: 'Prometheus/2.52.0',
    sources: [
      {
        job: 'node_exporter',
        instance: '127.0.0.1:9100',
        collect: async () => ({
          contentType: 'text/plain; version=0.0.4',
          body: 'node_load1 0.5\n',
        }),
      },
    ],
  });
  await m.applyConfig(
    config(
      "scrape_configs:\n  - job_name: node_exporter\n    static_configs: [{targets: ['127.0.0.1:9100']}]\n",
    ),
  );
  await waitFor(() => m.loops().length > 0);
  await Promise.all(m.loops().map((l) => l.scrapeOnce()));
  assert.deepEqual(store.last('node_load1')!.labels, {
    __name__: 'node_load1',
    job: 'node_exporter',
    instance: '127.0.0.1:9100',
  });
  await m.stop();
});

test('scrapes run by themselves at the interval, spread by a per-target offset', async () => {
  routes.set('/tick', [200, 'text/plain', 'tick 1\n']);
  const store = new MemoryAppendable();
  const m = new ScrapeManager({ appendable: store, logger, userAgent: 'Prometheus/2.52.0' });
  await m.applyConfig(
    config(
      `scrape_configs:\n  - job_name: t\n    scrape_interval: 200ms\n    scrape_timeout: 100ms\n    metrics_path: /tick\n    static_configs: [{targets: ['${addr}']}]\n`,
    ),
  );
  try {
    await waitFor(() => store.named('tick').length >= 3, 15_000, 'three scrapes');
    const ts = store.named('up').map((s) => s.t);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
    // Fixed beats: a late beat is skipped, never doubled up.
    assert.ok(
      gaps.every((g) => g >= 50),
      `gaps ${gaps}`,
    );
    const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
    assert.ok(median < 450, `median gap ${median}ms`);
    const offset = m.loops()[0]!.offsetMs(0);
    assert.ok(offset >= 0 && offset <= 200);
  } finally {
    await m.stop();
  }
});

test('file_sd_configs: targets follow the file, removed targets go stale', async (t) => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'obs-filesd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  routes.set('/fsd', [200, 'text/plain', 'x 1\n']);
  writeFileSync(join(dir, 'a.json'), JSON.stringify([{ targets: [addr], labels: { zone: 'a' } }]));
  const store = new MemoryAppendable();
  const m = new ScrapeManager({ appendable: store, logger, userAgent: 'Prometheus/2.52.0' });
  await m.applyConfig(
    parsePrometheusConfig(
      `scrape_configs:\n  - job_name: f\n    metrics_path: /fsd\n    file_sd_configs: [{files: ['*.json'], refresh_interval: 1s}]\n`,
      join(dir, 'prometheus.yml'),
    ),
  );
  try {
    await waitFor(() => m.targets().activeTargets.length === 1, 15_000, 'file target');
    const target = m.targets().activeTargets[0]!;
    assert.equal(target.labels.zone, 'a');
    assert.equal(target.discoveredLabels.__meta_filepath, join(dir, 'a.json'));
    await Promise.all(m.loops().map((l) => l.scrapeOnce()));
    writeFileSync(join(dir, 'a.json'), '[]');
    await waitFor(() => m.targets().activeTargets.length === 0, 15_000, 'target removal');
    await waitFor(() => store.last('x')?.stale === true, 15_000, 'stale marker');
  } finally {
    await m.stop();
  }
});

test('a store that fails does not stop the loop nor crash the process', async () => {
  let calls = 0;
  routes.set('/flaky', [200, 'text/plain', 'f 1\n']);
  const failing = {
    appender: () => ({
      append: () => {
        calls++;
        throw new Error('the store is closed');
      },
      commit: async () => {
        throw new Error('the store is closed');
      },
      rollback: () => undefined,
    }),
  };
  const m = new ScrapeManager({ appendable: failing, logger, userAgent: 'Prometheus/2.52.0' });
  await m.applyConfig(
    config(
      `scrape_configs:\n  - job_name: flaky\n    scrape_interval: 100ms\n    scrape_timeout: 50ms\n    metrics_path: /flaky\n    static_configs: [{targets: ['${addr}']}]\n`,
    ),
  );
  try {
    await waitFor(() => calls >= 6, 15_000, 'repeated scrapes despite the failing store');
  } finally {
    await m.stop();
  }
});

test('file_sd_configs: YAML files too, and a broken file keeps its last good targets', async (t) => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'obs-filesd-yml-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  routes.set('/fsd2', [200, 'text/plain', 'y 1\n']);
  writeFileSync(join(dir, 't.yml'), `- targets: ['${addr}']\n  labels: {rack: r1}\n`);
  const m = new ScrapeManager({
    appendable: new MemoryAppendable(),
    logger,
    userAgent: 'Prometheus/2.52.0',
  });
  await m.applyConfig(
    parsePrometheusConfig(
      `scrape_configs:\n  - job_name: f\n    metrics_path: /fsd2\n    file_sd_configs: [{files: ['t.yml'], refresh_interval: 1s}]\n`,
      join(dir, 'prometheus.yml'),
    ),
  );
  try {
    await waitFor(() => m.targets().activeTargets.length === 1, 15_000, 'yaml target');
    assert.equal(m.targets().activeTargets[0]!.labels.rack, 'r1');
    writeFileSync(join(dir, 't.yml'), '- targets: [unclosed\n');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(m.targets().activeTargets.length, 1, 'the last good targets stay');
  } finally {
    await m.stop();
  }
});

test('http_sd_configs: targets from an HTTP endpoint, polled every refresh_interval', async () => {
  routes.set('/hsd-metrics', [200, 'text/plain', 'h 1\n']);
  routes.set('/sd', [
    200,
    'application/json',
    JSON.stringify([{ targets: [addr], labels: { dc: 'x' } }]),
  ]);
  const m = new ScrapeManager({
    appendable: new MemoryAppendable(),
    logger,
    userAgent: 'Prometheus/2.52.0',
  });
  await m.applyConfig(
    config(
      `scrape_configs:\n  - job_name: h\n    metrics_path: /hsd-metrics\n    http_sd_configs: [{url: 'http://${addr}/sd', refresh_interval: 500ms}]\n`,
    ),
  );
  try {
    await waitFor(() => m.targets().activeTargets.length === 1, 15_000, 'http sd target');
    const t = m.targets().activeTargets[0]!;
    assert.equal(t.labels.dc, 'x');
    assert.equal(t.discoveredLabels.__meta_url, `http://${addr}/sd`);
    routes.set('/sd', [200, 'text/plain', '[]']);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(
      m.targets().activeTargets.length,
      1,
      'a wrong content type keeps the last targets',
    );
    routes.set('/sd', [200, 'application/json', '[]']);
    await waitFor(() => m.targets().activeTargets.length === 0, 15_000, 'target removal');
  } finally {
    await m.stop();
  }
});
