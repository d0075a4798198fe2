import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { requirePeer } from '../../support/peers.js';
import { startApi } from './harness.js';

const run = promisify(execFile);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

test('promtool query instant and range read obs', async (t) => {
  if (!requirePeer('promtool', t)) return;
  const h = await startApi();
  try {
    const now = Math.floor(Date.now() / 1000);
    const app = h.store.appender();
    for (let i = 0; i < 10; i++) {
      app.append({ __name__: 'pt_metric', job: 'x' }, (now - 90 + i * 10) * 1000, i);
    }
    await app.commit();
    const instant = await run('promtool', [
      'query',
      'instant',
      '--time',
      String(now),
      h.base,
      'pt_metric',
    ]);
    assert.equal(instant.stdout.trim(), `pt_metric{job="x"} => 9 @[${now}]`);
    const range = await run('promtool', [
      'query',
      'range',
      `--start=${now - 60}`,
      `--end=${now}`,
      '--step=30s',
      h.base,
      'pt_metric * 2',
    ]);
    assert.equal(
      range.stdout.trim(),
      `{job="x"} =>\n6 @[${now - 60}]\n12 @[${now - 30}]\n18 @[${now}]`,
    );
  } finally {
    await h.close();
  }
});

async function waitFor<T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      // peer not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('a real Prometheus remote-writes into obs; the same query agrees on both sides', async (t) => {
  if (!requirePeer('prometheus', t)) return;
  const h = await startApi();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-prom-rw-'));
  const port = await freePort();
  const prom = `http://127.0.0.1:${port}`;
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    [
      'global: {scrape_interval: 1s, scrape_timeout: 1s}',
      'scrape_configs:',
      `  - {job_name: self, static_configs: [{targets: ['127.0.0.1:${port}']}]}`,
      'remote_write:',
      `  - url: ${h.base}/api/v1/write`,
      '    queue_config: {batch_send_deadline: 1s, min_backoff: 100ms}',
      '',
    ].join('\n'),
  );
  const child = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  try {
    const query = async (base: string, q: string, time: number): Promise<unknown> => {
      const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}&time=${time}`);
      return ((await res.json()) as { data: unknown }).data;
    };
    // Wait until obs holds several remote-written scrapes.
    const evalTime = await waitFor(
      async () => {
        const r = (await query(
          h.base,
          'count_over_time(up{job="self"}[1m])',
          Date.now() / 1000,
        )) as {
          result: { value: [number, string] }[];
        };
        return Number(r.result[0]?.value[1] ?? 0) >= 4 ? Date.now() / 1000 - 3 : undefined;
      },
      30_000,
      'remote-written samples in obs',
    );
    // Give Prometheus's queue time to deliver everything before evalTime.
    await new Promise((r) => setTimeout(r, 2500));
    for (const q of [
      'up{job="self"}',
      'scrape_samples_scraped{job="self"}',
      'count_over_time(scrape_duration_seconds{job="self"}[1m])',
      'sum by (job) (prometheus_build_info)',
      'scrape_samples_scraped{job="self"}[5s]',
    ]) {
      const t = Math.round(evalTime * 1000) / 1000;
      assert.deepEqual(await query(h.base, q, t), await query(prom, q, t), q);
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await h.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
