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
import { sqlString } from './sql.js';

/**
 * A settled day's short-line table is sorted by hour, stream and time; each
 * stream's hour is cut into blocks of about BLOCK_ROWS lines, and a block is
 * its stream and time range plus a trigram bloom (`ngram-bloom.ts`), kept in
 * the day's `blooms` table. A needle query reads only the blocks whose
 * blooms may match, each by `stream_id = s AND ts BETWEEN lo AND hi`, which
 * DuckDB's zone maps turn into a read of those rows alone. Loading anything
 * into a day deletes its blooms in the same transaction (the blocks no longer
 * cover every row), so a day is pruned only while settled; long lines are
 * always scanned.
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

/** Builds the blooms of database `db` from its `entries` table (replacing any). */
export async function buildBlooms(conn: DuckDBConnection, db: string): Promise<void> {
  const H = HOUR_NS;
  // A NULL word per line keeps lines without indexed words in their block's bounds.
  const r = await conn.runAndReadAll(
    `WITH g AS (SELECT stream_id, ts // ${H} AS h, (count(*) + ${BLOCK_ROWS - 1}) // ${BLOCK_ROWS} AS parts ` +
      `FROM ${db}.entries GROUP BY ALL), ` +
      `w AS (SELECT e.stream_id, g.h, ((e.ts - g.h * ${H}) * g.parts) // ${H} AS p, e.ts, ` +
      `unnest(list_append(regexp_extract_all(lower(e.line), ${sqlString(INDEXED_WORD_RE)}), NULL)) AS word ` +
      `FROM ${db}.entries e JOIN g ON e.stream_id = g.stream_id AND e.ts // ${H} = g.h) ` +
      `SELECT stream_id, min(ts), max(ts), list(DISTINCT word) FILTER (WHERE word IS NOT NULL) ` +
      `FROM w GROUP BY stream_id, h, p`,
  );
  await conn.run(`DELETE FROM ${db}.blooms`);
  const rows: string[] = [];
  const flush = async (): Promise<void> => {
    if (rows.length === 0) return;
    await conn.run(`INSERT INTO ${db}.blooms VALUES ${rows.join(', ')}`);
    rows.length = 0;
  };
  for (const [id, lo, hi, words] of r.getRows()) {
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

/** The days' blocks, cached until a write to the day invalidates them. */
export class BlockBlooms {
  private readonly cache = new Map<number, Block[]>();
  private readonly generation = new Map<number, number>();

  /** Forgets a day's blocks; call after every committed change to the day. */
  invalidate(day: number): void {
    this.cache.delete(day);
    this.generation.set(day, (this.generation.get(day) ?? 0) + 1);
  }

  private async blocks(conn: DuckDBConnection, day: number): Promise<Block[]> {
    const cached = this.cache.get(day);
    if (cached) return cached;
    const gen = this.generation.get(day) ?? 0;
    const r = await conn.runAndReadAll(
      `SELECT stream_id, min_ts, max_ts, bloom FROM ${partitionDb(day)}.blooms ORDER BY stream_id, min_ts`,
    );
    const blocks = r.getRows().map(([id, lo, hi, bloom]) => ({
      streamId: Number(id),
      minTs: lo as bigint,
      maxTs: hi as bigint,
      bloom: (bloom as { bytes: Uint8Array }).bytes,
    }));
    if ((this.generation.get(day) ?? 0) === gen) this.cache.set(day, blocks);
    return blocks;
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
    const blocks = await this.blocks(conn, day);
    if (blocks.length === 0) return undefined;
    const ids = new Set(streamIds);
    const ranges: { streamId: number; minTs: bigint; maxTs: bigint }[] = [];
    // Blocks are in (stream, time) order: a run of matching blocks of one
    // stream becomes one range, so a common word costs few branches.
    let run: (typeof ranges)[number] | undefined;
    for (const b of blocks) {
      const hit =
        ids.has(b.streamId) &&
        b.maxTs >= startNs &&
        b.minTs < endNs &&
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
    const cols = 'SELECT stream_id, ts, bytes, line, metadata FROM';
    return [
      ...ranges.map(
        (b) =>
          `${cols} ${partitionTable(day)} WHERE stream_id = ${b.streamId} AND ts BETWEEN ${b.minTs} AND ${b.maxTs}`,
      ),
      `${cols} ${partitionTable(day, 'entries_long')}`,
    ].join(' UNION ALL ');
  }
}
