import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { DiskBuffer } from '../../../src/agent/components/write/disk-buffer.js';
import { Endpoint } from '../../../src/agent/components/write/endpoint.js';
import { PushFailure } from '../../../src/agent/components/write/push-target.js';
import type { LogStream } from '../../../src/logs/sink.js';

const dir = mkdtempSync(join(tmpdir(), 'obs-endpoint-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const batch = (i: number): LogStream[] => [
  { labels: { job: 't' }, entries: [{ timestamp: BigInt(i), line: `${i} ${'x'.repeat(1000)}` }] },
];

test('a full disk buffer makes senders wait (backpressure) instead of growing or dropping', async () => {
  let up = false;
  const delivered: string[] = [];
  const target = {
    push: async (streams: LogStream[]) => {
      if (!up) throw new PushFailure('connection refused', true);
      for (const s of streams) for (const e of s.entries) delivered.push(e.line.split(' ')[0]!);
    },
  };
  const buffer = await DiskBuffer.open(join(dir, 'buf'));
  const endpoint = new Endpoint(
    {
      name: 't',
      // Each send is a batch of its own.
      batchSizeBytes: 1000,
      batchWaitMs: 0,
      minBackoffMs: 10,
      maxBackoffMs: 20,
      maxRetries: 0,
      maxBufferBytes: 2500,
    },
    target,
    buffer,
    pino({ level: 'silent' }),
  );
  const ac = new AbortController();
  const running = endpoint.run(ac.signal);
  const acked: number[] = [];
  const sends = [0, 1, 2, 3, 4].map((i) =>
    endpoint.send(batch(i), 1, 1000).then(() => acked.push(i)),
  );
  await new Promise((r) => setTimeout(r, 300));
  const whileDown = [...acked];
  const held = buffer.unread;
  up = true;
  await Promise.all(sends);
  const deadline = Date.now() + 5000;
  while (delivered.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  ac.abort();
  await running;
  await buffer.close();
  assert.deepEqual(whileDown, [0, 1, 2], 'three batches fit the buffer; the fourth sender waits');
  assert.ok(held <= 2500 + 1100, `buffer held ${held} bytes`);
  assert.deepEqual(delivered, ['0', '1', '2', '3', '4']);
  assert.equal(buffer.unread, 0);
});
