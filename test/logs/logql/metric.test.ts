import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runQuery, type QueryResult } from '../../../src/logs/logql/index.js';
import { MemoryLogReader } from '../../support/memory-log-reader.js';

const S = 1000000000n;
const MIN = 60n * S;
// An hour-aligned base so that evaluation steps are easy to read.
const BASE = 1762732800n * S;

/** One entry per minute at BASE + k*1m + 1s (k = 0..59) in `app=a`, logfmt lines. */
function reader(): MemoryLogReader {
  const r = new MemoryLogReader();
  const entries = [];
  for (let k = 0n; k < 60n; k++) {
    const status = k % 10n === 0n ? 'n/a' : String(200n + k);
    entries.push({ timestamp: BASE + k * MIN + S, line: `status=${status} dur=${k}ms` });
  }
  r.push([{ labels: { app: 'a' }, entries }]);
  r.push([{ labels: { app: 'b' }, entries: [{ timestamp: BASE + 30n * MIN + S, line: 'x' }] }]);
  return r;
}

async function range(
  query: string,
  start: bigint,
  end: bigint,
  step: bigint,
): Promise<QueryResult> {
  return runQuery(reader(), {
    query,
    startNs: start,
    endNs: end,
    stepNs: step,
    instant: false,
    direction: 'backward',
    limit: 100,
    maxSeries: 1000,
  });
}

async function instant(query: string, time: bigint): Promise<QueryResult> {
  return runQuery(reader(), {
    query,
    startNs: time,
    endNs: time,
    instant: true,
    direction: 'backward',
    limit: 100,
    maxSeries: 1000,
  });
}

function points(r: QueryResult): [number, number][][] {
  assert.equal(r.type, 'matrix');
  if (r.type !== 'matrix') return [];
  return r.series.map((s) => s.points.map(([t, v]) => [Number((t - BASE) / S), v]));
}

function scalarOrVector(r: QueryResult): number[] {
  if (r.type === 'scalar') return [r.v];
  assert.equal(r.type, 'vector');
  return r.type === 'vector' ? r.samples.map((s) => s.v) : [];
}

test('steps are multiples of step from the epoch; windows are (t-range, t]', async () => {
  const r = await range(
    'count_over_time({app="a"}[10m])',
    BASE + 7n * MIN,
    BASE + 40n * MIN,
    15n * MIN,
  );
  // t = 15m: entries at 5m1s..14m1s -> 10; t = 30m: 20m1s..29m1s -> 10.
  assert.deepEqual(points(r), [
    [
      [900, 10],
      [1800, 10],
    ],
  ]);
});

test('an empty range gives no points; a step larger than the range skips entries', async () => {
  const empty = await range(
    'count_over_time({app="a"}[1m])',
    BASE + 2n * 3600n * S,
    BASE + 3n * 3600n * S,
    MIN,
  );
  assert.deepEqual(points(empty), []);
  const sparse = await range('count_over_time({app="a"}[1m])', BASE, BASE + 59n * MIN, 20n * MIN);
  // Only the entry in (t-1m, t] counts: t=20m sees 19m1s, t=40m sees 39m1s; t=0 sees nothing.
  assert.deepEqual(points(sparse), [
    [
      [1200, 1],
      [2400, 1],
    ],
  ]);
});

test('an unparsable unwrapped value fails the query unless __error__ is filtered', async () => {
  await assert.rejects(
    instant('sum(sum_over_time({app="a"} | logfmt | unwrap status [1h]))', BASE + 3600n * S),
    /pipeline error: 'SampleExtractionErr'/,
  );
  const ok = await instant(
    'sum(sum_over_time({app="a"} | logfmt | unwrap status | __error__="" [1h]))',
    BASE + 3600n * S,
  );
  // 200..259 without the six n/a minutes (0, 10, ..., 50).
  let want = 0;
  for (let k = 0; k < 60; k++) if (k % 10 !== 0) want += 200 + k;
  assert.deepEqual(scalarOrVector(ok), [want]);
});

test('unwrap skips lines without the label and converts durations', async () => {
  const r = await instant(
    'max_over_time({app=~"a|b"} | logfmt dur | unwrap duration(dur) [1h])',
    BASE + 3600n * S,
  );
  assert.deepEqual(scalarOrVector(r), [0.059]);
});

test('NaN and Inf: x/0 is NaN, overflow is +Inf, 0/0 is NaN', async () => {
  assert.ok(
    Number.isNaN(
      scalarOrVector(
        await instant('sum(count_over_time({app="a"}[1h])) / 0', BASE + 3600n * S),
      )[0]!,
    ),
  );
  assert.deepEqual(scalarOrVector(await instant('vector(1e308) * 10', BASE)), [Infinity]);
  assert.ok(Number.isNaN(scalarOrVector(await instant('0 / 0', BASE))[0]!));
  assert.deepEqual(scalarOrVector(await instant('10 > 3', BASE)), [1]);
  assert.deepEqual(scalarOrVector(await instant('-2 + 3 * -1', BASE)), [-5]);
});

test('absent_over_time carries the equality matchers', async () => {
  const r = await instant('absent_over_time({app="zzz", x=~".+"}[5m])', BASE + 3600n * S);
  assert.equal(r.type, 'vector');
  if (r.type === 'vector') assert.deepEqual(r.samples, [{ labels: { app: 'zzz' }, v: 1 }]);
});

test('offset moves the window back', async () => {
  const r = await instant('count_over_time({app="b"}[1m] offset 30m)', BASE + 61n * MIN);
  assert.deepEqual(scalarOrVector(r), [1]);
});

test('vector matching, set operators and label_replace', async () => {
  const t = BASE + 3600n * S;
  const div = await instant(
    'sum by (app) (count_over_time({app=~"a|b"}[1h])) / on (app) sum by (app) (count_over_time({app=~"a|b"}[1h]))',
    t,
  );
  assert.deepEqual(scalarOrVector(div), [1, 1]);
  const unless = await instant(
    'sum by (app) (count_over_time({app=~"a|b"}[1h])) unless sum by (app) (count_over_time({app="b"}[1h]))',
    t,
  );
  assert.deepEqual(unless.type === 'vector' && unless.samples.map((s) => s.labels), [{ app: 'a' }]);
  const replaced = await instant(
    'label_replace(sum by (app) (count_over_time({app="a"}[1h])), "x", "app-$1", "app", "(.*)")',
    t,
  );
  assert.deepEqual(replaced.type === 'vector' && replaced.samples[0]!.labels, {
    app: 'a',
    x: 'app-a',
  });
});

test('topk, sort_desc and grouping without', async () => {
  const t = BASE + 3600n * S;
  const r = await instant('sort_desc(topk(2, count_over_time({app=~"a|b"}[1h])))', t);
  assert.deepEqual(scalarOrVector(r), [60, 1]);
  const w = await instant('sum without (app) (count_over_time({app=~"a|b"}[1h]))', t);
  assert.deepEqual(scalarOrVector(w), [61]);
});

test('counting over selector and filters in storage equals counting entries here', async () => {
  // Range 5m with a 86s step: storage answers with two step-wide bucket queries.
  const start = BASE;
  const end = BASE + 3600n * S;
  for (const [pushed, local] of [
    ['rate({app=~"a|b"}[5m])', 'rate({app=~"a|b"} | __error__="" [5m])'],
    [
      'bytes_over_time({app="a"} |= "status" [5m] offset 7m)',
      'bytes_over_time({app="a"} |= "status" | __error__="" [5m] offset 7m)',
    ],
    ['absent_over_time({app="b"}[5m])', 'absent_over_time({app="b"} | __error__="" [5m])'],
  ]) {
    assert.deepEqual(
      points(await range(pushed!, start, end, 86n * S)),
      points(await range(local!, start, end, 86n * S)),
      pushed,
    );
  }
});
