import type { Labels } from '../../common/labels.js';
import { LONG_LINE_BYTES, type PartitionKind } from './partitions.js';

/**
 * The entries of one day from one or more pushes, already in the CSV form of
 * the segment files (DuckDB's reader: quotes doubled, an absent metadata
 * NULL), split into short and long lines. Built as entries arrive, then
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

  constructor(ts: bigint) {
    this.minTs = ts;
    this.maxTs = ts;
  }

  add(streamId: number, ts: bigint, line: string, metadata: Labels | undefined): void {
    if (ts < this.minTs) this.minTs = ts;
    if (ts > this.maxTs) this.maxTs = ts;
    const text = line.includes('"') ? line.replaceAll('"', '""') : line;
    const meta = metadata ? `"${JSON.stringify(metadata).replaceAll('"', '""')}"` : '';
    // The byte length is stored beside the line so that bytes_over_time and
    // friends never have to decompress lines.
    const bytes = Buffer.byteLength(line);
    const row = `${streamId},${ts},${bytes},"${text}",${meta}\n`;
    if (bytes > LONG_LINE_BYTES) {
      this.long += row;
    } else {
      this.short += row;
    }
  }

  /** Moves the rows added so far into buffers (call once a push is built). */
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
  }
}
