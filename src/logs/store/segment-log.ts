import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { DayBatch } from './day-batch.js';
import type { PartitionKind } from './partitions.js';
import { SEGMENT_FORMAT, type SegmentFormat } from './segment-csv.js';

/** One closed segment file: the rows of one day and table kind from one generation. */
export interface SegmentFile {
  name: string;
  path: string;
  generation: number;
  day: number;
  kind: PartitionKind;
  format: SegmentFormat;
  /** Oldest and newest timestamp in the file (unknown for files found at start). */
  minTs?: bigint;
  maxTs?: bigint;
}

/** `seg-<generation>-<day>-<kind>.csv` in format 1, `...-<kind>.v2.csv` in format 2. */
const NAME = /^seg-(\d+)-(-?\d+)-(entries|entries_long)(\.v2)?\.csv$/;

/**
 * obs's write-ahead log in front of DuckDB. A push is acknowledged once its
 * rows are appended to CSV segment files and fsync'd (cheap, sequential,
 * off the event loop); segments are then loaded into DuckDB in bulk by
 * `INSERT ... SELECT FROM read_csv(...)`, which DuckDB parses and compresses
 * on its own threads, and deleted. Per-row appends from JavaScript cost
 * several microseconds of main-thread time each; this path costs one string
 * concatenation.
 */
export class SegmentLog {
  private generation: number;
  private readonly open = new Map<string, { handle: fsp.FileHandle; file: SegmentFile }>();
  private bytes = 0;
  private startedAt = 0;

  private constructor(
    private readonly dir: string,
    lastGeneration: number,
  ) {
    this.generation = Math.max(Date.now(), lastGeneration + 1);
  }

  /** Opens the log; returns the segments a previous run left unapplied, oldest first. */
  static load(dir: string): { log: SegmentLog; leftovers: SegmentFile[] } {
    fs.mkdirSync(dir, { recursive: true });
    const leftovers: SegmentFile[] = [];
    for (const name of fs.readdirSync(dir)) {
      const m = NAME.exec(name);
      if (!m) continue;
      leftovers.push({
        name,
        path: path.join(dir, name),
        generation: Number(m[1]),
        day: Number(m[2]),
        kind: m[3] as PartitionKind,
        format: m[4] ? 2 : 1,
      });
    }
    leftovers.sort((a, b) => a.generation - b.generation || a.day - b.day);
    const last = leftovers.length > 0 ? leftovers.at(-1)!.generation : 0;
    return { log: new SegmentLog(dir, last), leftovers };
  }

  /** Bytes in the current generation and how long it has been open. */
  get pendingBytes(): number {
    return this.bytes;
  }

  get ageMs(): number {
    return this.open.size === 0 ? 0 : Date.now() - this.startedAt;
  }

  /** Appends rows (by day) and makes them durable. Callers serialise appends and rotations. */
  async append(byDay: Map<number, DayBatch>): Promise<void> {
    const writes: Promise<unknown>[] = [];
    const touched = new Set<fsp.FileHandle>();
    for (const [day, batch] of byDay) {
      for (const kind of ['entries', 'entries_long'] as const) {
        const buffers = batch.buffers(kind);
        if (buffers.length === 0) continue;
        const { handle, file } = await this.handle(day, kind);
        if (file.minTs === undefined || batch.minTs < file.minTs) file.minTs = batch.minTs;
        if (file.maxTs === undefined || batch.maxTs > file.maxTs) file.maxTs = batch.maxTs;
        for (const b of buffers) this.bytes += b.length;
        writes.push(handle.writev(buffers));
        touched.add(handle);
      }
    }
    await Promise.all(writes);
    await Promise.all([...touched].map((h) => h.datasync()));
  }

  /** Closes the current generation's files and returns them for loading. */
  async rotate(): Promise<SegmentFile[]> {
    const files = [...this.open.values()];
    this.open.clear();
    this.bytes = 0;
    // Names must never repeat, across restarts too: a day database remembers
    // the names it has loaded and skips them.
    this.generation = Math.max(Date.now(), this.generation + 1);
    await Promise.all(files.map((f) => f.handle.close()));
    return files.map((f) => f.file);
  }

  private async handle(
    day: number,
    kind: PartitionKind,
  ): Promise<{ handle: fsp.FileHandle; file: SegmentFile }> {
    const key = `${day}/${kind}`;
    const found = this.open.get(key);
    if (found) return found;
    if (this.open.size === 0) this.startedAt = Date.now();
    const name = `seg-${this.generation}-${day}-${kind}.v${SEGMENT_FORMAT}.csv`;
    const file: SegmentFile = {
      name,
      path: path.join(this.dir, name),
      generation: this.generation,
      day,
      kind,
      format: SEGMENT_FORMAT,
    };
    const opened = { handle: await fsp.open(file.path, 'a'), file };
    this.open.set(key, opened);
    return opened;
  }
}
