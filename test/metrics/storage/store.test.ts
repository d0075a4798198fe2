import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openMetricsStore } from '../../../src/metrics/storage/index.js';
import { SampleAppendError } from '../../../src/metrics/appender.js';
import { isStaleMarker, writeStaleMarker } from '../../../src/metrics/queryable.js';
import { dump, metric, tempDir } from './helpers.js';

const H = 3600_000;

test('appended samples are queryable, survive reopen, and keep series apart', async () => {
  const dir = tempDir('store');
  let store = await openMetricsStore({ dir, retentionMs: 0 });
  const app = store.appender();
  for (let i = 0; i < 10; i++) {
    app.append(metric('up', { job: 'a' }), i * 1000, i);
    app.append(metric('up', { job: 'b' }), i * 1000, -i);
  }
  await app.commit();
  const before = await dump(store, [{ type: '=', name: '__name__', value: 'up' }]);
  assert.equal(before.size, 2);
  assert.deepEqual(before.get(JSON.stringify(metric('up', { job: 'a' })))!.at(-1), [9000, 9]);
  await store.close();
  store = await openMetricsStore({ dir, retentionMs: 0 });
  assert.deepEqual(await dump(store, [{ type: '=', name: '__name__', value: 'up' }]), before);
  await store.close();
  fs.rmSync(dir, { recursive: true });
});

test('out-of-order, duplicate and out-of-bounds samples get Prometheus errors', async () => {
  const dir = tempDir('ooo');
  const store = await openMetricsStore({ dir, retentionMs: 0 });
  const l = metric('x');
  let app = store.appender();
  app.append(l, 10 * H, 1);
  await app.commit();
  const cases: [string, number, number, string | null][] = [
    ['older sample', 10 * H - 1000, 1, 'out of order sample'],
    ['same time, other value', 10 * H, 2, 'duplicate sample for timestamp'],
    ['same time, same value is ignored', 10 * H, 1, null],
    ['more than an hour behind the head', 8 * H, 1, 'out of bounds'],
  ];
  for (const [why, t, v, message] of cases) {
    app = store.appender();
    if (message === null) {
      app.append(l, t, v);
      await app.commit();
      continue;
    }
    assert.throws(
      () => app.append(l, t, v),
      (err: unknown) => err instanceof SampleAppendError && err.message === message,
      why,
    );
    app.rollback();
  }
  // Within one batch too.
  app = store.appender();
  app.append(l, 11 * H, 1);
  assert.throws(() => app.append(l, 11 * H - 1, 1), /out of order sample/);
  app.rollback();
  const got = await dump(store, []);
  assert.deepEqual([...got.values()], [[[10 * H, 1]]]);
  await store.close();
  fs.rmSync(dir, { recursive: true });
});

test('stale markers keep their bit pattern through WAL, blocks and reopen', async () => {
  const dir = tempDir('stale');
  let store = await openMetricsStore({ dir, retentionMs: 0, blockRangeMs: 10_000 });
  const stale = new Float64Array(1);
  writeStaleMarker(stale, 0);
  const app = store.appender();
  app.append(metric('s'), 1000, 1);
  app.append(metric('s'), 2000, stale[0]!);
  for (let t = 3000; t <= 40_000; t += 1000) app.append(metric('s'), t, 5);
  await app.commit();
  for (const reopen of [false, true]) {
    if (reopen) {
      await store.close();
      store = await openMetricsStore({ dir, retentionMs: 0, blockRangeMs: 10_000 });
    }
    const q = await store.querier(0, 50_000);
    const [s] = await q.select([{ type: '=', name: '__name__', value: 's' }]);
    await q.close();
    assert.equal(s!.timestamps.length, 40);
    assert.equal(isStaleMarker(s!.values, 1), true);
    assert.equal(isStaleMarker(s!.values, 0), false);
  }
  await store.close();
  fs.rmSync(dir, { recursive: true });
});

test('head is cut into blocks; time retention drops whole old blocks', async () => {
  const dir = tempDir('retention');
  const range = 10_000;
  let store = await openMetricsStore({ dir, retentionMs: 5 * range, blockRangeMs: range });
  for (let t = 0; t < 20 * range; t += 1000) {
    const app = store.appender();
    app.append(metric('r', { a: '1' }), t, t);
    if (t < 3 * range) app.append(metric('old'), t, 1);
    await app.commit();
  }
  const blocks = fs.readdirSync(dir).filter((f) => /^[0-9A-Z]{26}$/.test(f));
  assert.ok(blocks.length >= 4 && blocks.length <= 7, `blocks kept: ${blocks.length}`);
  const got = await dump(store, [{ type: '=', name: '__name__', value: 'r' }]);
  const samples = [...got.values()][0]!;
  assert.ok(samples[0]![0] >= 12 * range, `oldest kept ${samples[0]![0]}`);
  assert.deepEqual(samples.at(-1), [20 * range - 1000, 20 * range - 1000]);
  // A series whose blocks all expired is gone from the index too.
  const q = await store.querier(-Infinity, Infinity);
  assert.deepEqual(await q.labelValues('__name__'), ['r']);
  await q.close();
  await store.close();
  store = await openMetricsStore({ dir, retentionMs: 5 * range, blockRangeMs: range });
  assert.deepEqual(await dump(store, [{ type: '=', name: '__name__', value: 'r' }]), got);
  await store.close();
  fs.rmSync(dir, { recursive: true });
});

test('size retention keeps the newest blocks under the limit', async () => {
  const dir = tempDir('size');
  const range = 10_000;
  const store = await openMetricsStore({
    dir,
    retentionMs: 0,
    retentionBytes: 40_000,
    blockRangeMs: range,
  });
  for (let t = 0; t < 40 * range; t += 100) {
    const app = store.appender();
    for (let i = 0; i < 5; i++) app.append(metric('s', { i: String(i) }), t, Math.random());
    await app.commit();
  }
  assert.ok((await store.diskBytes()) <= 60_000, `disk ${await store.diskBytes()}`);
  const got = await dump(store, [{ type: '=', name: 'i', value: '0' }]);
  assert.ok([...got.values()][0]![0]![0] > 20 * range);
  await store.close();
  fs.rmSync(dir, { recursive: true });
});

test('delete_series tombstones head and blocks; clean_tombstones rewrites blocks', async () => {
  const dir = tempDir('delete');
  const range = 10_000;
  let store = await openMetricsStore({ dir, retentionMs: 0, blockRangeMs: range });
  for (let t = 0; t < 5 * range; t += 1000) {
    const app = store.appender();
    app.append(metric('d', { k: 'gone' }), t, 1);
    app.append(metric('d', { k: 'kept' }), t, 2);
    await app.commit();
  }
  await store.deleteSeries([[{ type: '=', name: 'k', value: 'gone' }]], 5000, 45_000);
  const check = async (): Promise<void> => {
    const got = await dump(store, [{ type: '=', name: 'k', value: 'gone' }]);
    const ts = [...got.values()][0]!.map(([t]) => t);
    assert.deepEqual(ts, [0, 1000, 2000, 3000, 4000, 46_000, 47_000, 48_000, 49_000]);
    const kept = await dump(store, [{ type: '=', name: 'k', value: 'kept' }]);
    assert.equal([...kept.values()][0]!.length, 50);
  };
  await check();
  await store.cleanTombstones();
  await check();
  await store.close();
  store = await openMetricsStore({ dir, retentionMs: 0, blockRangeMs: range });
  await check();
  const name = await store.snapshot(path.join(dir, 'snapshots'), false);
  assert.match(name, /^\d{8}T\d{6}Z-[0-9a-f]{16}$/);
  const snapBlocks = fs.readdirSync(path.join(dir, 'snapshots', name));
  assert.ok(snapBlocks.length >= 2);
  await store.close();
  // A snapshot is a storage directory of its own.
  const snap = await openMetricsStore({ dir: path.join(dir, 'snapshots', name), retentionMs: 0 });
  assert.equal(
    [...(await dump(snap, [{ type: '=', name: 'k', value: 'kept' }])).values()][0]!.length,
    50,
  );
  await snap.close();
  fs.rmSync(dir, { recursive: true });
});

test('tsdb status counts head cardinality', async () => {
  const dir = tempDir('status');
  const store = await openMetricsStore({ dir, retentionMs: 0 });
  const app = store.appender();
  for (let i = 0; i < 3; i++) app.append(metric('a', { i: String(i) }), 1000, 1);
  app.append(metric('b'), 2000, 1);
  await app.commit();
  const s = await store.tsdbStatus(10);
  assert.deepEqual(s.headStats, {
    numSeries: 4,
    numLabelPairs: 5,
    chunkCount: 4,
    minTime: 1000,
    maxTime: 2000,
  });
  assert.deepEqual(s.seriesCountByMetricName, [
    { name: 'a', value: 3 },
    { name: 'b', value: 1 },
  ]);
  await store.close();
  fs.rmSync(dir, { recursive: true });
});

test('step hints decode only the windows and keep exactly the samples inside them', async () => {
  const dir = tempDir('hints');
  const range = 600_000;
  const store = await openMetricsStore({ dir, retentionMs: 0, blockRangeMs: range });
  const hints = { startMs: 100_000, endMs: 10 * range, stepMs: 900_000, rangeMs: 60_000 };
  const inWindow = (t: number): boolean =>
    t >= hints.startMs && (t - hints.startMs) % hints.stepMs <= hints.rangeMs;
  // Dense inside the windows, sparse between them: the windows hold most samples,
  // so the decode buffers, sized for the windows' share of time, must grow.
  for (let t = 0; t < 10 * range; t += inWindow(t) ? 1000 : 30_000) {
    const app = store.appender();
    app.append(metric('h', { s: '1' }), t, t);
    app.append(metric('h', { s: '2' }), t, -t);
    await app.commit();
  }
  const q = await store.querier(0, 10 * range);
  const h = [{ type: '=' as const, name: '__name__', value: 'h' }];
  const full = await q.select(h);
  const part = await q.select(h, hints);
  await q.close();
  assert.equal(part.length, 2);
  for (const [i, s] of full.entries()) {
    const keep = [...s.timestamps.keys()].filter((j) => inWindow(s.timestamps[j]!));
    assert.ok(keep.length < s.timestamps.length, 'some samples lie outside the windows');
    assert.deepEqual(part[i]!.labels, s.labels);
    assert.deepEqual(
      [...part[i]!.timestamps],
      keep.map((j) => s.timestamps[j]!),
    );
    assert.deepEqual(
      [...part[i]!.values],
      keep.map((j) => s.values[j]!),
    );
  }
  await store.close();
  fs.rmSync(dir, { recursive: true });
});

test('blocks merge into 3x, 9x, 27x ranges; samples intact and not doubled across reopen', async () => {
  const dir = tempDir('merge');
  const range = 1000;
  let store = await openMetricsStore({ dir, retentionMs: 0, blockRangeMs: range });
  const expected: number[] = [];
  for (let t = 0; t < 60 * range; t += 100) {
    const app = store.appender();
    app.append(metric('m', { a: '1' }), t, t / 100);
    if (t % 1000 === 0) app.append(metric('m', { a: '2' }), t, 1);
    await app.commit();
    expected.push(t);
  }
  await store.close();
  const metas = fs
    .readdirSync(dir)
    .filter((f) => /^[0-9A-Z]{26}$/.test(f))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f, 'meta.json'), 'utf8')));
  assert.ok(metas.length < 12, `${metas.length} blocks after merging ~58 cuts`);
  assert.ok(metas.some((m) => m.compaction.level >= 3 && m.maxTime - m.minTime === 27 * range));
  const sorted = metas.sort((a, b) => a.minTime - b.minTime);
  for (let i = 1; i < sorted.length; i++)
    assert.ok(sorted[i].minTime >= sorted[i - 1].maxTime, 'no overlap');
  store = await openMetricsStore({ dir, retentionMs: 0, blockRangeMs: range });
  const got = await dump(store, [{ type: '=', name: 'a', value: '1' }]);
  assert.deepEqual(
    [...got.values()][0]!.map(([t]) => t),
    expected,
  );
  assert.equal(
    [...(await dump(store, [{ type: '=', name: 'a', value: '2' }])).values()][0]!.length,
    60,
  );
  await store.close();
  fs.rmSync(dir, { recursive: true });
});

test('a storage directory held by a live process is refused; a dead holder is taken over', async () => {
  const dir = tempDir('lock');
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], {
    stdio: 'ignore',
  });
  fs.writeFileSync(path.join(dir, 'lock'), String(holder.pid));
  await assert.rejects(
    openMetricsStore({ dir, retentionMs: 0 }),
    /lock DB directory: .* is held by process \d+/,
  );
  holder.kill('SIGKILL');
  await new Promise((r) => holder.once('exit', r));
  const store = await openMetricsStore({ dir, retentionMs: 0 });
  assert.equal(fs.readFileSync(path.join(dir, 'lock'), 'utf8'), String(process.pid));
  await store.close();
  assert.equal(fs.existsSync(path.join(dir, 'lock')), false);
  fs.rmSync(dir, { recursive: true });
});

test('newestOnly returns the newest sample in the window, as a full select ends with', async () => {
  const dir = tempDir('newest');
  const range = 600_000;
  const store = await openMetricsStore({ dir, retentionMs: 0, blockRangeMs: range });
  // 'a' ends in the open head chunk; 'b' stopped earlier (its newest sample is in
  // a closed chunk or a block); 'c' has its last sample deleted (a head tombstone).
  for (let t = 0; t <= 2 * range; t += 15_000) {
    const app = store.appender();
    app.append(metric('n', { s: 'a' }), t, t / 1000);
    if (t <= range) app.append(metric('n', { s: 'b' }), t, -t);
    app.append(metric('n', { s: 'c' }), t, t * 2);
    await app.commit();
  }
  await store.deleteSeries([[{ type: '=', name: 's', value: 'c' }]], 2 * range, 2 * range);
  const n = [{ type: '=' as const, name: '__name__', value: 'n' }];
  // Windows: at the head's newest time, inside the open chunk's span, before it, and empty.
  for (const [startMs, endMs] of [
    [2 * range - 300_000, 2 * range],
    [range + 30_000, 2 * range - 45_000],
    [range - 300_000, range + 1000],
    [3 * range, 4 * range],
  ] as const) {
    const q = await store.querier(startMs, endMs);
    const full = await q.select(n, { startMs, endMs });
    const newest = await q.select(n, { startMs, endMs, newestOnly: true });
    await q.close();
    const last = (s: { timestamps: Float64Array; values: Float64Array }): number[] => [
      s.timestamps.at(-1)!,
      s.values.at(-1)!,
    ];
    assert.deepEqual(
      newest.map((s) => [s.labels.s, ...last(s)]),
      full.map((s) => [s.labels.s, ...last(s)]),
      `window ${startMs}..${endMs}`,
    );
  }
  await store.close();
  fs.rmSync(dir, { recursive: true });
});
