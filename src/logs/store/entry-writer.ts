import {
  BIGINT,
  DuckDBDataChunk,
  INTEGER,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBConnection,
} from '@duckdb/node-api';
import path from 'node:path';
import {
  LONG_LINE_BYTES,
  PARTITION_KINDS,
  partitionDb,
  partitionFile,
  partitionTable,
  type PartitionKind,
} from './partitions.js';
import { sqlString } from './sql.js';

/** One entry as stored: columns of a day partition. */
export interface EntryRow {
  streamId: number;
  ts: bigint;
  line: string;
  /** Structured metadata as a JSON object, or null. */
  metadata: string | null;
}

/** DuckDB's vector size: the most rows one data chunk carries. */
const CHUNK_ROWS = 2048;
const ROW_TYPES = [INTEGER, BIGINT, VARCHAR, VARCHAR];

/**
 * The only writer of the database, on its own connection. Appenders write
 * whole columnar chunks; each `flushSync` is a DuckDB commit, durable in
 * DuckDB's write-ahead log before it returns, so a push is acknowledged only
 * after its rows would survive a crash.
 */
export class EntryWriter {
  private readonly appenders = new Map<string, DuckDBAppender>();

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly dir: string,
  ) {}

  /** Attaches a day's database file, creating file and table when new. */
  async attach(day: number): Promise<void> {
    const file = path.join(this.dir, partitionFile(day));
    await this.conn.run(`ATTACH IF NOT EXISTS ${sqlString(file)} AS ${partitionDb(day)}`);
    for (const kind of PARTITION_KINDS) {
      await this.conn.run(
        `CREATE TABLE IF NOT EXISTS ${partitionTable(day, kind)} (stream_id INTEGER NOT NULL, ts BIGINT NOT NULL, line VARCHAR NOT NULL, metadata VARCHAR)`,
      );
    }
  }

  /** Detaches a day's database (its file can then be deleted). */
  async detach(day: number): Promise<void> {
    this.release(day);
    await this.conn.run(`DETACH DATABASE IF EXISTS ${partitionDb(day)}`);
  }

  async insertStreams(streams: { id: number; labels: Record<string, string> }[]): Promise<void> {
    if (streams.length === 0) return;
    const values = streams
      .map((s) => `(${s.id}, ${sqlString(JSON.stringify(s.labels))})`)
      .join(', ');
    await this.conn.run(`INSERT INTO streams (id, labels) VALUES ${values}`);
  }

  async append(day: number, rows: EntryRow[]): Promise<void> {
    const long = rows.filter(
      (r) => r.line.length * 3 > LONG_LINE_BYTES && Buffer.byteLength(r.line) > LONG_LINE_BYTES,
    );
    const short = long.length === 0 ? rows : rows.filter((r) => !long.includes(r));
    if (short.length > 0) await this.appendTo(day, 'entries', short);
    if (long.length > 0) await this.appendTo(day, 'entries_long', long);
  }

  private async appendTo(day: number, kind: PartitionKind, rows: EntryRow[]): Promise<void> {
    const appender = await this.appender(day, kind);
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
      const part = rows.slice(start, start + CHUNK_ROWS);
      const chunk = DuckDBDataChunk.create(ROW_TYPES, part.length);
      chunk.setColumns([
        part.map((r) => r.streamId),
        part.map((r) => r.ts),
        part.map((r) => r.line),
        part.map((r) => r.metadata),
      ]);
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  }

  private release(day: number): void {
    for (const kind of PARTITION_KINDS) {
      const key = `${day}/${kind}`;
      const appender = this.appenders.get(key);
      if (!appender) continue;
      this.appenders.delete(key);
      appender.closeSync();
    }
  }

  close(): void {
    for (const appender of this.appenders.values()) appender.closeSync();
    this.appenders.clear();
  }

  private async appender(day: number, kind: PartitionKind): Promise<DuckDBAppender> {
    const key = `${day}/${kind}`;
    let appender = this.appenders.get(key);
    if (!appender) {
      await this.attach(day);
      appender = await this.conn.createAppender(kind, 'main', partitionDb(day));
      this.appenders.set(key, appender);
    }
    return appender;
  }
}
