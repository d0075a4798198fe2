import type { LabelMatcher, Labels } from '../common/labels.js';

/**
 * The read side of the metrics store, as Prometheus's storage.Queryable: the
 * PromQL engine reads only through this, so it runs the same over the
 * embedded store or over a few lines of in-memory test data.
 */
export interface Queryable {
  /** A querier over samples with timestamps in [mintMs, maxtMs]. */
  querier(mintMs: number, maxtMs: number): Promise<Querier>;
}

export interface SelectHints {
  startMs: number;
  endMs: number;
  /** Evaluation step of a range query, 0 for instant queries. */
  stepMs?: number;
  /**
   * Width of the window each step reads (a range selector's range, or the
   * lookback delta), as Prometheus's hints.Range. With `stepMs`, only samples
   * in [startMs + k*stepMs, startMs + k*stepMs + rangeMs] are needed, so a
   * store may skip chunks between windows; returning more is always correct.
   */
  rangeMs?: number;
  /** The function the selection feeds (`rate`, `series`...), a hint only. */
  func?: string;
  /**
   * Only the newest sample in [startMs, endMs] is used (an instant vector
   * selector evaluated at one time), so a store may return just that one.
   */
  newestOnly?: boolean;
}

export interface Querier {
  /** Series matching all matchers, sorted by their labels; samples sorted by time. */
  select(matchers: LabelMatcher[], hints?: SelectHints): Promise<Series[]>;
  labelNames(matchers?: LabelMatcher[]): Promise<string[]>;
  labelValues(name: string, matchers?: LabelMatcher[]): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * One series' samples in the querier's window. Staleness markers are the
 * Prometheus StaleNaN bit pattern in `values`; test with `isStaleMarker`,
 * never by reading the value into a JS number first (V8 may canonicalise NaN).
 */
export interface Series {
  labels: Labels;
  timestamps: Float64Array;
  values: Float64Array;
  /**
   * Native histogram samples, parallel to `timestamps`: where an entry is
   * set the sample is that histogram and `values` there is ignored. Absent
   * for series with float samples only.
   */
  histograms?: (FloatHistogram | undefined)[];
}

/** A run of consecutive buckets, `offset` buckets after the previous span, as in Prometheus. */
export interface HistogramSpan {
  offset: number;
  length: number;
}

/**
 * A native (sparse, exponential) histogram as Prometheus's FloatHistogram:
 * bucket counts are absolute (not deltas); bucket i of schema s covers
 * (2^((i-1)·2^-s), 2^(i·2^-s)], negative buckets mirror that below zero.
 */
export interface FloatHistogram {
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  count: number;
  sum: number;
  positiveSpans: HistogramSpan[];
  positiveBuckets: number[];
  negativeSpans: HistogramSpan[];
  negativeBuckets: number[];
}

/** Prometheus's value.StaleNaN, 0x7ff0000000000002. */
export const STALE_NAN_BITS = { hi: 0x7ff00000, lo: 0x00000002 } as const;

export function isStaleMarker(values: Float64Array, index: number): boolean {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  return words[index * 2] === STALE_NAN_BITS.lo && words[index * 2 + 1] === STALE_NAN_BITS.hi;
}

export function writeStaleMarker(values: Float64Array, index: number): void {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  words[index * 2] = STALE_NAN_BITS.lo;
  words[index * 2 + 1] = STALE_NAN_BITS.hi;
}
