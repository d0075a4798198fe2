import type { Labels } from '../../common/labels.js';
import type { SampleAppender } from '../appender.js';
import { duplicate, outOfBounds, outOfOrder } from './errors.js';
import { seriesKey, type SeriesEntry } from './series-index.js';
import { floatHi, floatLo } from './xor-chunk.js';
import type { HeadSeries } from './head.js';

/** What an appender needs from the store. */
export interface HeadAccess {
  entryFor(labels: Labels, key: string): SeriesEntry;
  headSeries(id: number): HeadSeries | undefined;
  /** Samples older than this are out of bounds (Prometheus's appendable min valid time). */
  minValidTime(): number;
  /** Applies validated samples to the head and resolves once they are in the WAL. */
  commitSamples(entries: SeriesEntry[], ts: number[], his: number[], los: number[]): Promise<void>;
}

/**
 * Buffers samples until commit. `append` checks each sample against the head
 * and against earlier samples of this batch, throwing Prometheus's errors
 * (out of order, duplicate, out of bounds) so callers can skip or refuse it.
 * A sample equal to the newest one (same time, same value) is ignored, as
 * Prometheus does.
 */
export class HeadAppender implements SampleAppender {
  private entries: SeriesEntry[] = [];
  private ts: number[] = [];
  private his: number[] = [];
  private los: number[] = [];
  /** Series id → index of its newest pending sample. */
  private pending = new Map<number, number>();
  private lastLabels: Labels | null = null;
  private lastEntry: SeriesEntry | null = null;
  /** Index of lastEntry's newest pending sample, -1 if none. */
  private lastIndex = -1;
  private done = false;
  /** Fixed per batch; commit re-checks against the head of that moment. */
  private readonly minValid: number;

  constructor(private readonly head: HeadAccess) {
    this.minValid = head.minValidTime();
  }

  append(labels: Labels, timestampMs: number, value: number): void {
    if (this.done) throw new Error('appender already committed or rolled back');
    let entry: SeriesEntry;
    if (labels === this.lastLabels) entry = this.lastEntry!;
    else {
      entry = this.head.entryFor(labels, seriesKey(labels));
      if (entry !== this.lastEntry) {
        if (this.lastEntry && this.lastIndex >= 0)
          this.pending.set(this.lastEntry.id, this.lastIndex);
        this.lastIndex = this.pending.get(entry.id) ?? -1;
      }
      this.lastLabels = labels;
      this.lastEntry = entry;
    }
    const hi = floatHi(value);
    const lo = floatLo(value);
    if (timestampMs < this.minValid) throw outOfBounds();
    const p = this.lastIndex >= 0 ? this.lastIndex : undefined;
    let lastT: number;
    let lastHi: number;
    let lastLo: number;
    if (p !== undefined) {
      lastT = this.ts[p]!;
      lastHi = this.his[p]!;
      lastLo = this.los[p]!;
    } else {
      const hs = this.head.headSeries(entry.id);
      lastT = hs ? hs.lastT : -Infinity;
      lastHi = hs ? hs.lastHi : 0;
      lastLo = hs ? hs.lastLo : 0;
    }
    if (timestampMs < lastT) throw outOfOrder();
    if (timestampMs === lastT) {
      if (hi === lastHi && lo === lastLo) return;
      throw duplicate();
    }
    this.lastIndex = this.ts.length;
    this.entries.push(entry);
    this.ts.push(timestampMs);
    this.his.push(hi);
    this.los.push(lo);
  }

  commit(): Promise<void> {
    if (this.done) return Promise.reject(new Error('appender already committed or rolled back'));
    this.done = true;
    if (this.ts.length === 0) return Promise.resolve();
    return this.head.commitSamples(this.entries, this.ts, this.his, this.los);
  }

  rollback(): void {
    this.done = true;
    this.entries = [];
    this.ts = [];
    this.his = [];
    this.los = [];
  }
}
