import type { Labels } from '../../common/labels.js';
import { LONG_LINE_BYTES } from './partitions.js';

/**
 * The entries of one day from one or more pushes, already in the CSV form of
 * the segment files (DuckDB's reader: quotes doubled, an absent metadata
 * NULL), split into short and long lines. Built as entries arrive, so that
 * no per-entry object outlives the push.
 */
export class DayBatch {
  short = '';
  long = '';
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

  merge(other: DayBatch): void {
    this.short += other.short;
    this.long += other.long;
    if (other.minTs < this.minTs) this.minTs = other.minTs;
    if (other.maxTs > this.maxTs) this.maxTs = other.maxTs;
  }
}
