import type { Labels } from '../../../common/labels.js';
import type { ExtractedRequest, ExtractedSeries, LogReader } from '../../reader.js';
import type { Grouping, RangeOp, SampleExpr } from '../ast.js';
import { LogqlPipelineError, LogqlRequestError } from '../errors.js';
import { ERROR_LABEL, LabelsBuilder } from '../labels-builder.js';
import { compilePipeline, runStages } from '../pipeline.js';
import { compileLabelFilter } from '../stages/label-filter.js';
import {
  goDurationError,
  goFloatError,
  parseBytesOrError,
  parseGoDurationSeconds,
  parseGoFloat,
} from '../units.js';
import { extractedShape } from './extracted.js';
import { windowTotalsByPrefix, type WindowTotals } from './prefix-windows.js';
import { applyRangeFunction } from './range-functions.js';
import { labelsKey, type StepSeries } from './step-series.js';

export interface EvalContext {
  reader: LogReader;
  /** Evaluation times, ascending, evenly spaced. */
  steps: bigint[];
  maxSeries: number;
  signal?: AbortSignal;
}

type RangeExpr = Extract<SampleExpr, { kind: 'range' }>;

const COUNTING = new Set<RangeOp>([
  'count_over_time',
  'rate',
  'bytes_over_time',
  'bytes_rate',
  'absent_over_time',
]);
const SAMPLE_EXTRACTION_ERROR = 'SampleExtractionErr';
/** More buckets than this and windows are computed from the entries themselves. */
const MAX_BUCKETS = 2_000_000;

/** Samples of one series, times relative to the start of the scanned span. */
interface SeriesSamples {
  labels: Labels;
  ts: number[];
  values: number[];
  sorted: boolean;
}

/** Stable sort by time, so equal times keep arrival order (first/last_over_time). */
function sortSamples(s: SeriesSamples): void {
  const order = s.ts.map((_, i) => i).sort((a, b) => s.ts[a]! - s.ts[b]! || a - b);
  s.ts = order.map((i) => s.ts[i]!);
  s.values = order.map((i) => s.values[i]!);
  s.sorted = true;
}

/** Per-bucket counts of one series (counting functions only). */
interface SeriesBuckets {
  labels: Labels;
  buckets: Map<number, { count: number; bytes: number }>;
}

/**
 * Evaluates `op(selector | pipeline [range] offset o)` at every step: windows
 * `(t - o - range, t - o]`. Counting functions over selector and line
 * filters are answered by storage in buckets; the rest runs the pipeline here.
 */
export async function evalRangeAggregation(
  expr: RangeExpr,
  ctx: EvalContext,
  hints?: ReadonlySet<string>,
): Promise<StepSeries[]> {
  const { range, op } = expr;
  const steps = ctx.steps;
  const first = steps[0]!;
  const last = steps[steps.length - 1]!;
  const spanStart = first - range.offsetNs - range.rangeNs;
  const spanEnd = last - range.offsetNs;
  const bucketNs = steps.length > 1 ? gcd(steps[1]! - first, range.rangeNs) : range.rangeNs;
  const bucketCount = (spanEnd - spanStart) / bucketNs;
  const pipeline = compilePipeline(range.selector.stages, hints);
  const bucketed = COUNTING.has(op) && !range.unwrap && bucketCount <= BigInt(MAX_BUCKETS);

  const extracted = await fromExtracted(expr, ctx, pipeline.pushdown, hints, {
    startNs: spanStart + 1n,
    endNs: spanEnd + 1n,
    originNs: spanStart,
    bucketNs,
  });
  if (extracted) return extracted;

  const stepNs = steps.length > 1 ? steps[1]! - first : range.rangeNs;
  // Two coarse scans instead of one fine one, unless line filters make each
  // scan read every line (then the second scan costs more than fine buckets).
  if (
    bucketed &&
    pipeline.stages.length === 0 &&
    pipeline.pushdown.length === 0 &&
    steps.length > 1 &&
    bucketCount > BigInt(4 * steps.length)
  ) {
    const totals = await windowTotalsByPrefix(
      ctx.reader,
      {
        matchers: range.selector.matchers,
        filters: pipeline.pushdown,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      },
      steps,
      stepNs,
      range.rangeNs,
      range.offsetNs,
      (labels) => group(labels, expr.grouping),
    );
    checkSeriesLimit(totals.length, ctx.maxSeries);
    return windowsFromTotals(expr, totals, steps.length);
  }
  if (bucketed) {
    let series: SeriesBuckets[];
    if (pipeline.stages.length === 0) {
      const req = {
        matchers: range.selector.matchers,
        filters: pipeline.pushdown,
        startNs: spanStart + 1n,
        endNs: spanEnd + 1n,
        originNs: spanStart,
        bucketNs,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      };
      // Line filters read every line of the selected streams: storage's own
      // extraction path scans them stream by stream, which it may do cheaper.
      const viaExtraction =
        pipeline.pushdown.length > 0 && ctx.reader.extractedAggregation
          ? await ctx.reader.extractedAggregation({
              ...req,
              parser: 'none',
              fields: [],
              windows: windowsOf(expr, steps),
            })
          : undefined;
      const totals = viaExtraction && windowTotalsOf(viaExtraction, expr.grouping);
      if (totals) {
        checkSeriesLimit(totals.length, ctx.maxSeries);
        return windowsFromTotals(expr, totals, steps.length);
      }
      const streams = viaExtraction ?? (await ctx.reader.aggregateBuckets(req));
      series = mergeBuckets(
        streams.map((s) => ({ labels: group(s.labels, expr.grouping), buckets: s.buckets! })),
      );
    } else {
      series = await bucketsFromEntries(expr, ctx, pipeline, spanStart, spanEnd, bucketNs);
    }
    checkSeriesLimit(series.length, ctx.maxSeries);
    return windowsFromBuckets(expr, series, steps, first, bucketNs);
  }
  const samples = await samplesFromEntries(expr, ctx, pipeline, spanStart, spanEnd);
  checkSeriesLimit(samples.length, ctx.maxSeries);
  return windowsFromSamples(expr, samples, steps, spanStart);
}

/**
 * The query answered by storage extracting the parser's fields itself, when
 * the shape allows (see extractedShape) and storage can; undefined otherwise.
 */
async function fromExtracted(
  expr: RangeExpr,
  ctx: EvalContext,
  pushdown: ReturnType<typeof compilePipeline>['pushdown'],
  hints: ReadonlySet<string> | undefined,
  span: { startNs: bigint; endNs: bigint; originNs: bigint; bucketNs: bigint },
): Promise<StepSeries[] | undefined> {
  const shape = extractedShape(expr, pushdown.length, hints);
  if (!shape || !ctx.reader.extractedAggregation) return undefined;
  if (!shape.unwrap && (span.endNs - span.startNs) / span.bucketNs > BigInt(MAX_BUCKETS)) {
    return undefined;
  }
  // Grouped by extracted labels only: storage may merge the streams itself.
  const by = expr.grouping && !expr.grouping.without ? expr.grouping.labels : undefined;
  const fieldsOnly = by !== undefined && by.every((l) => shape.fields.includes(l));
  const found = await ctx.reader.extractedAggregation({
    matchers: expr.range.selector.matchers,
    filters: pushdown,
    ...span,
    ...shape,
    ...(fieldsOnly ? { fieldsOnly } : {}),
    ...(shape.unwrap ? {} : { windows: windowsOf(expr, ctx.steps) }),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (!found) return undefined;
  const totals = !shape.unwrap && windowTotalsOf(found, expr.grouping);
  if (totals) {
    checkSeriesLimit(totals.length, ctx.maxSeries);
    return windowsFromTotals(expr, totals, ctx.steps.length);
  }
  if (!shape.unwrap) {
    const series = mergeBuckets(
      found.map((s) => ({ labels: group(s.labels, expr.grouping), buckets: s.buckets! })),
    );
    checkSeriesLimit(series.length, ctx.maxSeries);
    return windowsFromBuckets(expr, series, ctx.steps, ctx.steps[0]!, span.bucketNs);
  }
  const grouping = unwrapGrouping(expr);
  const byKey = new Map<string, SeriesSamples>();
  for (const s of found) {
    const labels = group(s.labels, grouping);
    const key = labelsKey(labels);
    const into = byKey.get(key);
    if (!into) {
      // Each answer comes in time order; only merged ones need sorting.
      byKey.set(key, { labels, ts: s.offsets!, values: s.values!, sorted: true });
      continue;
    }
    into.sorted = false;
    for (let i = 0; i < s.offsets!.length; i++) {
      into.ts.push(s.offsets![i]!);
      into.values.push(s.values![i]!);
    }
  }
  for (const s of byKey.values()) if (!s.sorted) sortSamples(s);
  checkSeriesLimit(byKey.size, ctx.maxSeries);
  return windowsFromSamples(expr, [...byKey.values()], ctx.steps, span.originNs);
}

/** The evaluation windows `(t - o - range, t - o]` of a range aggregation, for storage. */
function windowsOf(expr: RangeExpr, steps: bigint[]): NonNullable<ExtractedRequest['windows']> {
  const { rangeNs, offsetNs } = expr.range;
  return {
    firstEndNs: steps[0]! - offsetNs,
    stepNs: steps.length > 1 ? steps[1]! - steps[0]! : rangeNs,
    rangeNs,
    count: steps.length,
  };
}

/**
 * Window totals per series, merged by the range's grouping, when storage
 * answered per window (it may answer buckets instead); undefined otherwise.
 */
function windowTotalsOf(
  found: ExtractedSeries[],
  grouping: Grouping | undefined,
): WindowTotals[] | undefined {
  if (!found.every((s) => s.windows)) return undefined;
  const byKey = new Map<string, WindowTotals>();
  for (const s of found) {
    const labels = group(s.labels, grouping);
    const key = labelsKey(labels);
    const into = byKey.get(key);
    if (!into) {
      byKey.set(key, { labels, count: [...s.windows!.count], bytes: [...s.windows!.bytes] });
      continue;
    }
    for (let i = 0; i < into.count.length; i++) {
      into.count[i]! += s.windows!.count[i]!;
      into.bytes[i]! += s.windows!.bytes[i]!;
    }
  }
  return [...byKey.values()];
}

/** Unwrapped samples keep the range's `by` labels, or all but the unwrapped one. */
function unwrapGrouping(expr: RangeExpr): Grouping | undefined {
  const unwrap = expr.range.unwrap!;
  return expr.grouping && !expr.grouping.without
    ? expr.grouping
    : { without: true, labels: [...(expr.grouping?.labels ?? []), unwrap.label] };
}

function checkSeriesLimit(n: number, max: number): void {
  if (n > max) {
    throw new LogqlRequestError(`maximum of series (${max}) reached for a single query`);
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function group(labels: Labels, grouping: Grouping | undefined): Labels {
  if (!grouping || labels[ERROR_LABEL] !== undefined) return labels;
  const set = new Set(grouping.labels);
  const out: Labels = {};
  for (const name in labels) if (set.has(name) !== grouping.without) out[name] = labels[name]!;
  return out;
}

function mergeBuckets(list: SeriesBuckets[]): SeriesBuckets[] {
  const byKey = new Map<string, SeriesBuckets>();
  for (const s of list) {
    const key = labelsKey(s.labels);
    const into = byKey.get(key);
    if (!into) {
      byKey.set(key, { labels: s.labels, buckets: new Map(s.buckets) });
      continue;
    }
    for (const [k, v] of s.buckets) {
      const cur = into.buckets.get(k);
      if (cur) into.buckets.set(k, { count: cur.count + v.count, bytes: cur.bytes + v.bytes });
      else into.buckets.set(k, v);
    }
  }
  return [...byKey.values()];
}

async function* entriesOf(
  expr: RangeExpr,
  ctx: EvalContext,
  pushdown: ReturnType<typeof compilePipeline>['pushdown'],
  spanStart: bigint,
  spanEnd: bigint,
): AsyncIterable<import('../../reader.js').StoredEntry[]> {
  yield* ctx.reader.selectEntries({
    matchers: expr.range.selector.matchers,
    filters: pushdown,
    startNs: spanStart + 1n,
    endNs: spanEnd + 1n,
    direction: 'forward',
    unordered: true,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
}

async function bucketsFromEntries(
  expr: RangeExpr,
  ctx: EvalContext,
  pipeline: ReturnType<typeof compilePipeline>,
  spanStart: bigint,
  spanEnd: bigint,
  bucketNs: bigint,
): Promise<SeriesBuckets[]> {
  const lbs = new LabelsBuilder();
  const bucketWidth = Number(bucketNs);
  const byteOps = expr.op === 'bytes_over_time' || expr.op === 'bytes_rate';
  // Below 2^52 ns (52 days) of span, double arithmetic gives the same bucket as BigInt.
  const small = spanEnd - spanStart < 2n ** 52n;
  const byKey = new Map<string, SeriesBuckets>();
  for await (const batch of entriesOf(expr, ctx, pipeline.pushdown, spanStart, spanEnd)) {
    for (const e of batch) {
      const line = runStages(pipeline.stages, lbs, e.labels, e.timestamp, e.line);
      if (line === null) continue;
      const key = lbs.groupedKey(expr.grouping);
      let s = byKey.get(key);
      if (!s) {
        s = { labels: lbs.grouped(expr.grouping), buckets: new Map() };
        byKey.set(key, s);
      }
      const k = small
        ? Math.floor((Number(e.timestamp - spanStart) - 1) / bucketWidth)
        : Number((e.timestamp - spanStart - 1n) / bucketNs);
      const cur = s.buckets.get(k);
      const bytes = byteOps ? Buffer.byteLength(line) : 0;
      if (cur) {
        cur.count++;
        cur.bytes += bytes;
      } else s.buckets.set(k, { count: 1, bytes });
    }
  }
  return [...byKey.values()];
}

function windowsFromBuckets(
  expr: RangeExpr,
  series: SeriesBuckets[],
  steps: bigint[],
  first: bigint,
  bucketNs: bigint,
): StepSeries[] {
  const perWindow = Number(expr.range.rangeNs / bucketNs);
  const rangeSeconds = Number(expr.range.rangeNs) / 1e9;
  const byteOps = expr.op === 'bytes_over_time' || expr.op === 'bytes_rate';
  const out: StepSeries[] = [];
  const present = new Array<boolean>(steps.length).fill(false);
  for (const s of series) {
    const keys = [...s.buckets.keys()].sort((a, b) => a - b);
    const prefix = [0];
    for (const k of keys) {
      const b = s.buckets.get(k)!;
      prefix.push(prefix[prefix.length - 1]! + (byteOps ? b.bytes : b.count));
    }
    const counts = [0];
    for (const k of keys) counts.push(counts[counts.length - 1]! + s.buckets.get(k)!.count);
    const values: (number | undefined)[] = new Array(steps.length);
    let any = false;
    for (let i = 0; i < steps.length; i++) {
      const k0 = Number((steps[i]! - first) / bucketNs);
      const lo = lowerBound(keys, k0);
      const hi = lowerBound(keys, k0 + perWindow);
      const n = counts[hi]! - counts[lo]!;
      if (n === 0) continue;
      if (s.labels[ERROR_LABEL] !== undefined) throw new LogqlPipelineError(s.labels);
      present[i] = true;
      const total = prefix[hi]! - prefix[lo]!;
      any = true;
      values[i] = expr.op === 'rate' || expr.op === 'bytes_rate' ? total / rangeSeconds : total;
    }
    if (any && expr.op !== 'absent_over_time') out.push({ labels: s.labels, values });
  }
  if (expr.op === 'absent_over_time') return absent(expr, present);
  return out;
}

function windowsFromTotals(expr: RangeExpr, totals: WindowTotals[], n: number): StepSeries[] {
  const rangeSeconds = Number(expr.range.rangeNs) / 1e9;
  const byteOps = expr.op === 'bytes_over_time' || expr.op === 'bytes_rate';
  const perSecond = expr.op === 'rate' || expr.op === 'bytes_rate';
  const present = new Array<boolean>(n).fill(false);
  const out: StepSeries[] = [];
  for (const t of totals) {
    const values: (number | undefined)[] = new Array(t.count.length);
    let any = false;
    for (let i = 0; i < t.count.length; i++) {
      if (t.count[i] === 0) continue;
      if (t.labels[ERROR_LABEL] !== undefined) throw new LogqlPipelineError(t.labels);
      present[i] = true;
      const total = byteOps ? t.bytes[i]! : t.count[i]!;
      values[i] = perSecond ? total / rangeSeconds : total;
      any = true;
    }
    if (any && expr.op !== 'absent_over_time') out.push({ labels: t.labels, values });
  }
  if (expr.op === 'absent_over_time') return absent(expr, present);
  return out;
}

function absent(expr: RangeExpr, present: boolean[]): StepSeries[] {
  const labels: Labels = {};
  const seen = new Set<string>();
  for (const m of expr.range.selector.matchers) {
    if (m.type !== '=') continue;
    // A name matched twice is left out, as Prometheus's absent() does.
    if (seen.has(m.name)) delete labels[m.name];
    else labels[m.name] = m.value;
    seen.add(m.name);
  }
  const values = present.map((p) => (p ? undefined : 1));
  return values.some((v) => v !== undefined) ? [{ labels, values }] : [];
}

function lowerBound(arr: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `(lo, hi]`: the first index with a time above `x`. */
function upperBound(arr: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type Converter = (v: string) => number | string;

function converter(conv: 'bytes' | 'duration' | 'duration_seconds' | undefined): Converter {
  switch (conv) {
    case 'bytes':
      return parseBytesOrError;
    case 'duration':
    case 'duration_seconds':
      return (v) => parseGoDurationSeconds(v) ?? goDurationError(v);
    default:
      return (v) => parseGoFloat(v) ?? goFloatError(v);
  }
}

async function samplesFromEntries(
  expr: RangeExpr,
  ctx: EvalContext,
  pipeline: ReturnType<typeof compilePipeline>,
  spanStart: bigint,
  spanEnd: bigint,
): Promise<SeriesSamples[]> {
  const lbs = new LabelsBuilder();
  const unwrap = expr.range.unwrap;
  const convert = converter(unwrap?.conversion);
  const postFilters = (unwrap?.postFilters ?? []).map(compileLabelFilter);
  const grouping = unwrap ? unwrapGrouping(expr) : expr.grouping;
  const byteOps = expr.op === 'bytes_over_time' || expr.op === 'bytes_rate';
  const byKey = new Map<string, SeriesSamples>();
  for await (const batch of entriesOf(expr, ctx, pipeline.pushdown, spanStart, spanEnd)) {
    for (const e of batch) {
      const line = runStages(pipeline.stages, lbs, e.labels, e.timestamp, e.line);
      if (line === null) continue;
      let value: number;
      if (unwrap) {
        const text = lbs.get(unwrap.label);
        // Lines without the label are skipped (Loki issue 6713).
        if (text === undefined || text === '') continue;
        const v = convert(text);
        if (typeof v === 'string') {
          lbs.setErr(SAMPLE_EXTRACTION_ERROR, v);
          value = 0;
        } else value = v;
        if (!postFilters.every((f) => f(lbs))) continue;
      } else {
        value = byteOps ? Buffer.byteLength(line) : 1;
      }
      const key = lbs.groupedKey(grouping);
      let s = byKey.get(key);
      if (!s) {
        s = { labels: lbs.grouped(grouping), ts: [], values: [], sorted: true };
        byKey.set(key, s);
      }
      const t = Number(e.timestamp - spanStart);
      if (s.ts.length > 0 && t < s.ts[s.ts.length - 1]!) s.sorted = false;
      s.ts.push(t);
      s.values.push(value);
    }
  }
  // Storage may interleave streams out of order; windows need each series in time order.
  for (const s of byKey.values()) if (!s.sorted) sortSamples(s);
  return [...byKey.values()];
}

function windowsFromSamples(
  expr: RangeExpr,
  series: SeriesSamples[],
  steps: bigint[],
  spanStart: bigint,
): StepSeries[] {
  const rangeNs = Number(expr.range.rangeNs);
  const rangeSeconds = rangeNs / 1e9;
  const out: StepSeries[] = [];
  const present = new Array<boolean>(steps.length).fill(false);
  for (const s of series) {
    const values: (number | undefined)[] = new Array(steps.length);
    let any = false;
    for (let i = 0; i < steps.length; i++) {
      const end = Number(steps[i]! - expr.range.offsetNs - spanStart);
      const start = end - rangeNs;
      const from = upperBound(s.ts, start);
      const to = upperBound(s.ts, end);
      if (to <= from) continue;
      if (s.labels[ERROR_LABEL] !== undefined) throw new LogqlPipelineError(s.labels);
      present[i] = true;
      const v = applyRangeFunction(expr.op, s.ts, s.values, from, to, rangeSeconds, expr.param);
      if (v === undefined) continue;
      values[i] = v;
      any = true;
    }
    if (any && expr.op !== 'absent_over_time') out.push({ labels: s.labels, values });
  }
  if (expr.op === 'absent_over_time') return absent(expr, present);
  return out;
}
