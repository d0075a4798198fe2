import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { LogStore } from '../../../src/logs/store/index.js';
import type { LineFilter, StoredEntry } from '../../../src/logs/reader.js';
import {
  BlockBlooms,
  bloomTableDdl,
  buildBlooms,
  mergeSpans,
  spanTableDdl,
} from '../../../src/logs/store/block-blooms.js';
import {
  bloomHasAll,
  bloomTerms,
  buildBloom,
  trigramCodes,
} from '../../../src/logs/store/ngram-bloom.js';

const DAY = 86_400_000_000_000n;
const HOUR = 3_600_000_000_000n;
const MIN = 60_000_000_000n;
/** Two whole days: the first settled (blooms), the second written after. */
const DAY0 = 20_400n * DAY;
const DAY1 = DAY0 + DAY;

const STREAMS = ['a', 'b', 'c', 'd'].map((app) => ({ job: 'needle', app }));

/** The line of stream s, hour h, minute m: common words plus hex ids and numbers. */
function line(s: number, h: number, m: number): string {
  const id = ((s * 7919 + h * 104_729 + m * 15_485_863) >>> 0).toString(16).padStart(8, '0');
  return `level=info msg="request served" path=/api/v1/items status=200 user=u${(s * 31 + m) % 500} trace_id=${id}${id}`;
}

/** Special lines: where they go and what they say. */
const SPECIAL: { s: number; day: bigint; h: number; m: number; line: string }[] = [
  { s: 0, day: DAY0, h: 1, m: 5, line: 'level=warn msg="rare-token seen" status=503 user=u412' },
  { s: 2, day: DAY0, h: 3, m: 59, line: 'level=warn msg="Rare-Token seen" status=502 user=u433' },
  { s: 1, day: DAY0, h: 0, m: 0, line: 'alpha only in this block' },
  { s: 3, day: DAY0, h: 2, m: 30, line: 'beta only in that block' },
  { s: 1, day: DAY1, h: 2, m: 7, line: 'level=warn msg="rare-token late" status=500' },
  { s: 3, day: DAY0, h: 4, m: 1, line: `long ${'x'.repeat(3000)} rare-token` },
  { s: 2, day: DAY0, h: 0, m: 9, line: 'Kelvin \u212Aeep out: STATUS=503 user=U499 ca\u017Fe' },
  { s: 0, day: DAY0, h: 5, m: 11, line: 'deadbeefcafe0042 only hex' },
];

function entriesOf(day: bigint): { labels: (typeof STREAMS)[number]; ts: bigint; line: string }[] {
  const out: { labels: (typeof STREAMS)[number]; ts: bigint; line: string }[] = [];
  for (let s = 0; s < STREAMS.length; s++) {
    for (let h = 0; h < 6; h++) {
      for (let m = 0; m < 60; m += 3) {
        out.push({
          labels: STREAMS[s]!,
          ts: day + BigInt(h) * HOUR + BigInt(m) * MIN,
          line: line(s, h, m),
        });
      }
    }
  }
  for (const x of SPECIAL.filter((x) => x.day === day)) {
    out.push({
      labels: STREAMS[x.s]!,
      ts: x.day + BigInt(x.h) * HOUR + BigInt(x.m) * MIN + 1n,
      line: x.line,
    });
  }
  return out;
}

async function pushAll(store: LogStore, entries: ReturnType<typeof entriesOf>): Promise<void> {
  await store.push(
    STREAMS.map((labels) => ({
      labels,
      entries: entries
        .filter((e) => e.labels === labels)
        .map((e) => ({ timestamp: e.ts, line: e.line })),
    })),
  );
}

/** The `job="needle"` entries from DAY0 to `endNs` that pass `filters`, as sorted text. */
async function needles(
  store: LogStore,
  filters: LineFilter[],
  endNs: bigint,
  limit?: number,
): Promise<string[]> {
  const out: StoredEntry[] = [];
  for await (const batch of store.selectEntries({
    matchers: [{ name: 'job', type: '=', value: 'needle' }],
    filters,
    startNs: DAY0,
    endNs,
    direction: 'backward',
    limit,
  })) {
    out.push(...batch);
  }
  return out.map((e) => `${e.labels.app} ${e.timestamp} ${e.line}`).sort();
}

/** What a full scan returns: RE2 and JavaScript agree on these patterns. */
function expected(all: ReturnType<typeof entriesOf>, filters: LineFilter[]): string[] {
  const holds = (f: LineFilter, l: string): boolean => {
    const any = f.values.some((v) =>
      f.op === '|=' || f.op === '!='
        ? l.includes(v)
        : v.startsWith('(?i)')
          ? new RegExp(v.slice(4), 'iu').test(l)
          : new RegExp(v, 'u').test(l),
    );
    return f.op === '|=' || f.op === '|~' ? any : !any;
  };
  return all
    .filter((e) => filters.every((f) => holds(f, e.line)))
    .map((e) => `${e.labels.app} ${e.ts} ${e.line}`)
    .sort();
}

const CASES: { name: string; filters: LineFilter[] }[] = [
  { name: 'needle in settled and unsettled days', filters: [{ op: '|=', values: ['rare-token'] }] },
  { name: 'absent needle', filters: [{ op: '|=', values: ['no-such-words'] }] },
  { name: 'words split across blocks', filters: [{ op: '|=', values: ['alpha beta'] }] },
  { name: 'each of the split words', filters: [{ op: '|=', values: ['alpha', 'beta'] }] },
  { name: 'case-insensitive regex', filters: [{ op: '|~', values: ['(?i)rare-token'] }] },
  { name: '(?i) with k and s', filters: [{ op: '|~', values: ['(?i)keep out: status'] }] },
  { name: '(?i) with the long s', filters: [{ op: '|~', values: ['(?i)user=u499 case'] }] },
  {
    name: 'regex with a literal',
    filters: [{ op: '|~', values: ['status=50[23] .*user=u4[0-9]{2}'] }],
  },
  { name: 'negative filter does not prune', filters: [{ op: '!=', values: ['rare-token'] }] },
  {
    name: 'several filters',
    filters: [
      { op: '|=', values: ['seen'] },
      { op: '|~', values: ['(?i)rare'] },
      { op: '!=', values: ['Rare'] },
    ],
  },
  { name: 'hex-only needle', filters: [{ op: '|=', values: ['deadbeefcafe0042'] }] },
  { name: 'common words', filters: [{ op: '|=', values: ['request served'] }] },
];

describe('needle blooms', () => {
  let dir: string;
  let store: LogStore;
  const all = [...entriesOf(DAY0), ...entriesOf(DAY1)];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-needle-'));
    store = await LogStore.open({ dir });
    await pushAll(store, entriesOf(DAY0));
    await store.settle(0);
    await pushAll(store, entriesOf(DAY1));
  });

  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = (filters: LineFilter[], limit?: number): Promise<string[]> =>
    needles(store, filters, DAY1 + DAY, limit);

  for (const c of CASES) {
    it(`${c.name}: the same entries as a full scan`, async () => {
      const want = expected(all, c.filters);
      assert.deepEqual(await run(c.filters, 100_000), want);
      assert.ok(want.length <= 1000);
      assert.deepEqual(await run(c.filters, 1000), want);
      assert.deepEqual(await run(c.filters), want);
    });
  }

  it('counts needles in settled and unsettled days exactly', async () => {
    const buckets = await store.aggregateBuckets({
      matchers: [{ name: 'job', type: '=', value: 'needle' }],
      filters: [{ op: '|=', values: ['rare-token'] }],
      startNs: DAY0,
      endNs: DAY1 + DAY,
      originNs: DAY0,
      bucketNs: 2n * DAY,
    });
    const total = buckets.reduce(
      (n, b) => n + [...b.buckets.values()].reduce((m, x) => m + x.count, 0),
      0,
    );
    assert.equal(total, expected(all, [{ op: '|=', values: ['rare-token'] }]).length);
  });

  it('stays exact while a day being written has its new rows indexed', async () => {
    const filters: LineFilter[] = [{ op: '|=', values: ['rare-token'] }];
    // DAY1 was written after the settle: an hour-long idle limit indexes it instead.
    assert.deepEqual(await store.settle(3_600_000), []);
    assert.deepEqual(await run(filters, 100), expected(all, filters));
    const more = [
      {
        labels: STREAMS[2]!,
        ts: DAY1 + 2n * HOUR + 7n * MIN + 1n,
        line: 'rare-token beside an indexed one',
      },
      { labels: STREAMS[3]!, ts: DAY1 + 9n * HOUR, line: 'a new hour with a rare-token' },
      { labels: STREAMS[0]!, ts: DAY1 + 3n * HOUR + 5n, line: 'plain words only' },
    ];
    await pushAll(store, more);
    all.push(...more);
    for (const c of CASES)
      assert.deepEqual(await run(c.filters, 100_000), expected(all, c.filters), c.name);
    assert.deepEqual(await store.settle(3_600_000), []);
    for (const c of CASES)
      assert.deepEqual(await run(c.filters, 100_000), expected(all, c.filters), c.name);
  });

  it('stays exact after a late write into the settled day, and prunes again once resettled', async () => {
    const late = { labels: STREAMS[0]!, ts: DAY0 + 2n * HOUR + 1n, line: 'a late rare-token line' };
    await pushAll(store, [late]);
    all.push(late);
    const filters: LineFilter[] = [{ op: '|=', values: ['rare-token'] }];
    assert.deepEqual(await run(filters, 100), expected(all, filters));
    await store.settle(0);
    assert.deepEqual(await run(filters, 100), expected(all, filters));
  });
});

describe('needle blooms of a day written before spans were recorded', () => {
  it('reads such a day whole until its rows have blocks, then prunes it exactly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-needle-old-'));
    try {
      let store = await LogStore.open({ dir });
      const day = entriesOf(DAY0);
      await pushAll(store, day);
      await store.close();
      // What older obs left: rows loaded, blooms deleted by the load, no span table.
      const file = path.join(dir, `day-${DAY0 / DAY}.duckdb`);
      const instance = await DuckDBInstance.create(file);
      const conn = await instance.connect();
      await conn.run('DROP TABLE unbloomed');
      await conn.run('DELETE FROM blooms');
      conn.closeSync();
      instance.closeSync();
      store = await LogStore.open({ dir });
      const filters: LineFilter[] = [{ op: '|=', values: ['rare-token'] }];
      const run = (): Promise<string[]> => needles(store, filters, DAY0 + DAY);
      assert.deepEqual(await run(), expected(day, filters));
      // Written within the idle limit: indexed, not rewritten.
      await pushAll(store, [
        { labels: STREAMS[1]!, ts: DAY0 + 7n * HOUR, line: 'rare-token again' },
      ]);
      day.push({ labels: STREAMS[1]!, ts: DAY0 + 7n * HOUR, line: 'rare-token again' });
      assert.deepEqual(await store.settle(3_600_000), []);
      assert.deepEqual(await run(), expected(day, filters));
      await store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Day 1 in memory, as `d1`: its tables, with no rows, blocks or spans. */
async function attachMemoryDay(conn: DuckDBConnection): Promise<void> {
  await conn.run("ATTACH ':memory:' AS d1");
  await conn.run(
    'CREATE TABLE d1.entries (stream_id INTEGER, ts BIGINT, bytes INTEGER, line VARCHAR, metadata VARCHAR)',
  );
  await conn.run('CREATE TABLE d1.entries_long AS SELECT * FROM d1.entries');
  await conn.run(bloomTableDdl('d1'));
  await conn.run(spanTableDdl('d1'));
}

describe('block blooms', () => {
  it('narrow a settled day to the blocks that can match, and only for positive filters', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      await attachMemoryDay(conn);
      // Stream 1: hours 0-3; the needle only in hour 2. Stream 2: hour 0 only.
      await conn.run(
        `INSERT INTO d1.entries SELECT 1 + (i >= 40000)::INT, (i % 40000) * ${HOUR / 10_000n}, 10, ` +
          `CASE WHEN i = 25000 THEN 'zebra crossing' ELSE 'level=info n=' || i END, NULL FROM range(50000) t(i)`,
      );
      await buildBlooms(conn, 'd1');
      const blocks = await conn.runAndReadAll('SELECT count(*) FROM d1.blooms');
      assert.ok(Number(blocks.getRows()[0]![0]) >= 5, 'an hour of 10000 rows is cut into blocks');
      const blooms = new BlockBlooms();
      const sql = (filters: LineFilter[], ids = [1, 2]): Promise<string | undefined> =>
        blooms.daySql(conn, 1, ids, filters, 0n, DAY);
      const zebra = await sql([{ op: '|=', values: ['zebra'] }]);
      assert.equal(zebra?.match(/stream_id = /g)?.length, 1, zebra);
      const r = await conn.runAndReadAll(
        `SELECT count(*) FROM (${zebra}) WHERE contains(line, 'zebra')`,
      );
      assert.equal(Number(r.getRows()[0]![0]), 1);
      assert.equal(
        await sql([{ op: '|=', values: ['zebra'] }], [2]),
        'SELECT stream_id, ts, bytes, line, metadata FROM d1.entries_long',
      );
      assert.equal(await sql([{ op: '!=', values: ['zebra'] }]), undefined);
      assert.equal(
        await sql([{ op: '|=', values: ['zebra', '00'] }]),
        undefined,
        'an alternative without trigrams',
      );
      const info = await sql([{ op: '|=', values: ['level=info'] }]);
      assert.equal(info?.match(/stream_id = /g)?.length, 2, 'runs of blocks of one stream merge');
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});

describe('block blooms of a day still being written', () => {
  /** Each row of stream s at minute m of the day: one word per row, `zebra` in a few. */
  const rowsSql = (from: number, to: number, zebraEvery: number): string =>
    `SELECT 1 + (i % 2)::INT, i * ${MIN}, 10, CASE WHEN i % ${zebraEvery} = 0 THEN 'zebra ' || i ELSE 'plain ' || i END, NULL ` +
    `FROM range(${from}, ${to}) t(i)`;

  it('reads spans loaded since the blocks whole, blocks elsewhere, and each row once', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const blooms = new BlockBlooms();
    const zebras = async (): Promise<{
      sql: string;
      rows: number;
      distinct: number;
      read: number;
    }> => {
      blooms.invalidate(1);
      const sql = await blooms.daySql(conn, 1, [1, 2], [{ op: '|=', values: ['zebra'] }], 0n, DAY);
      assert.ok(sql, 'the day is narrowed');
      const r = await conn.runAndReadAll(
        `SELECT count(*) FILTER (WHERE contains(line, 'zebra')), count(DISTINCT (stream_id, ts, line)) FILTER (WHERE contains(line, 'zebra')), count(*) FROM (${sql})`,
      );
      const [rows, distinct, read] = r.getRows()[0]!.map(Number) as [number, number, number];
      return { sql, rows, distinct, read };
    };
    const want = async (): Promise<number> => {
      const r = await conn.runAndReadAll(
        "SELECT count(*) FROM d1.entries WHERE contains(line, 'zebra')",
      );
      return Number(r.getRows()[0]![0]);
    };
    try {
      await attachMemoryDay(conn);
      // Settled: minutes 0-299, a zebra every 97 minutes.
      await conn.run(`INSERT INTO d1.entries ${rowsSql(0, 300, 97)}`);
      await buildBlooms(conn, 'd1');
      // Loaded since: late rows inside the settled hours and new ones after, as two spans.
      await conn.run(
        `INSERT INTO d1.entries SELECT 1, ts + 1, 10, 'zebra late', NULL FROM d1.entries WHERE ts IN (${10n * MIN}, ${200n * MIN})`,
      );
      await conn.run(`INSERT INTO d1.unbloomed VALUES (${10n * MIN + 1n}, ${200n * MIN + 1n})`);
      // 60,000 rows over the next 100 minutes, two of them with a zebra.
      await conn.run(
        `INSERT INTO d1.entries SELECT 1 + (i % 2)::INT, ${300n * MIN} + i * 100000000, 10, ` +
          `CASE WHEN i IN (12345, 45678) THEN 'zebra ' || i ELSE 'plain ' || i END, NULL FROM range(60000) t(i)`,
      );
      await conn.run(
        `INSERT INTO d1.unbloomed VALUES (${300n * MIN}, ${360n * MIN}), (${340n * MIN}, ${400n * MIN})`,
      );
      const before = await zebras();
      assert.equal(before.rows, await want());
      assert.equal(before.distinct, before.rows, 'no row read twice');
      assert.match(
        before.sql,
        /WHERE ts BETWEEN .* AND NOT \(stream_id = /,
        'spans leave out the blocks read',
      );
      // Indexing the spans: blocks overlapping the settled ones, still each row once.
      await buildBlooms(
        conn,
        'd1',
        mergeSpans([
          { minTs: 10n * MIN + 1n, maxTs: 200n * MIN + 1n },
          { minTs: 300n * MIN, maxTs: 400n * MIN },
        ]),
      );
      await conn.run('DELETE FROM d1.unbloomed');
      const after = await zebras();
      assert.equal(after.rows, await want());
      assert.equal(after.distinct, after.rows, 'no row read twice');
      assert.ok(
        after.read < before.read / 2,
        `slices read instead of spans: ${before.read} -> ${after.read} rows`,
      );
      assert.equal(
        await blooms.daySql(conn, 1, [1, 2], [{ op: '|=', values: ['nothing-like-it'] }], 0n, DAY),
        'SELECT stream_id, ts, bytes, line, metadata FROM d1.entries_long',
      );
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it('merges spans that overlap or touch', () => {
    assert.deepEqual(
      mergeSpans([
        { minTs: 10n, maxTs: 20n },
        { minTs: 0n, maxTs: 5n },
        { minTs: 21n, maxTs: 30n },
        { minTs: 15n, maxTs: 18n },
        { minTs: 40n, maxTs: 41n },
      ]),
      [
        { minTs: 0n, maxTs: 5n },
        { minTs: 10n, maxTs: 30n },
        { minTs: 40n, maxTs: 41n },
      ],
    );
  });
});

describe('trigram blooms', () => {
  const cases: { text: string; ci?: boolean; want: string[] }[] = [
    { text: 'rare-token', want: ['rar', 'are', 'tok', 'oke', 'ken'] },
    { text: 'Rare', want: ['rar', 'are'] },
    { text: 'deadbeef 1234 ab', want: [] },
    { text: 'u412', want: ['u41'] },
    { text: 'Keep', ci: true, want: ['eep'] },
    { text: 'Keep', want: ['kee', 'eep'] },
    { text: 'café', want: [] },
  ];
  for (const c of cases) {
    it(`indexes ${JSON.stringify(c.text)}${c.ci ? ' (?i)' : ''}`, () => {
      const code = (t: string): number =>
        (t.charCodeAt(0) << 14) | (t.charCodeAt(1) << 7) | t.charCodeAt(2);
      assert.deepEqual([...trigramCodes(c.text, c.ci)].sort(), c.want.map(code).sort());
    });
  }

  it('has no false negatives and few false positives', () => {
    const inSet = new Set<number>();
    for (let i = 0; i < 2000; i++) trigramCodes(`w${i}x q${i * 7}z`, false, inSet);
    const bloom = buildBloom(inSet);
    for (const code of inSet) assert.ok(bloomHasAll(bloom, [code]));
    let fp = 0;
    const probe = [...trigramCodes(Array.from({ length: 3000 }, (_, i) => `y${i}v`).join(' '))];
    for (const code of probe) if (!inSet.has(code) && bloomHasAll(bloom, [code])) fp++;
    assert.ok(fp / probe.length < 0.03, `false positive rate ${fp / probe.length}`);
  });

  it('turns filters into terms', () => {
    assert.equal(bloomTerms([{ op: '!~', values: ['rare'] }]).length, 0);
    assert.equal(bloomTerms([{ op: '|~', values: ['ra(re|x)'] }]).length, 0);
    assert.equal(bloomTerms([{ op: '|=', values: ['rare', 'token'] }])[0]!.length, 2);
  });
});
