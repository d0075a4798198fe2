import type { Labels } from '../../common/labels.js';
import type { SampleAppender } from '../appender.js';
import { duplicate, outOfBounds, outOfOrder } from './errors.js';
import type { SeriesEntry } from './series-index.js';
import type { HeadSeries } from './head.js';

/** What an appender needs from the store. */
export interface HeadAccess {
  entryFor(labels: Labels): SeriesEntry;
  headSeries(id: number): HeadSeries | undefined;
  /** Samples older than this are out of bounds (Prometheus's appendable min valid time). */
  minValidTime(): number;
  /**
   * Applies validated samples to the head and resolves once they are in the
   * WAL. `words` holds each value's raw (lo, hi) 32-bit words; only the first
   * `n` samples count. The arrays are reused once it returns: it copies them.
   */
  commitSamples(
    entries: SeriesEntry[],
    ts: Float64Array,
    words: Uint32Array,
    n: number,
  ): Promise<void>;
}

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

interface Columns {
  entries: SeriesEntry[];
  ts: Float64Array;
  words: Uint32Array;
}

/**
 * Columns of finished appenders, reused: at a thousand requests a second,
 * fresh ones (grown by doubling to the batch size) were most of the ingest
 * path's malloc traffic. The head copies samples out during commit.
 */
const spareColumns: Columns[] = [];
const MAX_SPARE_COLUMNS = 16;

function takeColumns(): Columns {
  return (
    spareColumns.pop() ?? { entries: [], ts: new Float64Array(256), words: new Uint32Array(512) }
  );
}

function releaseColumns(c: Columns): void {
  c.entries.length = 0;
  if (spareColumns.length < MAX_SPARE_COLUMNS) spareColumns.push(c);
}

/**
 * Buffers samples until commit. `append` checks each sample against the head
 * and against earlier samples of this batch, throwing Prometheus's errors
 * (out of order, duplicate, out of bounds) so callers can skip or refuse it.
 * A sample equal to the newest one (same time, same value) is ignored, as
 * Prometheus does.
 */
export class HeadAppender implements SampleAppender {
  // Typed columns, grown by doubling: no per-sample boxing, little garbage.
  private cols = takeColumns();
  private entries = this.cols.entries;
  private ts = this.cols.ts;
  private words = this.cols.words;
  private n = 0;
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
      entry = this.head.entryFor(labels);
      if (entry !== this.lastEntry) {
        if (this.lastEntry && this.lastIndex >= 0)
          this.pending.set(this.lastEntry.id, this.lastIndex);
        this.lastIndex = this.pending.get(entry.id) ?? -1;
      }
      this.lastLabels = labels;
      this.lastEntry = entry;
    }
    scratch[0] = value;
    const lo = scratchWords[0]!;
    const hi = scratchWords[1]!;
    if (timestampMs < this.minValid) throw outOfBounds();
    const p = this.lastIndex;
    let lastT: number;
    let lastHi: number;
    let lastLo: number;
    if (p >= 0) {
      lastT = this.ts[p]!;
      lastHi = this.words[p * 2 + 1]!;
      lastLo = this.words[p * 2]!;
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
    const n = this.n;
    if (n === this.ts.length) this.grow();
    this.lastIndex = n;
    this.entries.push(entry);
    this.ts[n] = timestampMs;
    this.words[n * 2] = lo;
    this.words[n * 2 + 1] = hi;
    this.n = n + 1;
  }

  private grow(): void {
    const ts = new Float64Array(this.ts.length * 2);
    ts.set(this.ts);
    const words = new Uint32Array(this.words.length * 2);
    words.set(this.words);
    this.ts = this.cols.ts = ts;
    this.words = this.cols.words = words;
  }

  commit(): Promise<void> {
    if (this.done) return Promise.reject(new Error('appender already committed or rolled back'));
    this.done = true;
    const n = this.n;
    this.n = 0;
    const done = n ? this.head.commitSamples(this.entries, this.ts, this.words, n) : undefined;
    releaseColumns(this.cols);
    return done ?? Promise.resolve();
  }

  rollback(): void {
    if (this.done) return;
    this.done = true;
    this.n = 0;
    releaseColumns(this.cols);
  }
}
