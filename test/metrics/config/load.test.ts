import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError } from '../../../src/common/config-error.js';
import {
  loadPrometheusConfig,
  parsePrometheusConfig,
  renderConfigYaml,
} from '../../../src/metrics/config/index.js';
import { initConfigDir } from '../../../src/stack/init/index.js';
import { peer } from '../helpers/peers.js';

const dir = mkdtempSync(join(tmpdir(), 'obs-promcfg-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const promtool = peer('promtool');

function writeConfig(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function promtoolCheck(file: string): { ok: boolean; output: string } {
  const r = spawnSync('promtool', ['check', 'config', '--syntax-only', file], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

test('fills Prometheus defaults into a minimal config', () => {
  const cfg = parsePrometheusConfig(
    'scrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: [localhost:9100]\n',
    '/etc/prometheus/prometheus.yml',
  );
  assert.deepEqual(cfg.global, {
    scrape_interval: '1m',
    scrape_timeout: '10s',
    evaluation_interval: '1m',
  });
  const job = cfg.scrape_configs[0]!;
  assert.equal(job.scrape_interval, '1m');
  assert.equal(job.scrape_timeout, '10s');
  assert.equal(job.metrics_path, '/metrics');
  assert.equal(job.scheme, 'http');
  assert.equal(job.honor_timestamps, true);
  assert.equal(job.honor_labels, false);
  assert.equal(job.enable_compression, true);
  assert.deepEqual(job.scrape_protocols, [
    'OpenMetricsText1.0.0',
    'OpenMetricsText0.0.1',
    'PrometheusText0.0.4',
  ]);
});

test('job values inherit from global; a short interval caps the default timeout', () => {
  const cfg = parsePrometheusConfig(
    [
      'global:',
      '  scrape_interval: 15s',
      '  sample_limit: 100',
      'scrape_configs:',
      '  - job_name: a',
      '  - job_name: b',
      '    scrape_interval: 5s',
      '    sample_limit: 7',
      '    relabel_configs:',
      '      - source_labels: [__address__]',
      '        target_label: host',
    ].join('\n'),
    '/x/prometheus.yml',
  );
  const [a, b] = cfg.scrape_configs;
  assert.equal(a!.scrape_interval, '15s');
  assert.equal(a!.scrape_timeout, '10s');
  assert.equal(a!.sample_limit, 100);
  assert.equal(b!.scrape_timeout, '5s');
  assert.equal(b!.sample_limit, 7);
  assert.deepEqual(b!.relabel_configs, [
    {
      source_labels: ['__address__'],
      target_label: 'host',
      separator: ';',
      regex: '(.*)',
      replacement: '$1',
      action: 'replace',
    },
  ]);
});

test('relative paths resolve against the config file directory', () => {
  const cfg = parsePrometheusConfig(
    [
      'rule_files: [rules/*.yml]',
      'scrape_configs:',
      '  - job_name: f',
      '    file_sd_configs:',
      '      - files: [targets/*.json]',
    ].join('\n'),
    '/etc/prom/prometheus.yml',
  );
  assert.deepEqual(cfg.rule_files, ['/etc/prom/rules/*.yml']);
  assert.deepEqual(cfg.scrape_configs[0]!.file_sd_configs, [
    { files: ['/etc/prom/targets/*.json'], refresh_interval: '5m' },
  ]);
});

// Bad configs: what obs says (file line and message), and real promtool must reject them too.
const bad: {
  name: string;
  text: string;
  line: number;
  message: RegExp;
  promtoolRejects: boolean;
}[] = [
  {
    name: 'unknown key',
    text: 'global:\n  scrape_intervall: 15s\n',
    line: 2,
    message: /unknown key "scrape_intervall"/,
    promtoolRejects: true,
  },
  {
    name: 'retention in storage.tsdb',
    text: 'storage:\n  tsdb:\n    retention: 15d\n',
    line: 3,
    message: /fix: use --storage\.tsdb\.retention\.time, as Prometheus does/,
    promtoolRejects: true,
  },
  {
    name: 'retention_time at the top',
    text: 'retention_time: 15d\n',
    line: 1,
    message: /fix: use --storage\.tsdb\.retention\.time, as Prometheus does/,
    promtoolRejects: true,
  },
  {
    name: 'duplicate job names',
    text: 'scrape_configs:\n  - job_name: a\n  - job_name: a\n',
    line: 3,
    message: /found multiple scrape configs with job name "a"/,
    promtoolRejects: true,
  },
  {
    name: 'timeout greater than interval',
    text: 'scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n',
    line: 4,
    message: /scrape timeout greater than scrape interval for scrape config with job name "a"/,
    promtoolRejects: true,
  },
  {
    name: 'global timeout greater than interval',
    text: 'global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n',
    line: 3,
    message: /global scrape timeout greater than scrape interval/,
    promtoolRejects: true,
  },
  {
    name: 'bad relabel regex',
    text: 'scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [x]\n        regex: "(abc"\n        target_label: y\n',
    line: 4,
    message: /error parsing regexp: missing closing \): `\^\(\?:\(abc\)\$`/,
    promtoolRejects: true,
  },
  {
    name: 'relabel without target_label',
    text: 'scrape_configs:\n  - job_name: a\n    metric_relabel_configs:\n      - source_labels: [x]\n',
    line: 4,
    message: /relabel configuration for replace action requires 'target_label' value/,
    promtoolRejects: true,
  },
  {
    name: 'URL as a static target',
    text: 'scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ["http://host:9100/metrics"]\n',
    line: 4,
    message: /"http:\/\/host:9100\/metrics" is not a valid hostname/,
    promtoolRejects: true,
  },
  {
    name: 'empty job name',
    text: 'scrape_configs:\n  - scrape_interval: 5s\n',
    line: 2,
    message: /job_name is empty/,
    promtoolRejects: true,
  },
  {
    name: 'bad duration',
    text: 'global:\n  scrape_interval: 1.5m\n',
    line: 2,
    message: /not a valid duration/,
    promtoolRejects: true,
  },
  {
    name: 'remote write without url',
    text: 'remote_write:\n  - name: x\n',
    line: 2,
    message: /url for remote_write is empty/,
    promtoolRejects: true,
  },
  {
    name: 'bad external label name',
    text: 'global:\n  external_labels:\n    "0bad": x\n',
    line: 3,
    message: /"0bad" is not a valid label name/,
    promtoolRejects: true,
  },
];

for (const c of bad) {
  test(`rejects: ${c.name}`, () => {
    const file = writeConfig(`bad-${c.name.replace(/\W+/g, '-')}.yml`, c.text);
    assert.throws(
      () => parsePrometheusConfig(c.text, file),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.file, file);
        assert.equal(err.line, c.line, err.message);
        assert.match(err.message, c.message);
        return true;
      },
    );
  });
  test(`promtool agrees: ${c.name}`, { skip: promtool.skip }, () => {
    const file = writeConfig(`bad-${c.name.replace(/\W+/g, '-')}.yml`, c.text);
    assert.equal(promtoolCheck(file).ok, !c.promtoolRejects);
  });
}

const GOOD = `global:
  scrape_interval: 15s
  scrape_timeout: 10s
  evaluation_interval: 15s
  external_labels:
    env: sandbox
rule_files:
  - rules/*.yml
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:9004']
        labels: { role: self }
  - job_name: node_exporter
    scrape_interval: 30s
    honor_labels: true
    params:
      collect[]: [cpu, meminfo]
    basic_auth:
      username: u
      password: p
    static_configs:
      - targets: ['127.0.0.1:9100']
    relabel_configs:
      - source_labels: [__address__]
        regex: '([^:]+):\\d+'
        target_label: host
      - action: labeldrop
        regex: 'tmp_.*'
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: 'go_.*'
        action: drop
  - job_name: files
    file_sd_configs:
      - files: [targets/*.json]
        refresh_interval: 1m
  - job_name: http
    http_sd_configs:
      - url: http://127.0.0.1:8000/sd
        refresh_interval: 30s
remote_write:
  - url: http://127.0.0.1:9090/api/v1/write
    queue_config:
      max_samples_per_send: 500
      batch_send_deadline: 1s
    write_relabel_configs:
      - source_labels: [job]
        regex: files
        action: drop
`;

test('a full config loads, and real promtool accepts the same file', async (t) => {
  const file = writeConfig('good.yml', GOOD);
  const cfg = await loadPrometheusConfig(file);
  assert.equal(cfg.scrape_configs.length, 4);
  assert.equal(cfg.scrape_configs[3]!.http_sd_configs![0]!.refresh_interval, '30s');
  assert.equal(cfg.remote_write[0]!.queue_config.max_samples_per_send, 500);
  assert.equal(cfg.remote_write[0]!.queue_config.capacity, 10000);
  assert.deepEqual(cfg.scrape_configs[1]!.params, { 'collect[]': ['cpu', 'meminfo'] });
  if (promtool.skip) return t.skip(promtool.skip);
  const r = promtoolCheck(file);
  assert.ok(r.ok, r.output);
});

test('the rendered config hides secrets and loads again to the same config', () => {
  const file = writeConfig('good2.yml', GOOD);
  const cfg = parsePrometheusConfig(GOOD, file);
  const yaml = renderConfigYaml(cfg);
  assert.match(yaml, /password: <secret>/);
  assert.doesNotMatch(yaml, /password: p\b/);
  assert.match(yaml, /^scrape_configs:\n- job_name: prometheus/m);
  const again = parsePrometheusConfig(yaml.replace('<secret>', 'p'), file);
  assert.deepEqual(again, cfg);
});

test('the prometheus.yml that obs init writes loads, and real promtool accepts it', async (t) => {
  const initDir = join(dir, 'init');
  await initConfigDir(initDir, '// alloy\n');
  const file = join(initDir, 'prometheus', 'prometheus.yml');
  const cfg = await loadPrometheusConfig(file);
  assert.deepEqual(
    cfg.scrape_configs.map((s) => s.job_name),
    ['prometheus', 'node_exporter', 'cadvisor'],
  );
  if (promtool.skip) return t.skip(promtool.skip);
  const r = promtoolCheck(file);
  assert.ok(r.ok, r.output);
});

test(
  'the rendered config matches what real Prometheus serves on /api/v1/status/config',
  { skip: peer('prometheus').skip, timeout: 60_000 },
  async () => {
    const { parse } = await import('yaml');
    const { freePort } = await import('../../support/obs-cli.js');
    const { startPeer, waitHttp } = await import('../helpers/spawn.js');
    const text = [
      'global:',
      '  scrape_interval: 15s',
      '  external_labels: {env: sandbox}',
      'scrape_configs:',
      '  - job_name: node',
      '    basic_auth: {username: u, password: p}',
      '    params:',
      '      collect[]: [cpu]',
      '    static_configs:',
      "      - targets: ['127.0.0.1:9100']",
      '        labels: {a: b}',
      '    relabel_configs:',
      '      - source_labels: [__address__]',
      '        target_label: host',
      '      - regex: tmp_.*',
      '        action: labeldrop',
      '',
    ].join('\n');
    const file = writeConfig('status.yml', text);
    const port = await freePort();
    const prom = startPeer('prometheus', [
      `--config.file=${file}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${join(dir, 'status-prom')}`,
    ]);
    try {
      await waitHttp(`http://127.0.0.1:${port}/-/ready`);
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/status/config`);
      const theirsText = ((await res.json()) as { data: { yaml: string } }).data.yaml;
      const oursText = renderConfigYaml(parsePrometheusConfig(text, file));
      const theirs = parse(theirsText);
      const ours = parse(oursText);
      // Fields Prometheus added after 2.42, the peer installed here.
      for (const key of ['track_timestamps_staleness', 'scrape_protocols', 'enable_compression']) {
        delete ours.scrape_configs[0][key];
      }
      assert.deepEqual(ours, theirs);
      assert.deepEqual(Object.keys(ours.scrape_configs[0]), Object.keys(theirs.scrape_configs[0]));
      const line = (t: string) => t.split('\n').find((l) => l.includes('source_labels'));
      assert.equal(line(oursText), line(theirsText));
    } finally {
      await prom.stop();
    }
  },
);

test('scrape_config_files add jobs from other files, and a job name may not repeat across them', () => {
  const sub = join(dir, 'jobs');
  mkdirSync(sub, { recursive: true });
  writeFileSync(
    join(sub, 'a.yml'),
    'scrape_configs:\n  - job_name: extra\n    static_configs: [{targets: [h:1]}]\n',
  );
  const main = writeConfig(
    'with-files.yml',
    'scrape_config_files: [jobs/*.yml]\nscrape_configs:\n  - job_name: main\n',
  );
  const cfg = parsePrometheusConfig(readFileSync(main, 'utf8'), main);
  assert.deepEqual(
    cfg.scrape_configs.map((s) => s.job_name),
    ['main', 'extra'],
  );
  writeFileSync(join(sub, 'b.yml'), 'scrape_configs:\n  - job_name: main\n');
  assert.throws(() => parsePrometheusConfig(readFileSync(main, 'utf8'), main), {
    message:
      /b\.yml:2: .*found multiple scrape configs with job name "main", first found in main config file/,
  });
});

test('settings obs cannot honour are refused, not ignored', () => {
  for (const [text, message] of [
    [
      'scrape_configs:\n  - job_name: a\n    proxy_url: http://proxy:3128\n',
      /proxy_url is not implemented by obs/,
    ],
    [
      'scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: [{role: pod}]\n',
      /kubernetes_sd_configs is a Prometheus service discovery that obs does not implement/,
    ],
    [
      'scrape_configs:\n  - job_name: a\n    tls_config: {min_version: TLS99}\n',
      /unknown TLS version: TLS99/,
    ],
    [
      'remote_read:\n  - url: http://remote:9090/api/v1/read\n',
      /remote_read is not implemented by obs/,
    ],
  ] as const) {
    assert.throws(() => parsePrometheusConfig(text, '/x/prometheus.yml'), { message });
  }
});
