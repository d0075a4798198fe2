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
} from '../../../src/metrics/index.js';
import { peer } from '../helpers/peers.js';
import { freePort } from '../../support/obs-cli.js';
import { startPeer, waitHttp } from '../helpers/spawn.js';

const logger = pino({ level: 'silent' });
const prometheus = peer('prometheus');
const dir = mkdtempSync(join(tmpdir(), 'obs-remote-peers-'));
let target: Server;
let targetAddr = '';
let n = 0;

before(async () => {
  target = createServer((_req, res) => {
    n++;
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(`rw_x{kind="a"} ${n}\nrw_x{kind="b"} ${n * 0.5}\n`);
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetAddr = `127.0.0.1:${(target.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((r) => target.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

type Matrix = { metric: Record<string, string>; values: [number, string][] }[];

async function rawSamples(port: number, query: string, at: number): Promise<string[]> {
  const res = await fetch(
    `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(query)}&time=${at / 1000}`,
  );
  const result = ((await res.json()) as { data: { result: Matrix } }).data.result;
  return result
    .flatMap((s) => {
      const { __name__, ...rest } = s.metric;
      const labels = Object.entries(rest)
        .sort()
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return s.values.map(([t, v]) => `${__name__}{${labels}} ${Math.round(t * 1000)} ${v}`);
    })
    .sort();
}

/** Polls both sides until the first has samples and the second has caught up with them. */
async function sameOnBoth(a: number, b: number, query: string): Promise<[string[], string[]]> {
  const until = Date.now() + 30_000;
  let left: string[] = [];
  let right: string[] = [];
  for (;;) {
    const at = Date.now() - 1500;
    left = await rawSamples(a, query, at);
    right = await rawSamples(b, query, at);
    if (left.length >= 4 && JSON.stringify(left) === JSON.stringify(right)) return [left, right];
    if (Date.now() > until) return [left, right];
    await new Promise((r) => setTimeout(r, 300));
  }
}

test(
  'obs scrapes and remote-writes into a real Prometheus: the same query answers the same on both',
  { skip: prometheus.skip, timeout: 90_000 },
  async () => {
    const promPort = await freePort();
    writeFileSync(join(dir, 'empty.yml'), 'global: {}\n');
    const prom = startPeer('prometheus', [
      `--config.file=${join(dir, 'empty.yml')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      `--storage.tsdb.path=${join(dir, 'prom1')}`,
      '--web.enable-remote-write-receiver',
    ]);
    const cfgFile = join(dir, 'obs1.yml');
    writeFileSync(
      cfgFile,
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 500ms\nscrape_configs:\n  - job_name: app\n    static_configs: [{targets: ['${targetAddr}']}]\nremote_write:\n  - url: http://127.0.0.1:${promPort}/api/v1/write\n    queue_config: {batch_send_deadline: 200ms}\n`,
    );
    const role = await createMetricsRole(
      { logger, dataDir: join(dir, 'obs1'), listenHost: '127.0.0.1' },
      {
        config: await loadPrometheusConfig(cfgFile),
        configFile: cfgFile,
        flags: parseMetricsFlags([]),
        port: 0,
        sources: [],
      },
    );
    try {
      await waitHttp(`http://127.0.0.1:${promPort}/-/ready`);
      await role.start();
      const [ours, theirs] = await sameOnBoth(role.port, promPort, '{__name__=~"rw_x|up"}[1m]');
      assert.ok(ours.length >= 4, `obs has ${ours.length} samples`);
      assert.deepEqual(theirs, ours);
    } finally {
      await role.stop();
      await prom.stop();
    }
  },
);

test(
  'a real Prometheus remote-writes into obs: the same query answers the same on both',
  { skip: prometheus.skip, timeout: 90_000 },
  async () => {
    const promPort = await freePort();
    const role = await createMetricsRole(
      { logger, dataDir: join(dir, 'obs2'), listenHost: '127.0.0.1' },
      {
        config: await loadPrometheusConfig(join(dir, 'empty.yml')),
        flags: parseMetricsFlags(['--web.enable-remote-write-receiver']),
        port: 0,
        sources: [],
      },
    );
    await role.start();
    const cfgFile = join(dir, 'prom2.yml');
    writeFileSync(
      cfgFile,
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 500ms\nscrape_configs:\n  - job_name: app\n    static_configs: [{targets: ['${targetAddr}']}]\nremote_write:\n  - url: http://127.0.0.1:${role.port}/api/v1/write\n    queue_config: {batch_send_deadline: 200ms}\n`,
    );
    const prom = startPeer('prometheus', [
      `--config.file=${cfgFile}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      `--storage.tsdb.path=${join(dir, 'prom2')}`,
    ]);
    try {
      await waitHttp(`http://127.0.0.1:${promPort}/-/ready`);
      const [theirs, ours] = await sameOnBoth(promPort, role.port, '{__name__=~"rw_x|up"}[1m]');
      assert.ok(theirs.length >= 4, `prometheus has ${theirs.length} samples`);
      assert.deepEqual(ours, theirs);
    } finally {
      await prom.stop();
      await role.stop();
    }
  },
);
