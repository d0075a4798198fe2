import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { runQuery, type QueryResult } from '../../../src/logs/logql/index.js';
import { findLogfmtValues } from '../../../src/logs/logql/logfmt-decoder.js';
import type { ExtractedRequest, ExtractedSeries, LogReader } from '../../../src/logs/reader.js';
import type { LogStream } from '../../../src/logs/sink.js';
import { LogStore } from '../../../src/logs/store/index.js';
import { StreamCatalog } from '../../../src/logs/store/catalog.js';
import { EntryWriter, INDEX_SLICE_NS } from '../../../src/logs/store/entry-writer.js';
import { extractedAggregation } from '../../../src/logs/store/extracted-aggregation.js';
import { LEVEL_COLUMN } from '../../../src/logs/store/level-column.js';
import { partitionDb, partitionTable } from '../../../src/logs/store/partitions.js';
import { sqlString } from '../../../src/logs/store/sql.js';
import { MemoryLogReader } from '../../support/memory-log-reader.js';
import { countingExtractions, withoutExtraction } from '../without-extraction.js';

const S = 1_000_000_000n;
const DAY = 20_400;
const BASE = BigInt(DAY) * 86_400n * S + 3_600n * S;

/** Lines whose `level` the column must give exactly as the logfmt stage, or leave NULL. */
const LEVEL_LINES = [
  'level=info msg=ok',
  'level=warn msg="quoted level=error inside"',
  'msg="a \\"q\\" level=fake b" level=debug',
  'level="with space" x=1',
  'level="esc\\"aped" x=2',
  'level= x=3',
  'level=info level=error',
  'level=error level=',
  'level=a=b',
  'xlevel=foo',
  'foo="unterminated level=zzz',
  'level=info\tpath=/tab',
  'level=ünï',
  'a="x level=odd',
  'a="x" b="y" level=even',
  'level=""',
  '',
  'no pairs at all',
  '{"level":"info","msg":"json line"}',
  '{"msg":"json with level=warn inside a string"}',
  `level=${'v'.repeat(80)}`,
  'level="tab\there" x=4',
  'level="nul\u0000" x=5',
];

/** Without the escaped value, which makes storage decline (the stages answer instead). */
const DECIDABLE = LEVEL_LINES.filter((l) => !l.startsWith('level="esc'));

function streams(offsetS: bigint): LogStream[] {
  const make = (labels: Record<string, string>, lines: string[], every: bigint): LogStream => ({
    labels,
    entries: Array.from({ length: 120 }, (_, i) => ({
      timestamp: BASE + offsetS * S + BigInt(i) * every + BigInt(i % 3),
      line: lines[(i + Number(every / S)) % lines.length]!,
    })),
  });
  return [
    make({ job: 'a', env: 'prod' }, LEVEL_LINES, 7n * S),
    make({ job: 'a', env: 'dev' }, DECIDABLE, 5n * S),
    make({ job: 'a', env: 'qa' }, [...DECIDABLE].reverse(), 3n * S),
    // `level` is a stream label here: the extracted label is level_extracted, storage declines.
    make({ job: 'b', level: 'stream' }, DECIDABLE, 11n * S),
    // The day before, with other levels: another ENUM for the column.
    {
      labels: { job: 'a', env: 'old' },
      entries: Array.from({ length: 90 }, (_, i) => ({
        timestamp: BASE - 7_200n * S + offsetS * S + BigInt(i) * 60n * S,
        line: ['level=zeta x=1', 'level=alpha', 'level=info msg="old day"'][i % 3]!,
      })),
    },
  ];
}

type Outcome = { error: string } | { series: string[] };

async function outcome(reader: LogReader, query: string): Promise<Outcome> {
  let r: QueryResult;
  try {
    r = await runQuery(reader, {
      query,
      startNs: BASE - 7_200n * S,
      endNs: BASE + 3_000n * S,
      stepNs: 60n * S,
      instant: false,
      direction: 'backward',
      limit: 100,
      maxSeries: 1000,
    });
  } catch (e) {
    return { error: String(e).split(' for series')[0]! };
  }
  assert.equal(r.type, 'matrix');
  const text = (v: unknown): string =>
    JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? String(x) : x));
  return { series: r.series.map((s) => text([s.labels, s.points])).sort() };
}

/** Query → whether storage answers it (the others decline or are not asked). */
const QUERIES: [string, boolean][] = [
  ['sum by (level) (count_over_time({env=~"dev|qa|old"} | logfmt [1m]))', true],
  ['sum by (level, env) (count_over_time({env=~"dev|qa|old"} | logfmt [5m]))', false],
  ['sum by (level) (rate({env="dev"} |= "level" | logfmt [2m]))', true],
  ['sum by (level) (bytes_over_time({env="qa"} != "json" | logfmt [3m]))', true],
  ['max by (level) (count_over_time({env="qa"} | logfmt [1m]))', true],
  ['sum by (level) (count_over_time({job="a"} | logfmt [1m]))', false],
  ['sum by (level) (count_over_time({job=~"a|b"} | logfmt [1m]))', false],
  ['count_over_time({env="dev"} | logfmt [1m])', false],
  ['sum by (env) (count_over_time({job="a"} | logfmt [1m]))', false],
];

describe('level column of settled days', () => {
  let dir: string;
  let store: LogStore;
  const memory = new MemoryLogReader();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-level-column-'));
    store = await LogStore.open({ dir });
  });

  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // An hour-long idle limit: the compactor's run on a day still being written.
  const indexed = async (): Promise<void> => void (await store.settle(3_600_000));
  const phases: [string, () => Promise<void>][] = [
    ['unsettled day', async () => {}],
    // The column as VARCHAR, filled for the lines loaded so far.
    ['unsettled day, indexed while written', indexed],
    ['settled day', async () => void (await store.settle(0))],
    // Lines loaded after the day settled have no column value: read from lines.
    [
      'settled day with later lines',
      async () => {
        await store.push(streams(1_000n));
        memory.push(streams(1_000n));
      },
    ],
    // Their values go into the ENUM where it has them.
    ['settled day, later lines indexed', indexed],
  ];
  for (const [phase, step] of phases) {
    it(`${phase}: every query as the stages answer it`, async () => {
      if (phase === 'unsettled day') {
        await store.push(streams(0n));
        memory.push(streams(0n));
      }
      await step();
      for (const [q, answered] of QUERIES) {
        const { reader, answered: n } = countingExtractions(store);
        assert.deepEqual(await outcome(reader, q), await outcome(withoutExtraction(memory), q), q);
        assert.equal(n() > 0, answered, `${q}: answered by storage`);
      }
    });
  }
});

/**
 * The column itself: settling computes, per line, the logfmt stage's value
 * (findLogfmtValues, the hinted lookup), and extractedAggregation takes it
 * from there instead of from the line.
 */
describe('level column values and reads', () => {
  let dir: string;
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  let writer: EntryWriter;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-level-values-'));
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    writer = new EntryWriter(conn, dir);
    await writer.attach(DAY);
    for (const [i, line] of LEVEL_LINES.entries()) {
      // Bound, not spliced into the SQL text: one line holds a NUL.
      await conn.run(`INSERT INTO ${partitionTable(DAY)} VALUES ($1, $2, $3, $4, NULL)`, [
        1,
        BASE + BigInt(i) * S,
        Buffer.byteLength(line),
        line,
      ]);
    }
    assert.equal(await writer.rewrite(DAY, async (fn) => (await fn(), true)), true);
  });

  after(async () => {
    conn.closeSync();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('holds what the stage extracts, or NULL where SQL cannot tell', async () => {
    const r = await conn.runAndReadAll(
      `SELECT line, ${LEVEL_COLUMN}::VARCHAR FROM ${partitionTable(DAY)} ORDER BY ts`,
    );
    const got = r.getRows().map(([line, level]) => [line, level]);
    const want = LEVEL_LINES.map((line) => {
      // Escaped quoted values SQL does not decode; long values are not kept.
      const level = findLogfmtValues(line, ['level'])[0] ?? '';
      // ...nor values with control characters.
      if (line.startsWith('level="esc') || line.length > 70 || /[\u0000-\u001f]/.test(level)) {
        return [line, null];
      }
      return [line, level];
    });
    assert.deepEqual(got, want);
  });

  it('settling again computes the column for lines loaded since', async () => {
    const table = partitionTable(DAY);
    await conn.run(
      `INSERT INTO ${table} (stream_id, ts, bytes, line) VALUES (1, ${BASE + 900n * S}, 9, 'level=new')`,
    );
    assert.equal(await writer.rewrite(DAY, async (fn) => (await fn(), true)), true);
    const r = await conn.runAndReadAll(
      `SELECT ${LEVEL_COLUMN}::VARCHAR FROM ${table} WHERE line = 'level=new'`,
    );
    assert.deepEqual(r.getRows(), [['new']]);
    await conn.run(`DELETE FROM ${table} WHERE line = 'level=new'`);
  });

  it('indexing fills the column for lines loaded since, within the ENUM, and a new day as VARCHAR', async () => {
    const table = partitionTable(DAY);
    await conn.run(
      `INSERT INTO ${table} (stream_id, ts, bytes, line) VALUES (1, ${BASE + 901n * S}, 10, 'level=info x=1'), (1, ${BASE + 902n * S}, 13, 'level=unknown')`,
    );
    await conn.run(
      `INSERT INTO ${partitionDb(DAY)}.unbloomed VALUES (${BASE + 901n * S}, ${BASE + 902n * S})`,
    );
    assert.equal(await writer.indexSpans(DAY, BASE + 1_000n * S), true);
    const r = await conn.runAndReadAll(
      `SELECT line, ${LEVEL_COLUMN}::VARCHAR FROM ${table} WHERE ts > ${BASE + 900n * S} ORDER BY ts`,
    );
    // 'unknown' is not among the settled day's values: NULL, read from its line.
    assert.deepEqual(r.getRows(), [
      ['level=info x=1', 'info'],
      ['level=unknown', null],
    ]);
    await conn.run(`DELETE FROM ${table} WHERE ts > ${BASE + 900n * S}`);

    const day = DAY + 1;
    await writer.attach(day);
    for (const [i, line] of LEVEL_LINES.entries()) {
      await conn.run(`INSERT INTO ${partitionTable(day)} VALUES ($1, $2, $3, $4, NULL)`, [
        1,
        BASE + 86_400n * S + BigInt(i) * S,
        Buffer.byteLength(line),
        line,
      ]);
    }
    await conn.run(
      `INSERT INTO ${partitionDb(day)}.unbloomed VALUES (${BASE + 86_400n * S}, ${BASE + 86_400n * S + 100n * S})`,
    );
    assert.equal(await writer.indexSpans(day, BASE + 86_500n * S), true);
    const v = await conn.runAndReadAll(
      `SELECT line, ${LEVEL_COLUMN} FROM ${partitionTable(day)} ORDER BY ts`,
    );
    const want = LEVEL_LINES.map((line) => [
      line,
      line.startsWith('level="esc') ? null : (findLogfmtValues(line, ['level'])[0] ?? ''),
    ]);
    assert.deepEqual(v.getRows(), want);
  });

  it('indexes spans a slice of time at a time, up to the end it is given', async () => {
    const day = DAY + 2;
    const dayStart = BigInt(day) * 86_400n * S;
    await writer.attach(day);
    const table = partitionTable(day);
    const spans = `${partitionDb(day)}.unbloomed`;
    const X = INDEX_SLICE_NS;
    // Lines in the middle of slices 0, 1 and 2, loaded as one span and one more for the last.
    const at = (k: bigint): bigint => dayStart + k * X + X / 2n;
    for (const k of [0n, 1n, 2n]) {
      await conn.run(`INSERT INTO ${table} VALUES (1, ${at(k)}, 10, 'level=s${k}', NULL)`);
    }
    await conn.run(`INSERT INTO ${spans} VALUES (${at(0n)}, ${at(1n)}), (${at(2n)}, ${at(2n)})`);
    const left = async (): Promise<bigint[][]> =>
      (await conn.runAndReadAll(`SELECT min_ts, max_ts FROM ${spans} ORDER BY 1`))
        .getRows()
        .map(([a, b]) => [a as bigint, b as bigint]);
    const levels = async (): Promise<unknown[]> =>
      (await conn.runAndReadAll(`SELECT ${LEVEL_COLUMN} FROM ${table} ORDER BY ts`))
        .getRows()
        .map((r) => r[0]);
    const until = at(1n);
    assert.equal(await writer.indexSpans(day, until), true);
    assert.deepEqual(await left(), [
      [dayStart + X, at(1n)],
      [at(2n), at(2n)],
    ]);
    assert.deepEqual(await levels(), ['s0', null, null]);
    assert.equal(await writer.indexSpans(day, until), true);
    assert.deepEqual(await left(), [[at(2n), at(2n)]], 'a span past the end stays');
    assert.deepEqual(await levels(), ['s0', 's1', null]);
    assert.equal(await writer.indexSpans(day, until), false);
    assert.equal(await writer.spansEnd(day), at(2n));
  });

  it('counts settled lines by the column and NULL ones by their line', async () => {
    const table = partitionTable(DAY);
    // A settled line's level changed in the column only: the answer follows the column.
    await conn.run(
      `UPDATE ${table} SET ${LEVEL_COLUMN} = 'warn' WHERE line = ${sqlString(LEVEL_LINES[0]!)}`,
    );
    // An escaped quoted value makes storage decline the whole query (tested in extracted-aggregation).
    await conn.run(`DELETE FROM ${table} WHERE line LIKE 'level="esc%'`);
    // A line with no column value (as loaded after settling) is read from its line.
    await conn.run(
      `INSERT INTO ${table} (stream_id, ts, bytes, line) VALUES (1, ${BASE + 500n * S}, 10, 'level=late')`,
    );
    const req: ExtractedRequest = {
      matchers: [],
      filters: [],
      startNs: BASE,
      endNs: BASE + 1_000n * S,
      originNs: BASE - 1n,
      bucketNs: 1_000n * S,
      parser: 'logfmt',
      fields: ['level'],
      fieldsOnly: true,
    };
    const streams = [new StreamCatalog().add(1, { job: 'x' })];
    const out = (await extractedAggregation(conn, [DAY], streams, req))!;
    const counts = (s: ExtractedSeries): number =>
      [...s.buckets!.values()].reduce((a, b) => a + b.count, 0);
    const got = Object.fromEntries(out.map((s) => [s.labels.level ?? '', counts(s)]));
    const want: Record<string, number> = { late: 1 };
    for (const line of LEVEL_LINES.filter((l) => !l.startsWith('level="esc'))) {
      const level = line === LEVEL_LINES[0] ? 'warn' : (findLogfmtValues(line, ['level'])[0] ?? '');
      want[level] = (want[level] ?? 0) + 1;
    }
    assert.deepEqual(got, want);
  });
});
