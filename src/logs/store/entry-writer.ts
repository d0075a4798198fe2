import {
  BIGINT,
  DuckDBDataChunk,
  INTEGER,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBConnection,
} from '@duckdb/node-api';
import path from 'node:path';
import { partitionDb, partitionFile, partitionTable } from './partitions.js';
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
  private readonly appenders = new Map<number, DuckDBAppender>();

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly dir: string,
  ) {}

  /** Attaches a day's database file, creating file and table when new. */
  async attach(day: number): Promise<void> {
    const file = path.join(this.dir, partitionFile(day));
    await this.conn.run(`ATTACH IF NOT EXISTS ${sqlString(file)} AS ${partitionDb(day)}`);
    await this.conn.run(
      `CREATE TABLE IF NOT EXISTS ${partitionTable(day)} (stream_id INTEGER NOT NULL, ts BIGINT NOT NULL, line VARCHAR NOT NULL, metadata VARCHAR)`,
    );
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
    const appender = await this.appender(day);
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
    const appender = this.appenders.get(day);
    if (!appender) return;
    this.appenders.delete(day);
    appender.closeSync();
  }

  close(): void {
    for (const day of [...this.appenders.keys()]) this.release(day);
  }

  private async appender(day: number): Promise<DuckDBAppender> {
    let appender = this.appenders.get(day);
    if (!appender) {
      await this.attach(day);
      appender = await this.conn.createAppender('entries', 'main', partitionDb(day));
      this.appenders.set(day, appender);
    }
    return appender;
  }
}
