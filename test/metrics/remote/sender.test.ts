import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pino from 'pino';
import snappy from 'snappy';
import type { Labels } from '../../../src/common/labels.js';
import { parsePrometheusConfig } from '../../../src/metrics/config/index.js';
import { isStaleMarker, writeStaleMarker } from '../../../src/metrics/queryable.js';
import { decodeWriteRequest } from '../../../src/metrics/remote/receiver/index.js';
import {
  encodeWriteRequest,
  RemoteWriteManager,
  type RemoteWriteManagerOptions,
} from '../../../src/metrics/remote/sender/index.js';
import { STALE_NAN } from '../../../src/metrics/scrape/index.js';
import { MemoryAppendable, waitFor } from '../helpers/memory-appendable.js';
import { peer } from '../helpers/peers.js';
import { freePort } from '../../support/obs-cli.js';
import { startPeer, waitHttp } from '../helpers/spawn.js';

const logger = pino({ level: 'silent' });
const root = mkdtempSync(join(tmpdir(), 'obs-rw-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const newDir = (): string => join(root, `q${dirs++}`);

/** A manager as the tests run it: Prometheus's user agent, a 1s flush deadline, a fresh dir. */
const manager = (opts: Partial<RemoteWriteManagerOptions> = {}): RemoteWriteManager =>
  new RemoteWriteManager({
    dataDir: newDir(),
    logger,
    userAgent: 'Prometheus/2.52.0',
    flushDeadlineMs: 1000,
    ...opts,
  });

interface Received {
  headers: IncomingHttpHeaders;
  series: { labels: Labels; samples: [number, number, boolean][] }[];
}

/** A remote-write receiver whose answers a test scripts; it records what it accepts. */
async function receiver(port = 0) {
  const got: Received[] = [];
  const answers: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = answers.shift() ?? 204;
      if (status === 204) {
        const wr = decodeWriteRequest(snappy.uncompressSync(Buffer.concat(chunks)) as Buffer);
        got.push({
          headers: req.headers,
          series: wr.timeseries.map((ts) => ({
            labels: ts.labels,
            samples: ts.timestamps.map((t, i) => [t, ts.values[i]!, isStaleMarker(ts.values, i)]),
          })),
        });
      }
      res.writeHead(status).end(status === 204 ? '' : 'nope');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
  return {
    got,
    answers,
    url,
    port: (server.address() as AddressInfo).port,
    samples: () =>
      got.flatMap((r) =>
        r.series.flatMap((s) =>
          s.samples.map((x) => ({ labels: s.labels, t: x[0], v: x[1], stale: x[2] })),
        ),
      ),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function rwConfig(url: string, extra = '') {
  return parsePrometheusConfig(
    `global:\n  external_labels: {cluster: c1}\nremote_write:\n  - url: ${url}\n    queue_config: {max_samples_per_send: 3, batch_send_deadline: 100ms, min_backoff: 10ms, max_backoff: 50ms}\n${extra}`,
    '/tmp/prometheus.yml',
  );
}

async function commit(
  app: ReturnType<RemoteWriteManager['wrap']>,
  samples: [Labels, number, number][],
) {
  const a = app.appender();
  for (const [l, t, v] of samples) a.append(l, t, v);
  await a.commit();
}

test('encodes WriteRequests that the receiver decodes, stale marker bits intact', () => {
  const values = new Float64Array([1.5, 0]);
  writeStaleMarker(values, 1);
  const buf = Buffer.from(
    encodeWriteRequest([
      { labels: { b: '2', __name__: 'm', a: '1' }, timestamps: [1000, 2000], values },
    ]),
  );
  const wr = decodeWriteRequest(buf);
  assert.deepEqual(wr.timeseries[0]!.labels, { __name__: 'm', a: '1', b: '2' });
  assert.deepEqual(wr.timeseries[0]!.timestamps, [1000, 2000]);
  assert.equal(wr.timeseries[0]!.values[0], 1.5);
  assert.ok(isStaleMarker(wr.timeseries[0]!.values, 1));
});

test('batches by max_samples_per_send, adds external labels, applies write relabeling, sends Prometheus headers', async () => {
  const r = await receiver();
  const m = manager();
  await m.applyConfig(
    rwConfig(
      r.url,
      '    write_relabel_configs:\n      - {source_labels: [__name__], regex: skip_.*, action: drop}\n',
    ),
  );
  const store = new MemoryAppendable();
  const app = m.wrap(store);
  try {
    const samples: [Labels, number, number][] = [];
    for (let i = 0; i < 7; i++) samples.push([{ __name__: 'm', i: String(i % 2) }, 1000 + i, i]);
    samples.push([{ __name__: 'skip_me' }, 1000, 1]);
    await commit(app, samples);
    await commit(app, [[{ __name__: 'gone' }, 2000, STALE_NAN]]);
    await waitFor(() => r.samples().length === 8, 15_000, 'delivery');
    assert.equal(store.samples.length, 9, 'the inner store got everything');
    for (const req of r.got) {
      assert.ok(req.series.reduce((n, s) => n + s.samples.length, 0) <= 3);
      assert.equal(req.headers['content-encoding'], 'snappy');
      assert.equal(req.headers['content-type'], 'application/x-protobuf');
      assert.equal(req.headers['x-prometheus-remote-write-version'], '0.1.0');
      assert.equal(req.headers['user-agent'], 'Prometheus/2.52.0');
    }
    const got = r.samples();
    assert.ok(got.every((s) => s.labels.cluster === 'c1'));
    assert.ok(!got.some((s) => s.labels.__name__ === 'skip_me'));
    assert.deepEqual(
      got
        .filter((s) => s.labels.__name__ === 'm')
        .map((s) => s.v)
        .sort(),
      [0, 1, 2, 3, 4, 5, 6],
    );
    assert.equal(got.find((s) => s.labels.__name__ === 'gone')!.stale, true);
  } finally {
    await m.stop();
    await r.close();
  }
});

test('retries 5xx and 429 with backoff, drops a batch refused with 4xx', async () => {
  const r = await receiver();
  const m = manager();
  await m.applyConfig(rwConfig(r.url));
  const app = m.wrap(new MemoryAppendable());
  try {
    r.answers.push(500, 503, 429);
    await commit(app, [[{ __name__: 'a' }, 1, 1]]);
    await waitFor(() => r.samples().length === 1, 15_000, 'retried delivery');
    r.answers.push(400);
    await commit(app, [[{ __name__: 'bad' }, 1, 1]]);
    await waitFor(() => m.pendingSamples() === 0, 15_000, 'the refused batch to be dropped');
    await commit(app, [[{ __name__: 'b' }, 2, 2]]);
    await waitFor(() => r.samples().some((s) => s.labels.__name__ === 'b'), 15_000, 'later batch');
    assert.ok(!r.samples().some((s) => s.labels.__name__ === 'bad'));
    // The receiver records the batch before it answers; the sender counts it sent on the answer.
    await waitFor(() => m.pendingSamples() === 0, 15_000, 'the last batch to be acknowledged');
  } finally {
    await m.stop();
    await r.close();
  }
});

test('nothing is lost while the receiver is down, nor across a restart', async () => {
  const port = await freePort();
  const dataDir = newDir();
  const url = `http://127.0.0.1:${port}/api/v1/write`;
  const m1 = manager({ dataDir, flushDeadlineMs: 200 });
  await m1.applyConfig(rwConfig(url));
  const app1 = m1.wrap(new MemoryAppendable());
  for (let i = 0; i < 10; i++) await commit(app1, [[{ __name__: 'x' }, i, i]]);
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(m1.pendingSamples(), 10);
  await m1.stop();

  const m2 = manager({ dataDir });
  await m2.applyConfig(rwConfig(url));
  const app2 = m2.wrap(new MemoryAppendable());
  await commit(app2, [[{ __name__: 'x' }, 10, 10]]);
  const r = await receiver(port);
  try {
    await waitFor(() => r.samples().length === 11, 10_000, 'buffered samples');
    assert.deepEqual(
      r.samples().map((s) => s.t),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      'in order, once each',
    );
  } finally {
    await m2.stop();
    await r.close();
  }
});

test(
  'a real Prometheus receives obs remote write and answers the same query',
  { skip: peer('prometheus').skip, timeout: 60_000 },
  async () => {
    const port = await freePort();
    const dir = newDir();
    const cfgFile = join(root, 'recv.yml');
    writeFileSync(cfgFile, 'global: {}\n');
    const prom = startPeer('prometheus', [
      `--config.file=${cfgFile}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${join(dir, 'prom')}`,
      '--web.enable-remote-write-receiver',
    ]);
    const m = manager({ dataDir: dir });
    try {
      await waitHttp(`http://127.0.0.1:${port}/-/ready`);
      await m.applyConfig(rwConfig(`http://127.0.0.1:${port}/api/v1/write`));
      const store = new MemoryAppendable();
      const app = m.wrap(store);
      const now = Date.now() - 60_000;
      const samples: [Labels, number, number][] = [];
      for (let i = 0; i < 20; i++) {
        samples.push([{ __name__: 'obs_rw_test', host: 'h1' }, now + i * 1000, i * 1.5]);
        samples.push([{ __name__: 'obs_rw_test', host: 'h2' }, now + i * 1000, -i]);
      }
      await commit(app, samples);
      const query = async () => {
        const res = await fetch(
          `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent('obs_rw_test[5m]')}&time=${(now + 30_000) / 1000}`,
        );
        return (
          (await res.json()) as {
            data: { result: { metric: Labels; values: [number, string][] }[] };
          }
        ).data.result;
      };
      let result: Awaited<ReturnType<typeof query>> = [];
      const until = Date.now() + 20_000;
      while (Date.now() < until) {
        result = await query();
        if (result.reduce((n, s) => n + s.values.length, 0) === 40) break;
        await new Promise((res) => setTimeout(res, 200));
      }
      const theirs = result
        .flatMap((s) =>
          s.values.map(
            ([t, v]) => `${s.metric.host} ${s.metric.cluster} ${Math.round(t * 1000)} ${Number(v)}`,
          ),
        )
        .sort();
      const ours = store.samples.map((s) => `${s.labels.host} c1 ${s.t} ${s.v}`).sort();
      assert.deepEqual(theirs, ours);
    } finally {
      await m.stop();
      await prom.stop();
    }
  },
);

test('sample_age_limit drops what has grown too old to send', async () => {
  const r = await receiver();
  const m = manager();
  await m.applyConfig(
    parsePrometheusConfig(
      `remote_write:\n  - url: ${r.url}\n    queue_config: {batch_send_deadline: 50ms, sample_age_limit: 1m}\n`,
      '/tmp/prometheus.yml',
    ),
  );
  const app = m.wrap(new MemoryAppendable());
  try {
    await commit(app, [[{ __name__: 'old' }, Date.now() - 3_600_000, 1]]);
    await commit(app, [[{ __name__: 'fresh' }, Date.now(), 1]]);
    await waitFor(
      () => r.samples().some((s) => s.labels.__name__ === 'fresh'),
      15_000,
      'fresh sample',
    );
    assert.ok(!r.samples().some((s) => s.labels.__name__ === 'old'));
  } finally {
    await m.stop();
    await r.close();
  }
});

test('metric metadata goes out every metadata_config.send_interval', async () => {
  const got: { metricFamilyName: string; type: string; help: string; unit: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push(
        ...decodeWriteRequest(snappy.uncompressSync(Buffer.concat(chunks)) as Buffer).metadata,
      );
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
  const m = manager({
    metadata: () => [{ name: 'http_requests_total', type: 'counter', help: 'Requests.', unit: '' }],
  });
  await m.applyConfig(
    parsePrometheusConfig(
      `remote_write:\n  - url: ${url}\n    metadata_config: {send_interval: 100ms}\n`,
      '/tmp/prometheus.yml',
    ),
  );
  try {
    await waitFor(() => got.length > 0, 15_000, 'metadata');
    assert.deepEqual(got[0], {
      type: 'counter',
      metricFamilyName: 'http_requests_total',
      help: 'Requests.',
      unit: '',
    });
  } finally {
    await m.stop();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
