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
  /** Bytes of the file's longest row, kept for long-line files (unknown for files found at start). */
  longestRow?: number;
}

/**
 * A file takes no buffer that would take it past this many bytes: a load
 * reads a whole file, deduplicated in one hash table (~25 MB of DuckDB memory
 * for 4 MB of rows), and an 80 MB file from one big push ran a load out of
 * DuckDB's memory at every retry and every restart.
 */
export const SEGMENT_FILE_BYTES = 4 * 1024 * 1024;

/** `seg-<generation>-<day>-<kind>.csv` in format 1, `...-<kind>.v2.csv` in format 2. */
const NAME = /^seg-(\d+)-(-?\d+)-(entries|entries_long)(\.v2)?\.csv$/;

/** A file being written, with the bytes written to it. */
interface OpenSegment {
  handle: fsp.FileHandle;
  file: SegmentFile;
  bytes: number;
}

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
  private readonly open = new Map<string, OpenSegment>();
  /** Files closed for size since the last rotation, oldest first. */
  private full: SegmentFile[] = [];
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

  /** Bytes written since the last rotation and how long the current files have been open. */
  get pendingBytes(): number {
    return this.bytes;
  }

  get ageMs(): number {
    return this.open.size === 0 ? 0 : Date.now() - this.startedAt;
  }

  /**
   * Appends rows (by day) and makes them durable. Rows that would take a
   * file past SEGMENT_FILE_BYTES go to a new one. Callers serialise appends
   * and rotations.
   */
  async append(byDay: Map<number, DayBatch>): Promise<void> {
    const parts: [number, PartitionKind, DayBatch, Buffer[]][] = [];
    for (const [day, batch] of byDay) {
      for (const kind of ['entries', 'entries_long'] as const) {
        const buffers = batch.buffers(kind);
        if (buffers.length === 0) continue;
        // Opened one after another: files are loaded (and days settled) in that order.
        await this.handle(day, kind);
        parts.push([day, kind, batch, buffers]);
      }
    }
    await Promise.all(parts.map((p) => this.appendTo(...p)));
  }

  /** Closes the current files and returns every closed file for loading. */
  async rotate(): Promise<SegmentFile[]> {
    const files = [...this.open.values()];
    this.open.clear();
    this.bytes = 0;
    this.nextGeneration();
    await Promise.all(files.map((f) => f.handle.close()));
    const full = this.full;
    this.full = [];
    return [...full, ...files.map((f) => f.file)];
  }

  /** Writes one day and kind's buffers in files of at most SEGMENT_FILE_BYTES (or one bigger buffer). */
  private async appendTo(
    day: number,
    kind: PartitionKind,
    batch: DayBatch,
    buffers: Buffer[],
  ): Promise<void> {
    let from = 0;
    while (from < buffers.length) {
      let segment = await this.handle(day, kind);
      if (segment.bytes > 0 && segment.bytes + buffers[from]!.length > SEGMENT_FILE_BYTES) {
        await this.closeFull(day, kind, segment);
        segment = await this.handle(day, kind);
      }
      const { file } = segment;
      if (file.minTs === undefined || batch.minTs < file.minTs) file.minTs = batch.minTs;
      if (file.maxTs === undefined || batch.maxTs > file.maxTs) file.maxTs = batch.maxTs;
      if (kind === 'entries_long') {
        file.longestRow = Math.max(file.longestRow ?? 0, batch.longestLongRow);
      }
      let to = from;
      let size = 0;
      do {
        size += buffers[to]!.length;
        to++;
      } while (
        to < buffers.length &&
        segment.bytes + size + buffers[to]!.length <= SEGMENT_FILE_BYTES
      );
      await segment.handle.writev(buffers.slice(from, to));
      await segment.handle.datasync();
      segment.bytes += size;
      this.bytes += size;
      from = to;
    }
  }

  /** Closes a file that took its share (it was synced when written) and queues it for loading. */
  private async closeFull(day: number, kind: PartitionKind, segment: OpenSegment): Promise<void> {
    this.open.delete(`${day}/${kind}`);
    await segment.handle.close();
    this.full.push(segment.file);
    // The next file of this day and kind needs a name of its own.
    this.nextGeneration();
  }

  /**
   * Names must never repeat, across restarts too: a day database remembers
   * the names it has loaded and skips them.
   */
  private nextGeneration(): void {
    this.generation = Math.max(Date.now(), this.generation + 1);
  }

  private async handle(day: number, kind: PartitionKind): Promise<OpenSegment> {
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
    const opened = { handle: await fsp.open(file.path, 'a'), file, bytes: 0 };
    this.open.set(key, opened);
    return opened;
  }
}
