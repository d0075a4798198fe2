import type { LabelMatcher, Labels } from '../common/labels.js';

/**
 * The read side of the log store, as the LogQL engine sees it. The engine
 * pushes down what storage can answer (stream matchers, line filters, time
 * bounds, direction, limit, and count/bytes aggregations) and runs parsers,
 * label filters and formatting itself on what comes back.
 */
export interface LogReader {
  /** Entries in the requested order, in batches; stops early when `signal` aborts. */
  selectEntries(req: SelectLogsRequest): AsyncIterable<StoredEntry[]>;
  /**
   * Per stream, the number of entries and of line bytes in each bucket
   * `(originNs + k*bucketNs, originNs + (k+1)*bucketNs]` that overlaps
   * [startNs, endNs); the engine sums buckets into range windows.
   */
  aggregateBuckets(req: BucketRequest): Promise<StreamBuckets[]>;
  /**
   * Optional: a parser's fields extracted by storage itself (see
   * ExtractedRequest), so the lines never travel to the engine. Resolves
   * undefined when storage cannot answer exactly as the engine's stages
   * would (a line outside the shapes it handles); the engine then runs the
   * stages instead.
   */
  extractedAggregation?(req: ExtractedRequest): Promise<ExtractedSeries[] | undefined>;
  /** Label sets of the streams with entries in [startNs, endNs) that match. */
  series(matchers: LabelMatcher[], startNs: bigint, endNs: bigint): Promise<Labels[]>;
  labelNames(startNs: bigint, endNs: bigint, matchers?: LabelMatcher[]): Promise<string[]>;
  labelValues(
    name: string,
    startNs: bigint,
    endNs: bigint,
    matchers?: LabelMatcher[],
  ): Promise<string[]>;
}

/** A LogQL line filter that storage evaluates (Loki 3.0 semantics). */
export interface LineFilter {
  /** `|=` contains, `!=` does not contain, `|~` regex, `!~` not regex, `|>` / `!>` pattern. */
  op: '|=' | '!=' | '|~' | '!~' | '|>' | '!>';
  /** Alternatives joined by `or` (`|= "a" or "b"`): the filter holds when any does. */
  values: string[];
}

export interface SelectLogsRequest {
  matchers: LabelMatcher[];
  filters: LineFilter[];
  /** Inclusive. */
  startNs: bigint;
  /** Exclusive. */
  endNs: bigint;
  direction: 'forward' | 'backward';
  /** Most entries to return; undefined for all (the engine then stops by `signal`). */
  limit?: number;
  signal?: AbortSignal;
  /**
   * Set by metric queries, which need no time order across streams: storage
   * may then return entries in any order (e.g. skip sorting). Each stream's
   * own entries should still come oldest first when that is free.
   */
  unordered?: boolean;
}

export interface StoredEntry {
  /** Canonical (sorted) stream labels; the same object for every entry of a stream. */
  labels: Labels;
  timestamp: bigint;
  line: string;
  metadata?: Labels;
}

export interface BucketRequest {
  matchers: LabelMatcher[];
  filters: LineFilter[];
  startNs: bigint;
  endNs: bigint;
  originNs: bigint;
  bucketNs: bigint;
  signal?: AbortSignal;
}

export interface StreamBuckets {
  labels: Labels;
  /** Bucket index k → counts, only for non-empty buckets. */
  buckets: Map<number, { count: number; bytes: number }>;
}

/**
 * `selector | logfmt` (non-strict, no parameters) where the query reads only
 * `fields`, all plain keys (`[A-Za-z][A-Za-z0-9]*`) that are no stream label
 * (or, with parser `none` and no fields, the selector and line filters alone):
 * each field's value is the last well-formed `key=value` pair outside quoted
 * values, unset when empty, as the logfmt stage's hinted lookup has it.
 * Without `unwrap`: per series, count and line bytes per bucket, as
 * BucketRequest. With `unwrap`: per series, every entry's time and the
 * field's value (entries where it is unset or empty are skipped).
 */
export interface ExtractedRequest extends BucketRequest {
  /** `none`: no parser, no fields, no unwrap; counts per stream as aggregateBuckets. */
  parser: 'logfmt' | 'none';
  /** Fields that become series labels (beside the stream's labels). */
  fields: string[];
  unwrap?: { field: string; conversion?: 'duration' | 'duration_seconds' };
  /**
   * Series labels are the fields alone (the caller drops the stream's
   * labels), so streams with the same field values form one series.
   */
  fieldsOnly?: boolean;
  /**
   * Without unwrap, optional: the evaluation windows `(end - rangeNs, end]`
   * for `end = firstEndNs + i·stepNs`, i < count. Storage may then answer
   * each series' totals per window (`windows`) instead of `buckets`.
   */
  windows?: { firstEndNs: bigint; stepNs: bigint; rangeNs: bigint; count: number };
}

export interface ExtractedSeries {
  /** Stream labels plus the fields that were set. */
  labels: Labels;
  /** Without unwrap: bucket index k → counts, only for non-empty buckets. */
  buckets?: Map<number, { count: number; bytes: number }>;
  /** Instead of buckets, when the request asked for windows: totals per window. */
  windows?: { count: number[]; bytes: number[] };
  /** With unwrap: each entry's time in ns after originNs, ascending. */
  offsets?: number[];
  /** With unwrap: the converted value (seconds for duration()) of each entry. */
  values?: number[];
}
