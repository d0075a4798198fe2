import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import snappy from 'snappy';
import { encodeWriteRequest } from '../../../src/metrics/remote/receiver/index.js';
import { openMetricsStore } from '../../../src/metrics/storage/index.js';

const child = fileURLToPath(import.meta.url).replace(/crash\.test\.(ts|js)$/, 'rw-child.$1');
const nodeArgs = process.execArgv.filter((a) => !a.startsWith('--test'));
const WORKERS = 4;
const SERIES = 20;
const PER_BATCH = 5;

function batchBody(worker: number, batch: number): Buffer {
  const timeseries = Array.from({ length: SERIES }, (_, s) => ({
    labels: { __name__: 'rw_crash', worker: String(worker), s: String(s) },
    timestamps: Array.from({ length: PER_BATCH }, (_, k) => (batch * PER_BATCH + k) * 1000),
    values: Float64Array.from({ length: PER_BATCH }, () => batch),
  }));
  return snappy.compressSync(encodeWriteRequest({ timeseries })) as Buffer;
}

test('every remote-write request answered 204 survives kill -9; requests are all or nothing', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-rw-crash-'));
  const p = spawn(process.execPath, [...nodeArgs, child, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    p.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    p.once('exit', () => reject(new Error('receiver exited early')));
  });
  const acked = new Array<number>(WORKERS).fill(-1);
  let killed = false;
  const exited = new Promise((r) => p.once('exit', r));
  const worker = async (w: number): Promise<void> => {
    for (let b = 0; !killed; b++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/write`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
          body: batchBody(w, b),
        });
        assert.equal(res.status, 204, await res.text());
        acked[w] = b;
      } catch (err) {
        if (!killed) throw err;
      }
      if (!killed && acked.reduce((a, x) => a + x, 0) > 400) {
        killed = true;
        p.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  await exited;

  const store = await openMetricsStore({ dir, retentionMs: 0 });
  const q = await store.querier(-Infinity, Infinity);
  const series = await q.select([{ type: '=', name: '__name__', value: 'rw_crash' }]);
  await q.close();
  for (let w = 0; w < WORKERS; w++) {
    const mine = series.filter((s) => s.labels.worker === String(w));
    assert.equal(mine.length, SERIES);
    const counts = new Set(mine.map((s) => s.timestamps.length));
    assert.equal(counts.size, 1, `worker ${w}: a request is stored whole or not at all`);
    const n = mine[0]!.timestamps.length;
    // Acknowledged batches all present; at most the one in flight beyond them.
    assert.ok(
      n === (acked[w]! + 1) * PER_BATCH || n === (acked[w]! + 2) * PER_BATCH,
      `worker ${w}: ${n} samples, acked ${acked[w]}`,
    );
    for (const s of mine)
      s.timestamps.forEach((t, i) => assert.equal(t, i * 1000, 'no gaps, no doubles'));
  }
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
