import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import protobuf from 'protobufjs';
import snappy from 'snappy';
import type { AgentEntry, Component, LogsReceiver } from '../../../src/agent/component.js';
import { lokiWrite } from '../../../src/agent/components/loki-write.js';
import { start } from '../run-component.js';
import { LogPushError, type LogStream } from '../../../src/logs/sink.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'obs-loki-write-'));
  dirs.push(d);
  return d;
}

interface Received {
  tenant?: string;
  contentType?: string;
  extra?: string;
  streams: { labels: string; entries: { ts: bigint; line: string; md: [string, string][] }[] }[];
}

/** Decodes logproto.PushRequest, as Loki's distributor does. */
function decodePush(body: Buffer): Received['streams'] {
  const r = protobuf.Reader.create(snappy.uncompressSync(body) as Buffer);
  const streams: Received['streams'] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    assert.equal(tag >>> 3, 1);
    const end = r.uint32() + r.pos;
    const s = { labels: '', entries: [] as Received['streams'][0]['entries'] };
    while (r.pos < end) {
      const t = r.uint32();
      if (t >>> 3 === 1) s.labels = r.string();
      else if (t >>> 3 === 2) {
        const eEnd = r.uint32() + r.pos;
        const e = { ts: 0n, line: '', md: [] as [string, string][] };
        while (r.pos < eEnd) {
          const et = r.uint32();
          if (et >>> 3 === 1) {
            const tsEnd = r.uint32() + r.pos;
            let sec = 0n;
            let nanos = 0;
            while (r.pos < tsEnd) {
              const tt = r.uint32();
              if (tt >>> 3 === 1) sec = BigInt(r.int64().toString());
              else nanos = r.int32();
            }
            e.ts = sec * 1_000_000_000n + BigInt(nanos);
          } else if (et >>> 3 === 2) e.line = r.string();
          else {
            const mEnd = r.uint32() + r.pos;
            const pair: [string, string] = ['', ''];
            while (r.pos < mEnd) {
              const mt = r.uint32();
              pair[(mt >>> 3) - 1] = r.string();
            }
            e.md.push(pair);
          }
        }
        s.entries.push(e);
      } else r.skipType(t & 7);
    }
    streams.push(s);
  }
  return streams;
}

/** A Loki push endpoint whose answer the test controls. */
async function fakeLoki(answer: (req: IncomingMessage) => number | Promise<number>) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const status = await answer(req);
      if (status === 204) {
        received.push({
          tenant: req.headers['x-scope-orgid'] as string | undefined,
          contentType: req.headers['content-type'],
          extra: `${req.headers['x-extra']}|${req.headers['x-multi']}`,
          streams: decodePush(Buffer.concat(chunks)),
        });
      }
      res.writeHead(status).end(status === 204 ? '' : 'nope');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/loki/api/v1/push`,
    received,
    lines: () => received.flatMap((r) => r.streams.flatMap((s) => s.entries.map((e) => e.line))),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function counters() {
  const c = { read: 0, sent: 0, dropped: {} as Record<string, number> };
  return {
    c,
    metrics: {
      read: (n: number) => (c.read += n),
      sent: (n: number) => (c.sent += n),
      dropped: (n: number, reason: string) => (c.dropped[reason] = (c.dropped[reason] ?? 0) + n),
    },
  };
}

function receiver(component: Component): LogsReceiver {
  return component.exports().receiver as LogsReceiver;
}

function entries(from: number, to: number, labels = { job: 'test' }): AgentEntry[] {
  const out: AgentEntry[] = [];
  for (let i = from; i < to; i++)
    out.push({ labels, timestamp: BigInt(i) * 1000n, line: `line ${i}` });
  return out;
}

const fast = { min_backoff_period: 20, max_backoff_period: 100, max_backoff_retries: 0 };

test('pushes protobuf+snappy with external labels, tenant and structured metadata', async () => {
  const loki = await fakeLoki(() => 204);
  const component = lokiWrite.build(
    { id: 'loki.write.t', dataPath: await tempDir(), logger },
    {
      external_labels: { env: 'sandbox', job: 'overridden' },
      endpoint: [
        {
          url: loki.url,
          tenant_id: 'team-a',
          headers: { 'X-Extra': '1' },
          http_headers: { 'X-Multi': ['a', 'b'] },
        },
      ],
    },
  );
  const run = start(component);
  await receiver(component).send([
    { labels: { job: 'dockerlogs' }, timestamp: 1700000000123456789n, line: 'hello' },
    {
      labels: { job: 'dockerlogs' },
      timestamp: 1700000000123456790n,
      line: 'wörld',
      metadata: { trace_id: 'abc' },
    },
    { labels: { job: 'other', __tenant_id__: 'team-b' }, timestamp: 1n, line: 'elsewhere' },
  ]);
  await run.stop();
  await loki.close();
  assert.equal(loki.received.length, 2);
  const a = loki.received.find((r) => r.tenant === 'team-a')!;
  assert.equal(a.contentType, 'application/x-protobuf');
  assert.equal(a.extra, '1|a, b');
  assert.deepEqual(a.streams, [
    {
      labels: '{env="sandbox", job="dockerlogs"}',
      entries: [
        { ts: 1700000000123456789n, line: 'hello', md: [] },
        { ts: 1700000000123456790n, line: 'wörld', md: [['trace_id', 'abc']] },
      ],
    },
  ]);
  const b = loki.received.find((r) => r.tenant === 'team-b')!;
  assert.deepEqual(b.streams[0]!.labels, '{env="sandbox", job="other"}');
});

test('nothing lost while the server fails for a while, across a restart of the agent', async () => {
  let failing = true;
  const loki = await fakeLoki(() => (failing ? 503 : 204));
  const dataPath = await tempDir();
  const args = { endpoint: [{ url: loki.url, ...fast }] };
  const { c, metrics } = counters();
  const first = lokiWrite.build({ id: 'loki.write.t', dataPath, logger, metrics }, args);
  let run = start(first);
  for (let i = 0; i < 2000; i += 100) await receiver(first).send(entries(i, i + 100));
  await run.stop();
  assert.equal(loki.received.length, 0);

  const second = lokiWrite.build({ id: 'loki.write.t', dataPath, logger, metrics }, args);
  run = start(second);
  for (let i = 2000; i < 3000; i += 100) await receiver(second).send(entries(i, i + 100));
  failing = false;
  for (let i = 3000; i < 4000; i += 100) await receiver(second).send(entries(i, i + 100));
  const deadline = Date.now() + 10_000;
  while (loki.lines().length < 4000 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  await run.stop();
  await loki.close();
  assert.deepEqual(
    loki.lines(),
    entries(0, 4000).map((e) => e.line),
    'every line once, in order',
  );
  assert.equal(c.sent, 4000);
  assert.deepEqual(c.dropped, {});
});

test('4xx batches are dropped, 429 is retried', async () => {
  let answers = [429, 429, 204, 400];
  const loki = await fakeLoki(() => answers.shift() ?? 204);
  const { c, metrics } = counters();
  const component = lokiWrite.build(
    { id: 'loki.write.t', dataPath: await tempDir(), logger, metrics },
    { endpoint: [{ url: loki.url, ...fast }] },
  );
  const run = start(component);
  await receiver(component).send(entries(0, 5));
  const deadline = Date.now() + 5000;
  while (loki.lines().length < 5 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  // Pushed at once, or — when the retried batch is not yet off the disk buffer — drained after it.
  await receiver(component).send(entries(5, 10));
  while (!c.dropped.http_400 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await run.stop();
  await loki.close();
  assert.deepEqual(
    loki.lines(),
    entries(0, 5).map((e) => e.line),
  );
  assert.deepEqual(c.dropped, { http_400: 5 });
  answers = [];
});

test('send waits for the acknowledgement (backpressure) when the server is slow', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const loki = await fakeLoki(async () => (await gate, 204));
  const component = lokiWrite.build(
    { id: 'loki.write.t', dataPath: await tempDir(), logger },
    { endpoint: [{ url: loki.url }] },
  );
  const run = start(component);
  let acked = false;
  const sending = receiver(component)
    .send(entries(0, 3))
    .then(() => (acked = true));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(acked, false);
  release();
  await sending;
  assert.equal(acked, true);
  await run.stop();
  await loki.close();
});

test('inside obs up, the in-process logs role gets the batches', async () => {
  const pushed: LogStream[] = [];
  let refuse = 1;
  const sink = {
    push: async (streams: LogStream[]) => {
      if (refuse-- > 0) throw new LogPushError(503, 'ingester not ready');
      pushed.push(...streams);
    },
  };
  const pushUrl = 'http://127.0.0.1:3100/loki/api/v1/push';
  const component = lokiWrite.build(
    { id: 'loki.write.t', dataPath: await tempDir(), logger, inProcessLogs: { pushUrl, sink } },
    { external_labels: { env: 'sandbox' }, endpoint: [{ url: pushUrl, ...fast }] },
  );
  const run = start(component);
  await receiver(component).send(entries(0, 10));
  const deadline = Date.now() + 5000;
  while (pushed.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await receiver(component).send(entries(10, 20));
  await run.stop();
  assert.deepEqual(
    pushed.flatMap((s) => s.entries.map((e) => e.line)),
    entries(0, 20).map((e) => e.line),
  );
  assert.deepEqual(pushed[0]!.labels, { env: 'sandbox', job: 'test' });
});

test('batch_wait: a batch leaves when batch_wait old or full (batch_size), as in Alloy', async () => {
  const loki = await fakeLoki(() => 204);
  const component = lokiWrite.build(
    { id: 'loki.write.t', dataPath: await tempDir(), logger },
    { endpoint: [{ url: loki.url, batch_wait: 300, batch_size: '1KiB' }] },
  );
  const run = start(component);
  const r = receiver(component);
  const t0 = Date.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < 3; i++) {
    sends.push(r.send(entries(i, i + 1)));
    await new Promise((res) => setTimeout(res, 50));
  }
  await Promise.all(sends);
  const waited = Date.now() - t0;
  assert.equal(loki.received.length, 1, 'three sends, one request');
  assert.deepEqual(loki.lines(), ['line 0', 'line 1', 'line 2']);
  assert.ok(waited >= 290, `sent after batch_wait, not at once (${waited} ms)`);

  const t1 = Date.now();
  await r.send(entries(0, 200)); // about 1.6 KB: over batch_size
  assert.ok(Date.now() - t1 < 250, 'a full batch does not wait');
  assert.equal(loki.received.length, 2);
  await run.stop();
  await loki.close();
});
