import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runQuery } from '../../../src/logs/logql/index.js';
import type { ExtractedRequest, LogReader } from '../../../src/logs/reader.js';
import type { LogStream } from '../../../src/logs/sink.js';
import { LogStore } from '../../../src/logs/store/index.js';
import { rng } from '../../support/rng.js';
import { withoutExtraction } from '../without-extraction.js';

const S = 1_000_000_000n;
const BASE = 1_763_000_400n * S;

/** Five streams over 40 minutes, entries at random nanoseconds, some on whole seconds. */
function streams(): LogStream[] {
  const r = rng(11);
  const levels = ['info', 'warn', 'error'];
  return ['a', 'b', 'c', 'd', 'e'].map((app, n) => ({
    labels: { app, env: n % 2 ? 'dev' : 'prod' },
    entries: Array.from({ length: 400 }, (_, i) => {
      const at = BigInt(Math.floor(r() * 2400)) * S + (i % 5 === 0 ? 0n : BigInt(i * 7919));
      const level = levels[Math.floor(r() * levels.length)]!;
      return { timestamp: BASE + at, line: `level=${level} msg="m ${i}" n=${i}` };
    }),
  }));
}

/** Records whether storage answered per window. */
function watching(r: LogReader): { reader: LogReader; windowed: () => boolean } {
  let windowed = false;
  const reader: LogReader = {
    ...withoutExtraction(r),
    extractedAggregation: async (req: ExtractedRequest) => {
      const out = await r.extractedAggregation!(req);
      if (req.windows && out?.every((s) => s.windows)) windowed = true;
      return out;
    },
  };
  return { reader, windowed: () => windowed };
}

async function matrix(reader: LogReader, query: string, step: bigint, startS: bigint) {
  const r = await runQuery(reader, {
    query,
    startNs: BASE + startS * S,
    endNs: BASE + 2400n * S,
    stepNs: step * S,
    instant: false,
    direction: 'backward',
    limit: 100,
    maxSeries: 1000,
  });
  assert.equal(r.type, 'matrix');
  return r.series
    .map((s) => ({ key: JSON.stringify(Object.entries(s.labels).sort()), points: s.points }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
}

type Matrix = Awaited<ReturnType<typeof matrix>>;

/** Same series and times; values to 1e-12 relative (a vector sum may add series in any order). */
function assertSame(actual: Matrix, expected: Matrix, query: string): void {
  const times = (m: Matrix) => m.map((s) => [s.key, s.points.map(([t]) => t)]);
  assert.deepEqual(times(actual), times(expected), query);
  actual.forEach((s, i) =>
    s.points.forEach(([, v], j) => {
      const want = expected[i]!.points[j]![1];
      assert.ok(Math.abs(v - want) <= 1e-12 * Math.abs(want), `${query}: ${v} vs ${want}`);
    }),
  );
}

// [query, step s, start s]: ranges multiple of, longer and shorter than the step, offsets.
const CASES: [string, bigint, bigint][] = [
  ['sum by (env) (rate({app=~".+"} |= "error" [5m]))', 86n, 0n],
  ['count_over_time({app="a"} |= "level" [1m])', 300n, 7n],
  ['bytes_over_time({env="dev"} != "warn" [150s] offset 7m)', 60n, 600n],
  ['sum(bytes_rate({app=~"a|c|e"} |~ "n=[0-9]*7" [10m]))', 45n, 3n],
  ['absent_over_time({app="b"} |= "no such text" [2m])', 120n, 0n],
  ['sum by (level) (count_over_time({app=~".+"} |= "msg" | logfmt [150s]))', 60n, 0n],
  ['sum by (level) (count_over_time({env="prod"} | logfmt [7m] offset 1m))', 100n, 30n],
];

describe('storage window totals equal the bucketed and staged answers', () => {
  let dir: string;
  let store: LogStore;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-windows-'));
    store = await LogStore.open({ dir });
    await store.push(streams());
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const [query, step, start] of CASES) {
    it(`${query} step ${step}s`, async () => {
      const expected = await matrix(withoutExtraction(store), query, step, start);
      assert.ok(expected.length > 0, 'case has data');
      const { reader, windowed } = watching(store);
      assertSame(await matrix(reader, query, step, start), expected, query);
      assert.ok(windowed(), 'answered per window');
    });
  }
});
