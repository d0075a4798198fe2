import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LogStore } from '../../../src/logs/store/index.js';
import type { LineFilter, SelectLogsRequest } from '../../../src/logs/reader.js';
import { compareEntries } from '../../support/entry-order.js';

const DAY = 86_400_000_000_000n;
const HOUR = 3_600_000_000_000n;
/** Midnight between the two days: the last 3 hours of DAY0 (settled) and the first 3 of DAY1 (not). */
const MIDNIGHT = 20_500n * DAY;
const START = MIDNIGHT - 3n * HOUR;
const END = MIDNIGHT + 3n * HOUR;
/** 8192 timestamps per hour, shared by both streams: 16,384 entries an hour, so windows cut on ties. */
const TICK = HOUR / 8192n;

interface Entry {
  stream: number;
  ts: bigint;
  line: string;
}

const STREAMS = [
  { job: 'win', app: 'a' },
  { job: 'win', app: 'b' },
];

/**
 * Every entry, by tick k of the 6 hours: two per tick, so that each hour holds
 * 16,384 and the windows' cuts (sized from those counts) fall on ticks. At
 * some ticks stream a has both, tied on (ts, stream) and ordered by line.
 */
function corpus(): Entry[] {
  const out: Entry[] = [];
  for (let k = 0; k < 6 * 8192; k++) {
    const ts = START + BigInt(k) * TICK;
    if (k % 97 === 0) {
      out.push({ stream: 0, ts, line: `level=warn k=${k} s=0 again` });
      out.push({ stream: 0, ts, line: `level=info k=${k} s=0` });
      continue;
    }
    for (let s = 0; s < 2; s++) {
      const needle = (k * 2 + s) % 9001 === 17;
      out.push({ stream: s, ts, line: `${needle ? 'needle' : 'level=info'} k=${k} s=${s}` });
    }
  }
  return out;
}

/** What the store must return: matching entries in (ts, stream, line) order. */
function expected(all: Entry[], req: Partial<SelectLogsRequest>, contains?: string): string[] {
  const start = req.startNs ?? START;
  const end = req.endNs ?? END;
  const dir = req.direction === 'backward' ? -1 : 1;
  const got = all
    .filter((e) => e.ts >= start && e.ts < end && (!contains || e.line.includes(contains)))
    .sort((a, b) => dir * compareEntries(a, b))
    .map((e) => `${e.ts - START} ${e.line}`);
  return req.limit === undefined ? got : got.slice(0, req.limit);
}

describe('LogStore ordered selects, window by window', () => {
  let dir: string;
  let store: LogStore;
  const all = corpus();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-windowed-'));
    store = await LogStore.open({ dir });
    const push = async (entries: Entry[]): Promise<void> => {
      await store.push(
        STREAMS.map((labels, s) => ({
          labels,
          entries: entries
            .filter((e) => e.stream === s)
            .map((e) => ({ timestamp: e.ts, line: e.line })),
        })),
      );
    };
    await push(all.filter((e) => e.ts < MIDNIGHT));
    assert.equal((await store.settle(0)).length, 1, 'the first day is settled (blooms)');
    await push(all.filter((e) => e.ts >= MIDNIGHT));
  });

  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const needle: LineFilter = { op: '|=', values: ['needle'] };
  const cases: { why: string; req: Partial<SelectLogsRequest>; contains?: string }[] = [
    { why: 'limit hit in the first window', req: { limit: 100 } },
    { why: 'limit just past the first half hour of ties', req: { limit: 8192 * 2 + 200 } },
    { why: 'limit above the top-N bound: bounded windows', req: { limit: 30_000 } },
    { why: 'no limit: every entry across the days', req: {} },
    { why: 'needle, limit never hit', req: { limit: 100, filters: [needle] }, contains: 'needle' },
    { why: 'needle, limit hit', req: { limit: 4, filters: [needle] }, contains: 'needle' },
    {
      why: 'frequent regex, limit needs a second window',
      req: { limit: 5000, filters: [{ op: '|~', values: ['level=warn k=[0-9]+ s=0'] }] },
      contains: 's=0 again',
    },
    {
      why: 'range inside hours, across midnight',
      req: {
        startNs: MIDNIGHT - HOUR / 3n - 5n,
        endNs: MIDNIGHT + TICK * 1000n + 1n,
        limit: 9000,
      },
    },
    {
      why: 'range ending on a tie: end exclusive',
      req: { startNs: MIDNIGHT - TICK * 10n, endNs: MIDNIGHT + TICK * 10n, limit: 50 },
    },
  ];
  async function check(
    req: Partial<SelectLogsRequest> & Pick<SelectLogsRequest, 'direction'>,
    contains?: string,
  ): Promise<void> {
    const got: string[] = [];
    for await (const batch of store.selectEntries({
      matchers: [{ type: '=', name: 'job', value: 'win' }],
      filters: [],
      startNs: START,
      endNs: END,
      ...req,
    })) {
      for (const e of batch) got.push(`${e.timestamp - START} ${e.line}`);
    }
    const want = expected(all, req, contains);
    assert.ok(want.length > 0);
    assert.equal(got.length, want.length);
    assert.deepEqual(got, want);
  }

  for (const c of cases) {
    for (const direction of ['forward', 'backward'] as const) {
      it(`${c.why} (${direction})`, () => check({ ...c.req, direction }, c.contains));
    }
  }

  it('after a restart (hourly counts and spans reloaded from the days)', async () => {
    await store.close();
    store = await LogStore.open({ dir });
    for (const c of cases.slice(0, 3)) {
      for (const direction of ['forward', 'backward'] as const) {
        await check({ ...c.req, direction }, c.contains);
      }
    }
  });
});
