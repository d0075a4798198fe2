import type { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import {
  floorDiv,
  HOUR_NS,
  PARTITION_KINDS,
  partitionDb,
  partitionFile,
  partitionTable,
} from './partitions.js';
import { bloomTableDdl, buildBlooms, mergeSpans, spanSql, spanTableDdl } from './block-blooms.js';
import { fillLevelColumn, LEVEL_COLUMN, levelColumnType, withLevelSql } from './level-column.js';
import { segmentRelation } from './segment-csv.js';
import type { SegmentFile } from './segment-log.js';
import { readSettleGroups, settlePieceSql, settlePieces } from './settle-pieces.js';
import { sqlString } from './sql.js';

/** A settled day's tables also have the level column, which loads leave NULL. */
const ENTRY_COLUMNS = 'stream_id, ts, bytes, line, metadata';

const WRITE_BLOCK_SIZE = 262_144;

/**
 * The time indexed per transaction on a day still being written: 5 minutes
 * held the writer ~0.1 s at 2 M lines per 6 hours (an hour: ~1 s), and
 * loads, with the reads waiting for them, wait that long at most.
 */
export const INDEX_SLICE_NS = 300_000_000_000n;
/**
 * A settled day's blocks: each row group's ZSTD line segment ends in a
 * partly filled block, and at 256 KiB that waste was ~1.3 bytes per line
 * (2 M bench lines: 41.6 -> 40.2 bytes/line in the day file); scans are as fast.
 */
const SETTLED_BLOCK_SIZE = 65_536;
/**
 * Line bytes sorted at once when a day settles, on one thread: 16 MB pieces
 * settled 60 MB hours within 32 MB, where 32 MB pieces ran out at 40 MB; and
 * took as long as whole hours (2 M bench lines: ~19 s). Sorted whole, a day
 * of 2 M lines ran out at 40 MB, of 4 M at 64 MB.
 */
const SETTLE_PIECE_BYTES = 16 * 2 ** 20;
/** The groups pieces are made of: a stream's minute. */
const MINUTE_NS = 60_000_000_000n;

/**
 * Writes to the day databases on the writer connection: attaching days and
 * loading segment files. Each load is one transaction that also records the
 * segment's name in the day's `applied_segments`, so a segment whose file
 * survived a crash after its load is not loaded twice.
 */
export class EntryWriter {
  /** Days attached on this connection, so loading a segment does not re-run the DDL. */
  private readonly attached = new Set<number>();

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly dir: string,
  ) {}

  /** Attaches a day's database file, creating file and tables when new. */
  async attach(day: number): Promise<void> {
    if (this.attached.has(day)) return;
    const file = path.join(this.dir, partitionFile(day));
    const db = partitionDb(day);
    // A day being written keeps DuckDB's usual 256 KiB blocks (the instance's
    // default is small, for the streams database); an existing file has its own.
    const options = fs.existsSync(file) ? '' : ` (BLOCK_SIZE ${WRITE_BLOCK_SIZE})`;
    await this.conn.run(`ATTACH IF NOT EXISTS ${sqlString(file)} AS ${db}${options}`);
    for (const kind of PARTITION_KINDS) {
      await this.conn.run(
        `CREATE TABLE IF NOT EXISTS ${partitionTable(day, kind)} (stream_id INTEGER NOT NULL, ts BIGINT NOT NULL, bytes INTEGER NOT NULL, line VARCHAR NOT NULL, metadata VARCHAR)`,
      );
    }
    await this.conn.run(
      `CREATE TABLE IF NOT EXISTS ${db}.applied_segments (name VARCHAR PRIMARY KEY)`,
    );
    await this.conn.run(bloomTableDdl(db));
    await this.conn.run(spanTableDdl(db));
    // Every row must lie in a block or in a span. A day written before spans
    // were recorded, holding rows but no blocks, is one span.
    const covered = await this.conn.runAndReadAll(
      `SELECT EXISTS (FROM ${db}.blooms) OR EXISTS (FROM ${db}.unbloomed)`,
    );
    if (covered.getRows()[0]![0] === false) {
      await this.conn.run(
        `INSERT INTO ${db}.unbloomed SELECT min(ts), max(ts) FROM ${db}.entries HAVING count(*) > 0`,
      );
    }
    this.attached.add(day);
  }

  /** Detaches a day's database (its file can then be deleted). */
  async detach(day: number): Promise<void> {
    this.attached.delete(day);
    await this.conn.run(`DETACH DATABASE IF EXISTS ${partitionDb(day)}`);
  }

  /**
   * Copies a day into a new file (ZSTD for lines, no free blocks) and puts
   * it in place of the old one; false when queries kept it from the swap.
   * On failure the old file stays attached.
   */
  async rewrite(
    day: number,
    exclusive: (fn: () => Promise<void>) => Promise<boolean>,
  ): Promise<boolean> {
    const db = partitionDb(day);
    const file = path.join(this.dir, partitionFile(day));
    const next = `${file}.settle`;
    const tmp = `${db}_settle`;
    for (const f of [next, `${next}.wal`]) fs.rmSync(f, { force: true });
    await this.conn.run(
      `ATTACH ${sqlString(next)} AS ${tmp} (STORAGE_VERSION 'v1.3.0', BLOCK_SIZE ${SETTLED_BLOCK_SIZE})`,
    );
    try {
      for (const kind of PARTITION_KINDS) {
        const levelType = await levelColumnType(this.conn, `${db}.${kind}`);
        await this.conn.run(
          `CREATE TABLE ${tmp}.${kind} (stream_id INTEGER NOT NULL, ts BIGINT NOT NULL, bytes INTEGER NOT NULL, line VARCHAR NOT NULL USING COMPRESSION zstd, metadata VARCHAR, ${LEVEL_COLUMN} ${levelType})`,
        );
        // Hour by hour, each hour by stream and time: neighbouring lines come
        // from one stream, which ZSTD both compresses better and decompresses
        // several times faster (a needle scan of a settled day: ~300 -> ~60 ms
        // per million lines); stream_id becomes runs, timestamps small deltas.
        const groups = await readSettleGroups(
          this.conn,
          `${db}.${kind}`,
          HOUR_NS,
          MINUTE_NS,
          'sum(bytes)',
        );
        const pieces = settlePieces(groups, SETTLE_PIECE_BYTES);
        // One transaction on one thread: committed one by one, or on two
        // threads, the pieces' row groups were rewritten by the next pieces
        // and the old blocks stayed free in the file (the 2 M-line day doubled).
        await this.singleThreaded(async () => {
          await this.conn.run('BEGIN TRANSACTION');
          try {
            for (const piece of pieces) {
              const rows = `(SELECT * FROM ${db}.${kind} WHERE ${settlePieceSql(piece, HOUR_NS)})`;
              await this.conn.run(
                `INSERT INTO ${tmp}.${kind} ${withLevelSql(rows, levelType)} ORDER BY stream_id, ts`,
              );
            }
            await this.conn.run('COMMIT');
          } catch (err) {
            await this.conn.run('ROLLBACK');
            throw err;
          }
        });
      }
      await this.conn.run(`CREATE TABLE ${tmp}.applied_segments (name VARCHAR PRIMARY KEY)`);
      await this.conn.run(
        `INSERT INTO ${tmp}.applied_segments SELECT * FROM ${db}.applied_segments`,
      );
      await this.conn.run(bloomTableDdl(tmp));
      await this.conn.run(spanTableDdl(tmp));
      await buildBlooms(this.conn, tmp);
      await this.conn.run(`CHECKPOINT ${tmp}`);
    } finally {
      await this.conn.run(`DETACH DATABASE IF EXISTS ${tmp}`);
    }
    // No query may use the day while it is detached (see ReadGate).
    try {
      return await exclusive(async () => {
        this.attached.delete(day);
        try {
          await this.conn.run(`DETACH DATABASE ${db}`);
          fs.renameSync(next, file);
          fs.rmSync(`${file}.wal`, { force: true });
        } finally {
          await this.attach(day);
        }
      });
    } finally {
      fs.rmSync(next, { force: true });
    }
  }

  /**
   * Runs `fn` with DuckDB's worker threads at one (see rewrite); one thread
   * also sorted an hour of the bench within 40 MB where two ran out, and was
   * as fast. Queries meanwhile have one worker thread fewer.
   */
  private async singleThreaded(fn: () => Promise<void>): Promise<void> {
    const r = await this.conn.runAndReadAll("SELECT current_setting('threads')");
    const threads = Number(r.getRows()[0]![0]);
    await this.conn.run('SET GLOBAL threads = 1');
    try {
      await fn();
    } finally {
      await this.conn.run(`SET GLOBAL threads = ${threads}`);
    }
  }

  /** The end of the latest span loaded into a day since its blocks were built, if any. */
  async spansEnd(day: number): Promise<bigint | undefined> {
    await this.attach(day);
    const r = await this.conn.runAndReadAll(
      `SELECT max(max_ts) FROM ${partitionDb(day)}.unbloomed`,
    );
    return (r.getRows()[0]![0] as bigint | null) ?? undefined;
  }

  /**
   * Gives the rows of the first slice of time (INDEX_SLICE_NS) of the spans
   * loaded into a day since its blocks were built (up to `untilNs`) blocks
   * of their own and their level column (level-column.ts), and takes that
   * slice out of the spans, in one transaction; false when no span starts by
   * `untilNs`. A slice at a time, so that loads, and the reads waiting for
   * them, go on between.
   */
  async indexSpans(day: number, untilNs: bigint): Promise<boolean> {
    await this.attach(day);
    const db = partitionDb(day);
    await this.conn.run('BEGIN TRANSACTION');
    try {
      const r = await this.conn.runAndReadAll(`SELECT min_ts, max_ts FROM ${db}.unbloomed`);
      const spans = mergeSpans(
        r.getRows().map(([lo, hi]) => ({ minTs: lo as bigint, maxTs: hi as bigint })),
      );
      const first = spans[0];
      if (!first || first.minTs > untilNs) {
        await this.conn.run('COMMIT');
        return false;
      }
      // Spans are sorted and disjoint: none starts before the first one's slice.
      const sliceStart = floorDiv(first.minTs, INDEX_SLICE_NS) * INDEX_SLICE_NS;
      const last = [sliceStart + INDEX_SLICE_NS - 1n, untilNs].reduce((a, b) => (a < b ? a : b));
      const indexed = spans
        .filter((x) => x.minTs <= last)
        .map((x) => ({ minTs: x.minTs, maxTs: x.maxTs < last ? x.maxTs : last }));
      const rest = spans
        .filter((x) => x.maxTs > last)
        .map((x) => ({ minTs: x.minTs > last ? x.minTs : last + 1n, maxTs: x.maxTs }));
      await buildBlooms(this.conn, db, indexed);
      await fillLevelColumn(this.conn, db, spanSql(indexed));
      await this.conn.run(`DELETE FROM ${db}.unbloomed`);
      if (rest.length > 0) {
        await this.conn.run(
          `INSERT INTO ${db}.unbloomed VALUES ${rest.map((x) => `(${x.minTs}, ${x.maxTs})`).join(', ')}`,
        );
      }
      await this.conn.run('COMMIT');
      return true;
    } catch (err) {
      await this.conn.run('ROLLBACK');
      throw err;
    }
  }

  /** Days attached on the writer connection. */
  attachedDays(): number[] {
    return [...this.attached];
  }

  /** Loads one segment file into its day's table, once. */
  async load(segment: SegmentFile): Promise<void> {
    await this.attach(segment.day);
    const db = partitionDb(segment.day);
    const done = await this.conn.runAndReadAll(
      `SELECT 1 FROM ${db}.applied_segments WHERE name = ${sqlString(segment.name)}`,
    );
    if (done.currentRowCount > 0) return;
    const source = segmentRelation(segment.path, segment.kind, segment.format, segment.longestRow);
    let { minTs, maxTs } = segment;
    if (minTs === undefined || maxTs === undefined) {
      const r = await this.conn.runAndReadAll(`SELECT min(ts), max(ts) FROM ${source}`);
      const [lo, hi] = r.getRows()[0]!;
      if (lo === null) return;
      [minTs, maxTs] = [lo as bigint, hi as bigint];
    }
    const table = partitionTable(segment.day, segment.kind);
    await this.conn.run('BEGIN TRANSACTION');
    try {
      // Exact duplicates of (stream, timestamp, line), within the segment or
      // against what is stored, are kept once, as Loki does. The time bounds
      // let DuckDB skip row groups outside the segment's range.
      await this.conn.run(
        `INSERT INTO ${table} (${ENTRY_COLUMNS}) ` +
          `SELECT DISTINCT ON (s.stream_id, s.ts, s.line) s.* FROM ${source} s ` +
          `ANTI JOIN (SELECT stream_id, ts, line FROM ${table} WHERE ts >= ${minTs} AND ts <= ${maxTs}) e ` +
          `ON s.stream_id = e.stream_id AND s.ts = e.ts AND s.line = e.line`,
      );
      await this.conn.run(`INSERT INTO ${db}.applied_segments VALUES (${sqlString(segment.name)})`);
      // The blocks do not cover these rows: queries read the span whole.
      if (segment.kind === 'entries') {
        await this.conn.run(`INSERT INTO ${db}.unbloomed VALUES (${minTs}, ${maxTs})`);
      }
      await this.conn.run('COMMIT');
    } catch (err) {
      await this.conn.run('ROLLBACK');
      throw err;
    }
  }
}
