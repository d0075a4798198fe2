import type { Labels } from '../../common/labels.js';
import { LONG_LINE_BYTES, type PartitionKind } from './partitions.js';
import { SEGMENT_QUOTE } from './segment-csv.js';

const Q = SEGMENT_QUOTE;
const QQ = Q + Q;

/**
 * Rows are sealed into buffers of about this many UTF-16 units (1-3 MiB of
 * UTF-8), so that the segment log can start a new file between two buffers
 * of one big push (segment-log.ts).
 */
export const SEAL_UNITS = 1 << 20;

/**
 * The entries of one day from one or more pushes, already in the CSV form of
 * the segment files (segment-csv.ts: quoted with U+0001, an absent metadata
 * NULL), split into short and long lines (over 2 KiB). Built as entries arrive, then
 * sealed into buffers, so that neither per-entry objects nor the rows'
 * strings stay on the V8 heap while the push waits for its fsync (surviving
 * that wait promoted them to the old generation: a fifth of the push path's
 * time went to collecting them).
 */
export class DayBatch {
  private short = '';
  private long = '';
  private readonly sealed: Record<PartitionKind, Buffer[]> = { entries: [], entries_long: [] };
  minTs: bigint;
  maxTs: bigint;
  /** UTF-8 bytes of the longest long-line row: what DuckDB's CSV reader must hold at once. */
  longestLongRow = 0;

  constructor(ts: bigint) {
    this.minTs = ts;
    this.maxTs = ts;
  }

  add(streamId: number, ts: bigint, line: string, metadata: Labels | undefined): void {
    if (ts < this.minTs) this.minTs = ts;
    if (ts > this.maxTs) this.maxTs = ts;
    const text = line.includes(Q) ? line.replaceAll(Q, QQ) : line;
    const meta = metadata ? Q + JSON.stringify(metadata).replaceAll(Q, QQ) + Q : '';
    const row = `${streamId},${ts},${Q}${text}${Q},${meta}\n`;
    // UTF-8 takes 1 to 3 bytes per UTF-16 unit: most lines need no count.
    const long =
      line.length > LONG_LINE_BYTES ||
      (line.length * 3 > LONG_LINE_BYTES && Buffer.byteLength(line) > LONG_LINE_BYTES);
    if (long) {
      this.longestLongRow = Math.max(this.longestLongRow, Buffer.byteLength(row));
      this.long += row;
      if (this.long.length >= SEAL_UNITS) this.seal();
    } else {
      this.short += row;
      if (this.short.length >= SEAL_UNITS) this.seal();
    }
  }

  /** Moves the rows added so far into buffers: once a push is built, and as a big one grows. */
  seal(): void {
    if (this.short !== '') this.sealed.entries.push(Buffer.from(this.short));
    if (this.long !== '') this.sealed.entries_long.push(Buffer.from(this.long));
    this.short = '';
    this.long = '';
  }

  /** The sealed rows of one table kind. */
  buffers(kind: PartitionKind): Buffer[] {
    return this.sealed[kind];
  }

  merge(other: DayBatch): void {
    this.sealed.entries.push(...other.sealed.entries);
    this.sealed.entries_long.push(...other.sealed.entries_long);
    if (other.minTs < this.minTs) this.minTs = other.minTs;
    if (other.maxTs > this.maxTs) this.maxTs = other.maxTs;
    this.longestLongRow = Math.max(this.longestLongRow, other.longestLongRow);
  }
}
