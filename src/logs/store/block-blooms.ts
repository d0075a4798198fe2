import type { DuckDBConnection } from '@duckdb/node-api';
import type { LineFilter } from '../reader.js';
import {
  bloomMayMatch,
  bloomTerms,
  buildBloom,
  INDEXED_WORD_RE,
  trigramCodes,
} from './ngram-bloom.js';
import { HOUR_NS, partitionDb, partitionTable } from './partitions.js';
import { readSettleGroups, settlePieceSql, settlePieces } from './settle-pieces.js';
import { sqlString } from './sql.js';

/**
 * A settled day's short-line table is sorted by hour, stream and time; each
 * stream's hour is cut into blocks of about BLOCK_ROWS lines, and a block is
 * its stream and time range plus a trigram bloom (`ngram-bloom.ts`), kept in
 * the day's `blooms` table. A needle query reads only the blocks whose
 * blooms may match, each by `stream_id = s AND ts BETWEEN lo AND hi`, which
 * DuckDB's zone maps turn into a read of those rows alone.
 *
 * A load into a day records its time span in the day's `unbloomed` table in
 * the same transaction: a query reads every row inside a span, and the
 * blocks' ranges elsewhere. The compactor later gives the spans' rows
 * blocks of their own (`EntryWriter.indexSpans`), slices of time of all
 * streams, since loaded rows are in arrival order; so a day written all day
 * long (today, on a busy host) is pruned up to its last compaction
 * interval. Blocks may then overlap: every row lies in some block whose
 * bloom holds its words or in a span, and a query merges what overlaps and
 * leaves the ranges of one stream out of the slices, so that it reads each
 * row once. Long lines are always scanned.
 */

const BLOCK_ROWS = 8192;
/**
 * Above this many ranges of candidate blocks a day is scanned whole: each
 * range is a scan of its own, and many scans at once pin more of DuckDB's
 * buffer pool than one scan of everything.
 */
const MAX_RANGES = 16;

export function bloomTableDdl(db: string): string {
  return `CREATE TABLE IF NOT EXISTS ${db}.blooms (stream_id INTEGER NOT NULL, min_ts BIGINT NOT NULL, max_ts BIGINT NOT NULL, bloom BLOB NOT NULL)`;
}

/** The time spans loaded into a day since its blocks were built (inclusive bounds). */
export function spanTableDdl(db: string): string {
  return `CREATE TABLE IF NOT EXISTS ${db}.unbloomed (min_ts BIGINT NOT NULL, max_ts BIGINT NOT NULL)`;
}

export interface Span {
  minTs: bigint;
  maxTs: bigint;
}

/** Spans sorted and merged where they overlap or touch. */
export function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => (a.minTs < b.minTs ? -1 : a.minTs > b.minTs ? 1 : 0));
  const out: Span[] = [];
  for (const x of sorted) {
    const last = out.at(-1);
    if (last && x.minTs <= last.maxTs + 1n) {
      if (x.maxTs > last.maxTs) last.maxTs = x.maxTs;
    } else {
      out.push({ ...x });
    }
  }
  return out;
}

/** The rows inside these spans, as a predicate. */
export function spanSql(spans: Span[]): string {
  return spans.map((x) => `ts BETWEEN ${x.minTs} AND ${x.maxTs}`).join(' OR ');
}

/** Blocks of all streams: rows loaded into a day are not ordered by stream. */
export const ALL_STREAMS = -1;

/**
 * Builds blocks of database `db`'s `entries`: all of them (replacing any),
 * one stream's hour cut into parts of about BLOCK_ROWS lines, as a settled
 * day is sorted; or with `spans`, blocks of the rows inside the spans, added
 * to the others. Those rows were loaded in arrival order, all streams mixed,
 * so their blocks are slices of time of all streams (ALL_STREAMS): a block
 * of one stream would span row groups of all of them.
 */
export async function buildBlooms(
  conn: DuckDBConnection,
  db: string,
  spans?: Span[],
): Promise<void> {
  if (spans) {
    // Each span cut into slices of equal time, as many as its rows need.
    const spanOf = `CASE ${spans.map((x, i) => `WHEN ts BETWEEN ${x.minTs} AND ${x.maxTs} THEN ${i}`).join(' ')} END`;
    const rows = `(SELECT ${spanOf} AS k, ts, line FROM ${db}.entries WHERE ${spanSql(spans)})`;
    const sql =
      `WITH g AS (SELECT k, min(ts) AS lo, max(ts) - min(ts) + 1 AS width, ` +
      `(count(*) + ${BLOCK_ROWS - 1}) // ${BLOCK_ROWS} AS parts FROM ${rows} GROUP BY k), ` +
      `w AS (SELECT e.k, ((e.ts - g.lo) * g.parts) // g.width AS p, e.ts, ${WORDS} ` +
      `FROM ${rows} e JOIN g ON e.k = g.k) ` +
      `SELECT ${ALL_STREAMS}, ${BLOCK_COLUMNS} FROM w GROUP BY k, p`;
    await insertBlooms(conn, db, (await conn.runAndReadAll(sql)).getRows());
    return;
  }
  // The distinct words of every block are held until the statement ends:
  // for a whole day of 4 M lines, more than DuckDB's memory. So a few
  // streams' hours at a time.
  const H = HOUR_NS;
  const groups = await readSettleGroups(conn, `${db}.entries`, H, H, 'count(*)');
  await conn.run(`DELETE FROM ${db}.blooms`);
  for (const piece of settlePieces(groups, BLOOM_PIECE_ROWS)) {
    const rows = `(SELECT stream_id, ts, line FROM ${db}.entries WHERE ${settlePieceSql(piece, H)})`;
    const sql =
      `WITH g AS (SELECT stream_id, ts // ${H} AS h, (count(*) + ${BLOCK_ROWS - 1}) // ${BLOCK_ROWS} AS parts ` +
      `FROM ${rows} GROUP BY ALL), ` +
      `w AS (SELECT e.stream_id, g.h, ((e.ts - g.h * ${H}) * g.parts) // ${H} AS p, e.ts, ${WORDS} ` +
      `FROM ${rows} e JOIN g ON e.stream_id = g.stream_id AND e.ts // ${H} = g.h) ` +
      `SELECT stream_id, ${BLOCK_COLUMNS} FROM w GROUP BY stream_id, h, p`;
    await insertBlooms(conn, db, (await conn.runAndReadAll(sql)).getRows());
  }
}

/** A NULL word per line keeps lines without indexed words in their block's bounds. */
const WORDS = `unnest(list_append(regexp_extract_all(lower(e.line), ${sqlString(INDEXED_WORD_RE)}), NULL)) AS word`;
const BLOCK_COLUMNS = 'min(ts), max(ts), list(DISTINCT word) FILTER (WHERE word IS NOT NULL)';
/** Lines whose blocks are built by one statement when a day settles (~30 blocks). */
const BLOOM_PIECE_ROWS = 250_000;

/** Stores blocks given as (stream id, min ts, max ts, words) rows. */
async function insertBlooms(
  conn: DuckDBConnection,
  db: string,
  blocks: unknown[][],
): Promise<void> {
  const rows: string[] = [];
  const flush = async (): Promise<void> => {
    if (rows.length === 0) return;
    await conn.run(`INSERT INTO ${db}.blooms VALUES ${rows.join(', ')}`);
    rows.length = 0;
  };
  for (const [id, lo, hi, words] of blocks) {
    const codes = new Set<number>();
    for (const word of (words as { items: string[] } | null)?.items ?? []) {
      trigramCodes(word, false, codes);
    }
    const hex = Buffer.from(buildBloom(codes)).toString('hex');
    rows.push(`(${Number(id)}, ${String(lo)}, ${String(hi)}, unhex('${hex}'))`);
    if (rows.length >= 500) await flush();
  }
  await flush();
}

interface Block {
  streamId: number;
  minTs: bigint;
  maxTs: bigint;
  bloom: Uint8Array;
}

/** What a day's blooms cover: its blocks, and the spans loaded since they were built. */
interface DayBlocks {
  blocks: Block[];
  spans: Span[];
}

/** The days' blocks, cached until a write to the day invalidates them. */
export class BlockBlooms {
  private readonly cache = new Map<number, DayBlocks>();
  private readonly generation = new Map<number, number>();

  /** Forgets a day's blocks; call after every committed change to the day. */
  invalidate(day: number): void {
    this.cache.delete(day);
    this.generation.set(day, (this.generation.get(day) ?? 0) + 1);
  }

  private async blocks(conn: DuckDBConnection, day: number): Promise<DayBlocks> {
    const cached = this.cache.get(day);
    if (cached) return cached;
    const gen = this.generation.get(day) ?? 0;
    const db = partitionDb(day);
    // One statement, so blocks and spans come from one snapshot: indexing
    // moves rows from spans to blocks in one transaction.
    const r = await conn.runAndReadAll(
      `SELECT stream_id, min_ts, max_ts, bloom FROM ${db}.blooms UNION ALL ` +
        `SELECT NULL, min_ts, max_ts, NULL FROM ${db}.unbloomed ORDER BY 1 NULLS FIRST, 2`,
    );
    const found: DayBlocks = { blocks: [], spans: [] };
    for (const [id, lo, hi, bloom] of r.getRows()) {
      if (id === null) {
        found.spans.push({ minTs: lo as bigint, maxTs: hi as bigint });
        continue;
      }
      found.blocks.push({
        streamId: Number(id),
        minTs: lo as bigint,
        maxTs: hi as bigint,
        bloom: (bloom as { bytes: Uint8Array }).bytes,
      });
    }
    found.spans = mergeSpans(found.spans);
    if ((this.generation.get(day) ?? 0) === gen) this.cache.set(day, found);
    return found;
  }

  /**
   * The rows of a day that can pass `filters`, as SQL over columns
   * `stream_id, ts, bytes, line, metadata`; undefined when the blooms cannot
   * narrow the day down (the caller scans it whole).
   */
  async daySql(
    conn: DuckDBConnection,
    day: number,
    streamIds: number[],
    filters: LineFilter[],
    startNs: bigint,
    endNs: bigint,
  ): Promise<string | undefined> {
    const terms = bloomTerms(filters);
    if (terms.length === 0) return undefined;
    const { blocks, spans } = await this.blocks(conn, day);
    if (blocks.length === 0) return undefined;
    const ids = new Set(streamIds);
    const inWindow = (b: Span): boolean => b.maxTs >= startNs && b.minTs < endNs;
    // Blocks are in (stream, start) order, the blocks of all streams first:
    // matching blocks of one stream that follow each other or overlap become
    // one range, so a common word costs few branches and no row is read twice.
    const ranges: { streamId: number; minTs: bigint; maxTs: bigint }[] = [];
    let run: (typeof ranges)[number] | undefined;
    for (const b of blocks) {
      if (run && run.streamId === b.streamId && b.minTs <= run.maxTs) {
        // Overlaps the current range: in it whatever its bloom says.
        if (b.maxTs > run.maxTs) run.maxTs = b.maxTs;
        continue;
      }
      const hit =
        (b.streamId === ALL_STREAMS || ids.has(b.streamId)) &&
        inWindow(b) &&
        bloomMayMatch(b.bloom, terms);
      if (!hit) {
        run = undefined;
        continue;
      }
      if (run?.streamId === b.streamId) {
        run.maxTs = b.maxTs;
        continue;
      }
      run = { streamId: b.streamId, minTs: b.minTs, maxTs: b.maxTs };
      ranges.push(run);
      if (ranges.length > MAX_RANGES) return undefined;
    }
    // Slices of time read for all streams: matching blocks of all streams,
    // and the spans loaded since the blocks were built.
    const slices = mergeSpans([
      ...ranges.filter((b) => b.streamId === ALL_STREAMS),
      ...spans.filter(inWindow),
    ]);
    const perStream = ranges.filter((b) => b.streamId !== ALL_STREAMS);
    if (perStream.length + slices.length > MAX_RANGES) return undefined;
    const cols = 'SELECT stream_id, ts, bytes, line, metadata FROM';
    const table = partitionTable(day);
    return [
      ...perStream.map(
        (b) =>
          `${cols} ${table} WHERE stream_id = ${b.streamId} AND ts BETWEEN ${b.minTs} AND ${b.maxTs}`,
      ),
      // But for the rows the ranges of one stream read.
      ...slices.map((x) => {
        const inside = perStream
          .filter((b) => b.maxTs >= x.minTs && b.minTs <= x.maxTs)
          .map(
            (b) => ` AND NOT (stream_id = ${b.streamId} AND ts BETWEEN ${b.minTs} AND ${b.maxTs})`,
          )
          .join('');
        return `${cols} ${table} WHERE ts BETWEEN ${x.minTs} AND ${x.maxTs}${inside}`;
      }),
      `${cols} ${partitionTable(day, 'entries_long')}`,
    ].join(' UNION ALL ');
  }
}
