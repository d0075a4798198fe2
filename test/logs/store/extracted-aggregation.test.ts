import { after, before, describe, it } from 'node:test';
import { DuckDBConnection } from '@duckdb/node-api';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runQuery, type QueryResult } from '../../../src/logs/logql/index.js';
import type { LogReader } from '../../../src/logs/reader.js';
import type { LogStream } from '../../../src/logs/sink.js';
import { timeSlices } from '../../../src/logs/store/extracted-aggregation.js';
import { LogStore } from '../../../src/logs/store/index.js';
import { MemoryLogReader } from '../../support/memory-log-reader.js';
import { countingExtractions, withoutExtraction } from '../without-extraction.js';

const S = 1_000_000_000n;
const BASE = 1_763_000_400n * S;

/** Lines where storage-side extraction could go wrong, cycled through every stream. */
const EDGE_LINES = [
  'level=info path=/x duration=12ms status=200',
  'level=warn msg="quoted level=error path=/z inside" path=/y duration=1.5s status=503',
  'msg="a \\"q\\" level=fake b" level=debug duration=3ms status=404',
  'msg="ends in backslash \\\\" level=info duration=3ms',
  'level="with space" duration=2ms path="/a b"',
  'level= duration=4ms',
  'level=info level=error duration=5ms',
  'level=error level= duration=6ms',
  'level=a=b duration=7ms',
  'level=info level=x"y duration=8ms',
  '',
  'no pairs at all',
  'xlevel=foo duration=9ms',
  'foo="unterminated level=zzz duration=10ms',
  'level=info\tduration=11ms\tpath=/tab',
  'level=info duration=0 status=-1.25',
  'level=info duration=250us status=0.1',
  'level=warn duration=1h status=7',
  'level=warn duration=2m path=/x',
  'level=ünï duration=1µs path=/ü',
  'path="/a b" duration=3ms level=info',
  'level=""',
  'level=info duration= status=',
  '  level=info   duration=13ms  ',
  'level=warn\tfoo duration=14ms',
  'path=/p\u001bq level=info duration=15ms',
  'msg=a\\b level=error duration=16ms path=/slash',
  'a="x level=odd duration=17ms',
  'a="x" b="y" level=even duration=18ms path=/even',
  'level=info msg="level=debug duration=1h" duration=19ms',
  'level=in\u0000fo duration=20ms',
  'level=info duration=021.50ms path=/zero',
  'duration=2h level=warn',
  'level=info duration=5ms duration=7ms',
  // Pairs between, glued to and after quoted values; repeated keys after them.
  'a="x" level=between b="y" duration=21ms',
  'msg="x"level=glued duration=22ms',
  'msg="p level=q" xlevel=1 level=tail duration=23ms path=/t',
  'msg="x" level=one level=two duration=24ms',
  'msg="x" level=1\tlevel=2 duration=25ms',
  // Quotes only after the pairs; four quotes before them; keys inside other keys.
  'level=info duration=26ms msg="after" path=/after',
  'a="x" b="y" level=four duration=27ms path=/four',
  'msg="x" path=/q m="y" duration=28ms',
  'xduration=1s duration=29ms level=info',
  'level=info duration=30ms pathx=1 path=/last',
];

/** Unwrapped values Go's ParseFloat takes beyond plain decimals. */
const GO_FLOATS = [
  'level=info status=NaN',
  'level=info status=1e3',
  'level=info status=-0',
  'level=info status=+2.5',
  'level=info status=Inf',
  'level=warn status=-Inf',
  'level=info status=.5',
  'level=info status=7',
];

function streams(): LogStream[] {
  let made = 0n;
  // No two streams share a timestamp: which of two tied samples of a merged
  // series comes last depends on the order storage returns them in.
  const make = (labels: Record<string, string>, lines: string[], every: bigint): LogStream => {
    const offset = 100n * made++;
    return {
      labels,
      entries: Array.from({ length: 200 }, (_, i) => ({
        timestamp: BASE + BigInt(i) * every + BigInt(i % 3) + offset,
        line: lines[i % lines.length]!,
      })),
    };
  };
  return [
    make({ job: 'a', env: 'prod' }, EDGE_LINES, 7n * S),
    make({ job: 'a', env: 'dev' }, [...EDGE_LINES].reverse(), 5n * S),
    // `level` is a stream label here: extracted keys are renamed, storage declines.
    make({ job: 'b', level: 'stream' }, EDGE_LINES, 11n * S),
    // An unwrapped value the stage cannot convert: the query fails as Loki's does.
    make({ job: 'c' }, ['path=/c duration=abc', 'path=/c duration=5ms'], 13n * S),
    // An escaped quoted value in a wanted field: storage declines.
    make({ job: 'd' }, ['level="esc\\"aped" duration=1ms', 'level=info duration=2ms'], 9n * S),
    // A duration of several units: storage converts with the stage's own functions.
    make({ job: 'e' }, ['level=info duration=1h30m', 'level=info duration=2ms'], 9n * S),
    make({ job: 'f', env: '1' }, GO_FLOATS, 9n * S),
    make({ job: 'f', env: '2' }, [...GO_FLOATS].reverse(), 9n * S),
  ];
}

type Outcome = { error: string } | { series: [string, [string, number][]][] };

async function outcome(
  reader: LogReader,
  query: string,
  range = { startNs: BASE, endNs: BASE + 1200n * S },
): Promise<Outcome> {
  let r: QueryResult;
  try {
    r = await runQuery(reader, {
      query,
      ...range,
      stepNs: 60n * S,
      instant: false,
      direction: 'backward',
      limit: 100,
      maxSeries: 1000,
    });
  } catch (e) {
    // Which failing series is named depends on scan order, in Loki too.
    return { error: String(e).split(' for series')[0]! };
  }
  assert.equal(r.type, 'matrix');
  const series = r.series.map(
    (s) =>
      [
        JSON.stringify(Object.entries(s.labels).sort()),
        s.points.map(([t, v]) => [String(t), v] as [string, number]),
      ] as [string, [string, number][]],
  );
  return { series: series.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) };
}

/** Equal, values to 1e-12 relative: sums may add the same samples in another order. */
function assertSame(actual: Outcome, expected: Outcome, query: string): void {
  if ('error' in expected || 'error' in actual) {
    assert.deepEqual(actual, expected, query);
    return;
  }
  assert.deepEqual(
    actual.series.map(([k, pts]) => [k, pts.map(([t]) => t)]),
    expected.series.map(([k, pts]) => [k, pts.map(([t]) => t)]),
    query,
  );
  actual.series.forEach(([, pts], i) =>
    pts.forEach(([, v], j) => {
      const want = expected.series[i]![1][j]![1];
      assert.ok(
        Object.is(v, want) || Math.abs(v - want) <= 1e-12 * Math.max(1, Math.abs(want)),
        `${query}: ${v} ${want}`,
      );
    }),
  );
}

/**
 * Query → whether the DuckDB store is expected to answer it (true) or to
 * decline / not be asked. The memory reader, the reference, also answers
 * where only SQL declines (escaped quoted values).
 */
const CASES: [string, boolean][] = [
  ['sum by (level) (count_over_time({job="a"} | logfmt [1m]))', true],
  ['sum by (level, path) (rate({job="a"} |= "duration" | logfmt [5m]))', true],
  ['sum by (path) (count_over_time({job="a"} != "debug" | logfmt [2m]))', true],
  ['sum by (level) (bytes_over_time({job="a"} | logfmt [2m]))', true],
  ['max by (level) (bytes_rate({job="a"} | logfmt [3m]))', true],
  ['sum(count_over_time({job="a"} | logfmt [1m]))', false],
  ['quantile_over_time(0.99, {job="a"} | logfmt | unwrap duration(duration) [5m]) by (path)', true],
  ['quantile_over_time(0.5, {job="a"} | logfmt | unwrap duration(duration) [5m]) by (level)', true],
  [
    'sum by (level) (sum_over_time({job="a"} | logfmt | unwrap duration_seconds(duration) [5m]))',
    true,
  ],
  ['sum by (path) (avg_over_time({job="a"} | logfmt | unwrap duration(duration) [4m]))', true],
  ['min_over_time({job="a"} | logfmt | unwrap status [5m]) by (level)', true],
  [
    'max_over_time({job="a", env="prod"} |= "status" | logfmt | unwrap status [5m]) by (path)',
    true,
  ],
  ['stddev_over_time({job="a"} |= "ms" | logfmt | unwrap duration(duration) [5m]) by (path)', true],
  ['sum by (level) (rate({job="a"} | logfmt | unwrap duration(duration) [5m]))', true],
  ['sum by (level) (sum_over_time({job="e"} | logfmt | unwrap duration(duration) [5m]))', true],
  [
    'sum by (level) (sum_over_time({job="e"} | logfmt | unwrap duration_seconds(duration) [5m]))',
    true,
  ],
  // Equal times from two streams, values Go parses beyond plain decimals (NaN, Inf, exponents).
  ['sum by (level) (sum_over_time({job="f"} | logfmt | unwrap status [5m]))', true],
  ['quantile_over_time(0.5, {job="f"} | logfmt | unwrap status [5m]) by (level)', true],
  ['max_over_time({job="f"} | logfmt | unwrap status [5m]) by (level)', true],
  // Not pushed down: all labels kept, strict parser, label filter, first/last, bytes().
  ['count_over_time({job="a"} | logfmt [1m])', false],
  ['sum by (level) (count_over_time({job="a"} | logfmt --strict [1m]))', false],
  ['sum by (level) (count_over_time({job="a"} | logfmt | path="/x" [1m]))', false],
  ['last_over_time({job="a"} | logfmt | unwrap duration(duration) [5m]) by (path)', false],
  // Declined by storage: stream label collision, escaped value, unconvertible value.
  ['sum by (level) (count_over_time({job=~"a|b"} | logfmt [1m]))', false],
  ['sum by (level) (count_over_time({job="d"} | logfmt [1m]))', false],
  ['sum by (path) (sum_over_time({job="c"} | logfmt | unwrap duration(duration) [5m]))', false],
  ['max_over_time({job="a"} | logfmt | unwrap path [5m]) by (level)', false],
];

describe('storage-side logfmt extraction', () => {
  let dir: string;
  let store: LogStore;
  const memory = new MemoryLogReader();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-extracted-'));
    store = await LogStore.open({ dir });
    await store.push(streams());
    memory.push(streams());
  });

  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const [query, pushed] of CASES) {
    it(`${pushed ? 'pushed down' : 'stages'}: ${query}`, async () => {
      const expected = await outcome(withoutExtraction(memory), query);
      if (!('error' in expected)) assert.ok(expected.series.length > 0, 'case has data');
      for (const target of [store as LogReader, memory]) {
        const { reader, answered } = countingExtractions(target);
        assertSame(await outcome(reader, query), expected, query);
        if (target === store) assert.equal(answered() > 0, pushed, `answered by storage: ${query}`);
      }
    });
  }

  // Over a range starting before the lines and ending after them.
  for (const query of [
    'quantile_over_time(0.9, {job="a"} | logfmt | unwrap duration(duration) [5m]) by (path)',
    'sum by (path) (sum_over_time({job="a"} | logfmt | unwrap duration(duration) [10m]))',
    'min_over_time({job="a"} | logfmt | unwrap status [5m]) by (level)',
  ]) {
    it(`pushed down over a wider range: ${query}`, async () => {
      const range = { startNs: BASE - 1500n * S, endNs: BASE + 2700n * S };
      const expected = await outcome(withoutExtraction(memory), query, range);
      assert.ok('series' in expected && expected.series.length > 0, 'case has data');
      const { reader, answered } = countingExtractions(store);
      assertSame(await outcome(reader, query, range), expected, query);
      assert.ok(answered() > 0, 'answered by storage');
    });
  }

  it('unconvertible unwrapped values fail the query as the stages do', async () => {
    const r = await outcome(
      store,
      'sum by (path) (sum_over_time({job="c"} | logfmt | unwrap duration(duration) [5m]))',
    );
    assert.ok('error' in r && /SampleExtractionErr/.test(r.error), JSON.stringify(r));
  });

  // DuckDB running out of memory, injected into the slices' list queries wider than `over`.
  async function withSliceOutOfMemory<T>(over: bigint, fn: (widths: bigint[]) => Promise<T>) {
    const proto = DuckDBConnection.prototype;
    const original = proto.runAndReadAll;
    const widths: bigint[] = [];
    proto.runAndReadAll = async function (this: DuckDBConnection, sql, ...rest) {
      const range = /ts >= (-?\d+) AND ts < (-?\d+)/.exec(sql);
      if (sql.includes("list({'t'") && range) {
        const width = BigInt(range[2]!) - BigInt(range[1]!);
        widths.push(width);
        if (width > over)
          throw new Error('Out of Memory Error: failed to allocate data (injected)');
      }
      return original.call(this, sql, ...rest);
    };
    try {
      return await fn(widths);
    } finally {
      proto.runAndReadAll = original;
    }
  }

  it('halves a slice whose lists run DuckDB out of memory, with the same answer', async () => {
    const query =
      'quantile_over_time(0.9, {job="a"} | logfmt | unwrap duration(duration) [5m]) by (path)';
    const expected = await outcome(withoutExtraction(memory), query);
    await withSliceOutOfMemory(300n * S, async (widths) => {
      const { reader, answered } = countingExtractions(store);
      assertSame(await outcome(reader, query), expected, query);
      assert.equal(answered(), 1);
      assert.ok(widths.some((w) => w > 300n * S) && widths.some((w) => w <= 300n * S), `${widths}`);
    });
  });

  it('reports DuckDB running out of memory once a slice is down to a minute', async () => {
    const query = 'min_over_time({job="a"} | logfmt | unwrap status [5m]) by (level)';
    await withSliceOutOfMemory(0n, async (widths) => {
      const r = await outcome(store, query);
      assert.ok('error' in r && r.error.includes('Out of Memory Error'), JSON.stringify(r));
      assert.ok(Math.min(...widths.map(Number)) < 60e9, `${widths}`);
    });
  });
});

describe('time slices of unwrapped values', () => {
  const H = 3_600_000_000_000n;
  const cases: {
    name: string;
    hours: Record<number, number>[];
    range: [bigint, bigint];
    want: [bigint, bigint][];
  }[] = [
    {
      name: 'few entries: one slice',
      hours: [{ 0: 10, 1: 10 }],
      range: [0n, 2n * H],
      want: [[0n, 2n * H]],
    },
    {
      name: 'cut at the hour that would pass the limit, streams summed',
      hours: [
        { 0: 60, 1: 30, 2: 50 },
        { 1: 20, 3: 90 },
      ],
      range: [H / 2n, 4n * H],
      want: [
        [H / 2n, H],
        [H, 3n * H],
        [3n * H, 4n * H],
      ],
    },
    {
      name: 'an hour over the limit alone, hours outside the range ignored',
      hours: [{ 0: 500, 5: 500, 6: 500, 9: 500 }],
      range: [5n * H, 7n * H],
      want: [
        [5n * H, 6n * H],
        [6n * H, 7n * H],
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const streams = c.hours.map((h) => ({
        hours: new Map(Object.entries(h).map(([k, v]) => [Number(k), v])),
      }));
      assert.deepEqual(timeSlices(streams, c.range[0], c.range[1], 100), c.want);
    });
  }
});
