import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareEntries, type OrderedEntry } from '../../support/entry-order.js';
import {
  nextWindowRows,
  scanInWindows,
  WindowPlan,
  type ScanDensity,
  type ScanWindow,
} from '../../../src/logs/store/scan-windows.js';

const HOUR = 3_600_000_000_000n;
const H0 = 490_000n * HOUR;

/** Entries per hour with no known span: hours are taken as filled throughout. */
function density(perHour: [number, number][], span?: [bigint, bigint]): ScanDensity {
  return {
    perHour: new Map(perHour),
    dataStartNs: span?.[0] ?? -(2n ** 63n),
    dataEndNs: span?.[1] ?? 2n ** 63n,
  };
}

/** Takes windows of `rows` entries until the plan is done. */
function tile(plan: WindowPlan, rows: (i: number) => number): ScanWindow[] {
  const out: ScanWindow[] = [];
  for (let i = 0; !plan.done; i++) out.push(plan.take(rows(i))!);
  assert.equal(plan.take(1), undefined);
  return out;
}

/** The windows cover [start, end) exactly, in scan order, each non-empty. */
function assertTiles(windows: ScanWindow[], start: bigint, end: bigint, backward: boolean): void {
  const ordered = backward ? [...windows].reverse() : windows;
  assert.equal(ordered[0]!.startNs, start);
  assert.equal(ordered.at(-1)!.endNs, end);
  for (let i = 0; i < ordered.length; i++) {
    assert.ok(ordered[i]!.startNs < ordered[i]!.endNs, `window ${i} is empty`);
    if (i > 0) assert.equal(ordered[i]!.startNs, ordered[i - 1]!.endNs, `gap before window ${i}`);
  }
}

describe('WindowPlan', () => {
  const cases: {
    why: string;
    perHour: [number, number][];
    span?: [bigint, bigint];
    start: bigint;
    end: bigint;
    rows: (i: number) => number;
  }[] = [
    {
      why: 'dense hours, small windows cut inside hours',
      perHour: [0, 1, 2, 3, 4, 5].map((h) => [490_000 + h, 3600]),
      start: H0,
      end: H0 + 6n * HOUR,
      rows: () => 500,
    },
    {
      why: 'range starting and ending inside hours',
      perHour: [0, 1, 2].map((h) => [490_000 + h, 1000]),
      start: H0 + HOUR / 3n,
      end: H0 + 2n * HOUR + 7n,
      rows: (i) => 100 * 2 ** i,
    },
    {
      why: 'no counts at all: one window over the whole range',
      perHour: [],
      start: H0,
      end: H0 + 30n * 24n * HOUR,
      rows: () => 100,
    },
    {
      why: 'sparse hours far apart, with hours outside the range',
      perHour: [
        [489_000, 50],
        [490_001, 10],
        [490_500, 10],
        [491_000, 50],
      ],
      start: H0,
      end: H0 + 600n * HOUR,
      rows: () => 15,
    },
    {
      why: 'more entries wanted than a nanosecond can hold: windows still advance',
      perHour: [[490_000, 1e15]],
      start: H0,
      end: H0 + 10n,
      rows: () => 1,
    },
    {
      why: 'data span narrower than its hours, range wider than the data',
      perHour: [
        [490_000, 500],
        [490_001, 500],
      ],
      span: [H0 + HOUR / 2n, H0 + HOUR + HOUR / 4n],
      start: H0 - HOUR,
      end: H0 + 3n * HOUR,
      rows: () => 120,
    },
    {
      why: 'stale span (data deleted since): still tiles',
      perHour: [[490_004, 500]],
      span: [H0, H0 + HOUR],
      start: H0,
      end: H0 + 6n * HOUR,
      rows: () => 120,
    },
    {
      why: 'negative hours (before 1970)',
      perHour: [
        [-2, 100],
        [-1, 100],
      ],
      start: -2n * HOUR,
      end: 0n,
      rows: () => 30,
    },
  ];
  for (const c of cases) {
    for (const backward of [false, true]) {
      it(`${c.why} (${backward ? 'backward' : 'forward'})`, () => {
        const plan = new WindowPlan(density(c.perHour, c.span), c.start, c.end, backward);
        assertTiles(tile(plan, c.rows), c.start, c.end, backward);
      });
    }
  }

  it('sizes windows from the hourly counts, assuming even spread within an hour', () => {
    const plan = new WindowPlan(density([[490_000, 3600]]), H0, H0 + HOUR, true);
    assert.deepEqual(plan.take(600), { startNs: H0 + (5n * HOUR) / 6n, endNs: H0 + HOUR });
    assert.equal(plan.planned, 600);
    assert.deepEqual(plan.take(1800), {
      startNs: H0 + (2n * HOUR) / 6n,
      endNs: H0 + (5n * HOUR) / 6n,
    });
    assert.deepEqual(plan.take(5000), { startNs: H0, endNs: H0 + (2n * HOUR) / 6n });
    assert.equal(plan.planned, 3600);
  });

  it('spreads an hour only over the part the data spans', () => {
    // The newest hour is filled only up to the newest entry: the first window
    // holds its last 600 of 1800 entries, not an empty stretch after them.
    const newest = H0 + HOUR / 2n;
    const plan = new WindowPlan(density([[490_000, 1800]], [H0, newest]), H0, H0 + HOUR, true);
    assert.deepEqual(plan.take(600), { startNs: H0 + HOUR / 3n, endNs: H0 + HOUR });
    assert.equal(plan.planned, 600);
  });

  it('skips empty hours: a window spans the gap to the next hour holding entries', () => {
    const plan = new WindowPlan(
      density([
        [490_000, 100],
        [490_010, 100],
      ]),
      H0,
      H0 + 11n * HOUR,
      false,
    );
    assert.deepEqual(plan.take(100), { startNs: H0, endNs: H0 + HOUR });
    assert.deepEqual(plan.take(50), { startNs: H0 + HOUR, endNs: H0 + 10n * HOUR + HOUR / 2n });
  });
});

describe('nextWindowRows', () => {
  const base = { windowMatches: 40_000, found: 0, planned: 0, last: undefined, filtered: false };
  const cases: { why: string; s: Parameters<typeof nextWindowRows>[0]; rows: number }[] = [
    {
      why: 'first, limited, unfiltered: the limit with slack',
      s: { ...base, limit: 100 },
      rows: 264,
    },
    {
      why: 'first, limited, filtered: a cheap scan of some thousands',
      s: { ...base, limit: 100, filtered: true },
      rows: 16_384,
    },
    {
      why: 'first, limited, filtered, big limit: four times the limit',
      s: { ...base, limit: 10_000, filtered: true },
      rows: 40_000,
    },
    { why: 'first, unlimited', s: { ...base, limit: undefined }, rows: 8192 },
    {
      why: 'limited, nothing found yet: grows eightfold',
      s: { ...base, limit: 100, filtered: true, planned: 16_384, last: 16_384 },
      rows: 131_072,
    },
    {
      why: 'limited, density seen: twice what the rest of the limit needs',
      s: { ...base, limit: 100, found: 25, planned: 16_000, last: 16_000 },
      rows: 96_000,
    },
    {
      why: 'limited, nearly there: still at least doubles',
      s: { ...base, limit: 100, found: 99, planned: 16_000, last: 16_000 },
      rows: 32_000,
    },
    {
      why: 'unlimited, dense: about windowMatches matches',
      s: { ...base, limit: undefined, found: 8192, planned: 8192, last: 8192 },
      rows: 40_000,
    },
    {
      why: 'unlimited, sparse: growth capped at eightfold',
      s: { ...base, limit: undefined, found: 10, planned: 8192, last: 8192, filtered: true },
      rows: 65_536,
    },
    {
      why: 'unlimited, denser than expected: shrinks, not below 1024',
      s: { ...base, windowMatches: 100, limit: undefined, found: 8192, planned: 8192, last: 8192 },
      rows: 1024,
    },
  ];
  for (const c of cases) it(c.why, () => assert.equal(nextWindowRows(c.s), c.rows));
});

describe('scanInWindows', () => {
  /** Entries of 4 streams over 6 hours at `perHour` per stream-hour; ts coarse so that many tie. */
  type E = OrderedEntry;
  function corpus(perHour: number, needles: number[]): E[] {
    const out: E[] = [];
    for (let h = 0; h < 6; h++) {
      for (let s = 0; s < 4; s++) {
        for (let i = 0; i < perHour; i++) {
          // Ten distinct timestamps per hour: whole groups of ties on either side of each edge.
          const ts = H0 + BigInt(h) * HOUR + (BigInt(i % 10) * HOUR) / 10n;
          const n = out.length;
          out.push({ ts, stream: s, line: needles.includes(n) ? `needle ${n}` : `line ${n}` });
        }
      }
    }
    return out;
  }
  const cmp = compareEntries;

  const cases: {
    why: string;
    needles: number[] | undefined;
    limit: number | undefined;
    maxWindows: number;
  }[] = [
    { why: 'limit hit in the first window', needles: undefined, limit: 50, maxWindows: 2 },
    {
      why: 'limit bigger than the data: never hit',
      needles: undefined,
      limit: 60_000,
      maxWindows: 2,
    },
    { why: 'needle, limit never hit', needles: [3, 20_000, 47_900], limit: 100, maxWindows: 2 },
    {
      why: 'needle, limit hit on the last needle',
      needles: [5, 25_000, 40_000],
      limit: 3,
      maxWindows: 2,
    },
    { why: 'unlimited, read to the end', needles: undefined, limit: undefined, maxWindows: 11 },
  ];
  for (const c of cases) {
    for (const backward of [false, true]) {
      it(`${c.why} (${backward ? 'backward' : 'forward'})`, async () => {
        const all = corpus(2000, c.needles ?? []);
        const matches = all.filter((e) => c.needles === undefined || e.line.startsWith('needle'));
        const sorted = [...matches].sort((a, b) => (backward ? cmp(b, a) : cmp(a, b)));
        const expected = c.limit === undefined ? sorted : sorted.slice(0, c.limit);
        const perHour = new Map<number, number>();
        for (const e of all) {
          const h = Number(e.ts / HOUR);
          perHour.set(h, (perHour.get(h) ?? 0) + 1);
        }
        const windows: ScanWindow[] = [];
        const got: E[] = [];
        const opts = {
          density: density([...perHour]),
          startNs: H0,
          endNs: H0 + 6n * HOUR,
          backward,
          limit: c.limit,
          topN: c.limit !== undefined,
          filtered: c.needles !== undefined,
          windowMatches: 5000,
        };
        for await (const batch of scanInWindows(opts, async function* (w, limit) {
          windows.push(w);
          const inside = matches
            .filter((e) => e.ts >= w.startNs && e.ts < w.endNs)
            .sort((a, b) => (backward ? cmp(b, a) : cmp(a, b)));
          yield limit === undefined ? inside : inside.slice(0, limit);
        }))
          got.push(...batch);
        assert.deepEqual(got, expected);
        assert.ok(
          windows.length <= c.maxWindows,
          `${windows.length} windows: ${windows.map((w) => `${w.startNs - H0}..${w.endNs - H0}`).join(' ')}`,
        );
      });
    }
  }

  it('stops when the signal aborts', async () => {
    const stop = new AbortController();
    let scans = 0;
    const opts = {
      density: density([[490_000, 1_000_000]]),
      startNs: H0,
      endNs: H0 + HOUR,
      backward: false,
      limit: undefined,
      topN: false,
      filtered: false,
      windowMatches: 1000,
      signal: stop.signal,
    };
    for await (const batch of scanInWindows(opts, async function* () {
      scans++;
      yield [scans];
    })) {
      assert.deepEqual(batch, [1]);
      stop.abort();
    }
    assert.equal(scans, 1);
  });
});
