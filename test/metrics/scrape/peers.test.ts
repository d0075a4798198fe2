import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pino from 'pino';
import { parsePrometheusConfig } from '../../../src/metrics/config/index.js';
import type { MetricMetadata } from '../../../src/metrics/scrape/index.js';
import { ScrapeManager } from '../../../src/metrics/scrape/index.js';
import { MemoryAppendable, waitFor } from '../helpers/memory-appendable.js';
import { peer } from '../helpers/peers.js';
import { freePort } from '../../support/obs-cli.js';
import { startPeer, waitHttp } from '../helpers/spawn.js';

const logger = pino({ level: 'silent' });
const nodeExporter = peer('prometheus-node-exporter');
const prometheus = peer('prometheus');
const dir = mkdtempSync(join(tmpdir(), 'obs-scrape-peers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface PromTarget {
  scrapePool: string;
  lastError: string;
  health: string;
  lastScrape: string;
}

async function promTargets(port: number): Promise<PromTarget[]> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/targets`);
  return ((await res.json()) as { data: { activeTargets: PromTarget[] } }).data.activeTargets;
}

test(
  'scrapes the real prometheus-node-exporter; real Prometheus sees the same metric names',
  { skip: nodeExporter.skip || prometheus.skip, timeout: 90_000 },
  async () => {
    const nePort = await freePort();
    const ne = startPeer('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${nePort}`]);
    const promPort = await freePort();
    const cfgFile = join(dir, 'node.yml');
    const yaml = `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: node\n    static_configs: [{targets: ['127.0.0.1:${nePort}']}]\n`;
    writeFileSync(cfgFile, yaml);
    const prom = startPeer('prometheus', [
      `--config.file=${cfgFile}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      `--storage.tsdb.path=${join(dir, 'prom-node')}`,
    ]);
    const store = new MemoryAppendable();
    const metadata = new Map<string, MetricMetadata>();
    const m = new ScrapeManager({
      appendable: store,
      logger,
      userAgent: 'Prometheus/2.52.0',
      onMetadata: (name, md) => metadata.set(name, md),
    });
    try {
      await waitHttp(`http://127.0.0.1:${nePort}/metrics`);
      await m.applyConfig(parsePrometheusConfig(yaml, cfgFile));
      await waitFor(() => m.loops().length === 1);
      await m.loops()[0]!.scrapeOnce();
      const target = m.targets().activeTargets[0]!;
      assert.equal(target.lastError, '');
      assert.equal(target.health, 'up');
      assert.equal(store.last('up')!.v, 1);
      const cpu = store.named('node_cpu_seconds_total');
      assert.ok(cpu.length > 0);
      assert.equal(cpu[0]!.labels.job, 'node');
      assert.equal(cpu[0]!.labels.instance, `127.0.0.1:${nePort}`);
      assert.ok(cpu[0]!.labels.cpu !== undefined && cpu[0]!.labels.mode !== undefined);
      const scraped = store.last('scrape_samples_scraped')!.v;
      const stored = store.samples.filter((s) => !/^(up|scrape_.*)$/.test(s.labels.__name__!));
      assert.equal(stored.length, scraped);
      assert.deepEqual(metadata.get('node_cpu_seconds_total'), {
        type: 'counter',
        help: 'Seconds the CPUs spent in each mode.',
        unit: '',
      });

      await waitHttp(`http://127.0.0.1:${promPort}/-/ready`);
      let names: string[] = [];
      const until = Date.now() + 20_000;
      while (Date.now() < until) {
        const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/label/__name__/values`);
        names = ((await res.json()) as { data: string[] }).data;
        // Prometheus's head lists series as they are appended: wait for `up`, written last.
        if (names.includes('up')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const ours = [...new Set(store.samples.map((s) => s.labels.__name__!))].sort();
      // Collector timing can add or drop a family between the two scrapes; the bulk must agree.
      const theirs = new Set(names);
      const missing = ours.filter((n) => !theirs.has(n));
      const extra = names.filter((n) => !ours.includes(n));
      assert.ok(missing.length <= 3 && extra.length <= 3, `differ: ${missing} / ${extra}`);
      assert.ok(ours.length > 100);
    } finally {
      await m.stop();
      await prom.stop();
      await ne.stop();
    }
  },
);

// Malformed expositions: obs and real Prometheus must both fail the scrape with the same
// kind of error. Prometheus 2.42 words it as "<kind>, got <TOKEN>"; obs as 2.52 does,
// "<kind>, got <text> (<TOKEN>) while parsing: <line>", so the kind is compared.
const malformed: Record<string, string> = {
  '/value': 'a true\n',
  '/lvalue': "a{b='c'} 1\n",
  '/ts': 'foo 0 1_2\n',
  '/type': '# TYPE #\n',
  '/equal': 'a{b c} 1\n',
  '/start': '{a="b"} 1\n',
  '/metatype': '# TYPE a gaugee\n',
};

test(
  'malformed expositions fail the same way in obs and in real Prometheus',
  { skip: prometheus.skip, timeout: 90_000 },
  async () => {
    const server: Server = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(malformed[req.url ?? ''] ?? 'ok 1\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const jobs = Object.keys(malformed)
      .map(
        (path) =>
          `  - job_name: '${path.slice(1)}'\n    metrics_path: '${path}'\n    static_configs: [{targets: ['${addr}']}]\n`,
      )
      .join('');
    const yaml = `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n${jobs}`;
    const cfgFile = join(dir, 'bad.yml');
    writeFileSync(cfgFile, yaml);
    const promPort = await freePort();
    const prom = startPeer('prometheus', [
      `--config.file=${cfgFile}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      `--storage.tsdb.path=${join(dir, 'prom-bad')}`,
    ]);
    const m = new ScrapeManager({
      appendable: new MemoryAppendable(),
      logger,
      userAgent: 'Prometheus/2.52.0',
    });
    try {
      await m.applyConfig(parsePrometheusConfig(yaml, cfgFile));
      await waitFor(() => m.loops().length === Object.keys(malformed).length);
      await Promise.all(m.loops().map((l) => l.scrapeOnce()));
      await waitHttp(`http://127.0.0.1:${promPort}/-/ready`);
      let theirs: PromTarget[] = [];
      const until = Date.now() + 20_000;
      while (Date.now() < until) {
        theirs = await promTargets(promPort);
        if (
          theirs.length === Object.keys(malformed).length &&
          theirs.every((t) => t.health !== 'unknown')
        )
          break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const ours = m.targets().activeTargets;
      for (const path of Object.keys(malformed)) {
        const job = path.slice(1);
        const p = theirs.find((t) => t.scrapePool === job)!;
        const o = ours.find((t) => t.scrapePool === job)!;
        assert.equal(p.health, 'down', `prometheus ${job}`);
        assert.equal(o.health, 'down', `obs ${job}`);
        // 2.42 words one message differently from 2.52's textparse.
        const kind = p.lastError
          .replace('"INVALID" is not a valid start token', 'expected a valid start token')
          .split(', got ')[0]!;
        assert.ok(
          o.lastError.startsWith(kind),
          `${job}: obs "${o.lastError}" vs prometheus "${p.lastError}"`,
        );
      }
    } finally {
      await m.stop();
      await prom.stop();
      await new Promise<void>((r) => server.close(() => r()));
    }
  },
);
