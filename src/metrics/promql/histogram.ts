import type { FloatHistogram, HistogramSpan } from '../queryable.js';

/** A native histogram with its buckets keyed by index, for arithmetic. */
interface Expanded {
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  count: number;
  sum: number;
  pos: Map<number, number>;
  neg: Map<number, number>;
}

function expandSide(spans: HistogramSpan[], buckets: number[]): Map<number, number> {
  const out = new Map<number, number>();
  let idx = 0;
  let b = 0;
  for (const span of spans) {
    idx += span.offset;
    for (let i = 0; i < span.length; i++) out.set(idx + i, buckets[b++] ?? 0);
    idx += span.length;
  }
  return out;
}

function expand(h: FloatHistogram): Expanded {
  return {
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCount: h.zeroCount,
    count: h.count,
    sum: h.sum,
    pos: expandSide(h.positiveSpans, h.positiveBuckets),
    neg: expandSide(h.negativeSpans, h.negativeBuckets),
  };
}

function compactSide(m: Map<number, number>): { spans: HistogramSpan[]; buckets: number[] } {
  const idxs = [...m.keys()].filter((i) => m.get(i) !== 0).sort((a, b) => a - b);
  const spans: HistogramSpan[] = [];
  const buckets: number[] = [];
  let next = 0;
  for (const i of idxs) {
    const last = spans[spans.length - 1];
    if (last && i === next) last.length++;
    else spans.push({ offset: spans.length === 0 ? i : i - next, length: 1 });
    buckets.push(m.get(i)!);
    next = i + 1;
  }
  return { spans, buckets };
}

function compact(e: Expanded): FloatHistogram {
  const p = compactSide(e.pos);
  const n = compactSide(e.neg);
  return {
    schema: e.schema,
    zeroThreshold: e.zeroThreshold,
    zeroCount: e.zeroCount,
    count: e.count,
    sum: e.sum,
    positiveSpans: p.spans,
    positiveBuckets: p.buckets,
    negativeSpans: n.spans,
    negativeBuckets: n.buckets,
  };
}

/** Bucket index at a lower schema: Prometheus's targetIdx, ((idx-1) >> delta) + 1. */
function reduceSide(m: Map<number, number>, delta: number): Map<number, number> {
  if (delta === 0) return new Map(m);
  const out = new Map<number, number>();
  for (const [i, c] of m) {
    const t = Math.floor((i - 1) / 2 ** delta) + 1;
    out.set(t, (out.get(t) ?? 0) + c);
  }
  return out;
}

function atSchema(e: Expanded, schema: number): Expanded {
  const delta = e.schema - schema;
  return { ...e, schema, pos: reduceSide(e.pos, delta), neg: reduceSide(e.neg, delta) };
}

function combine(a: FloatHistogram, b: FloatHistogram, sign: 1 | -1): FloatHistogram {
  const schema = Math.min(a.schema, b.schema);
  const x = atSchema(expand(a), schema);
  const y = atSchema(expand(b), schema);
  for (const [side, other] of [
    [x.pos, y.pos],
    [x.neg, y.neg],
  ] as const) {
    for (const [i, c] of other) side.set(i, (side.get(i) ?? 0) + sign * c);
  }
  return compact({
    ...x,
    zeroThreshold: Math.max(x.zeroThreshold, y.zeroThreshold),
    zeroCount: x.zeroCount + sign * y.zeroCount,
    count: x.count + sign * y.count,
    sum: x.sum + sign * y.sum,
  });
}

export function histogramAdd(a: FloatHistogram, b: FloatHistogram): FloatHistogram {
  return combine(a, b, 1);
}

export function histogramSub(a: FloatHistogram, b: FloatHistogram): FloatHistogram {
  return combine(a, b, -1);
}

/** Every count and the sum multiplied by `f`. */
export function histogramScale(h: FloatHistogram, f: number): FloatHistogram {
  return {
    ...h,
    zeroCount: h.zeroCount * f,
    count: h.count * f,
    sum: h.sum * f,
    positiveBuckets: h.positiveBuckets.map((c) => c * f),
    negativeBuckets: h.negativeBuckets.map((c) => c * f),
  };
}

/** Every count and the sum divided by `d`. */
export function histogramDiv(h: FloatHistogram, d: number): FloatHistogram {
  return {
    ...h,
    zeroCount: h.zeroCount / d,
    count: h.count / d,
    sum: h.sum / d,
    positiveBuckets: h.positiveBuckets.map((c) => c / d),
    negativeBuckets: h.negativeBuckets.map((c) => c / d),
  };
}

/** Whether b is a counter reset of a (some count went down), as Prometheus's DetectReset. */
export function histogramIsReset(prev: FloatHistogram, cur: FloatHistogram): boolean {
  if (cur.count < prev.count || cur.zeroCount < prev.zeroCount) return true;
  if (cur.schema > prev.schema || cur.zeroThreshold !== prev.zeroThreshold) return true;
  const schema = Math.min(prev.schema, cur.schema);
  const p = atSchema(expand(prev), schema);
  const c = atSchema(expand(cur), schema);
  for (const [a, b] of [
    [p.pos, c.pos],
    [p.neg, c.neg],
  ] as const) {
    for (const [i, n] of a) if ((b.get(i) ?? 0) < n) return true;
  }
  return false;
}

/** Prometheus's getBound: the upper bound of bucket `idx` at `schema`. */
function bound(idx: number, schema: number): number {
  return Math.pow(2, idx * Math.pow(2, -schema));
}

export interface HistogramBucket {
  lower: number;
  upper: number;
  count: number;
  lowerInclusive: boolean;
  upperInclusive: boolean;
}

/** All buckets from the lowest to the highest, zero bucket in the middle, as AllBucketIterator. */
export function histogramBuckets(h: FloatHistogram): HistogramBucket[] {
  const e = expand(h);
  const out: HistogramBucket[] = [];
  const negIdx = [...e.neg.keys()].sort((a, b) => b - a);
  for (const i of negIdx) {
    out.push({
      lower: -bound(i, e.schema),
      upper: -bound(i - 1, e.schema),
      count: e.neg.get(i)!,
      lowerInclusive: true,
      upperInclusive: false,
    });
  }
  if (e.zeroCount > 0) {
    out.push({
      lower: -e.zeroThreshold,
      upper: e.zeroThreshold,
      count: e.zeroCount,
      lowerInclusive: true,
      upperInclusive: true,
    });
  }
  const posIdx = [...e.pos.keys()].sort((a, b) => a - b);
  for (const i of posIdx) {
    out.push({
      lower: bound(i - 1, e.schema),
      upper: bound(i, e.schema),
      count: e.pos.get(i)!,
      lowerInclusive: false,
      upperInclusive: true,
    });
  }
  return out;
}

function bucketsForEstimates(h: FloatHistogram): HistogramBucket[] {
  const buckets = histogramBuckets(h);
  const hasNeg = h.negativeBuckets.length > 0;
  const hasPos = h.positiveBuckets.length > 0;
  // In the zero bucket of a one-sided histogram, 0 is the bound on the empty side.
  return buckets.map((b) => {
    if (b.lower < 0 && b.upper > 0) {
      if (!hasNeg && hasPos) return { ...b, lower: 0 };
      if (!hasPos && hasNeg) return { ...b, upper: 0 };
    }
    return b;
  });
}

/**
 * Prometheus's histogramQuantile for native histograms: walks the buckets
 * from below for q < 0.5 (or when the sum is NaN) and from above otherwise,
 * then interpolates linearly inside the bucket holding the rank.
 */
export function nativeHistogramQuantile(q: number, h: FloatHistogram): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (h.count === 0 || Number.isNaN(q)) return NaN;
  const forward = Number.isNaN(h.sum) || q < 0.5;
  const buckets = histogramBuckets(h);
  if (!forward) buckets.reverse();
  let rank = (forward ? q : 1 - q) * h.count;
  let count = 0;
  let bucket: HistogramBucket | undefined;
  for (const b of buckets) {
    bucket = b;
    if (b.count === 0) continue;
    count += b.count;
    if (count >= rank) break;
  }
  if (!bucket) return NaN;
  let { lower, upper } = bucket;
  if (lower < 0 && upper > 0) {
    if (h.negativeBuckets.length === 0 && h.positiveBuckets.length > 0) lower = 0;
    else if (h.positiveBuckets.length === 0 && h.negativeBuckets.length > 0) upper = 0;
  }
  if (count > h.count) count = h.count;
  if (count < rank) return upper;
  rank -= count - bucket.count;
  if (!forward) return upper - (upper - lower) * (rank / bucket.count);
  return lower + (upper - lower) * (rank / bucket.count);
}

/** Prometheus's histogramFraction: the share of observations in [lower, upper], interpolated linearly. */
export function nativeHistogramFraction(lower: number, upper: number, h: FloatHistogram): number {
  if (h.count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  for (const b of bucketsForEstimates(h)) {
    if (!lowerSet && b.lower >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && b.lower >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && b.lower < lower && b.upper > lower) {
      lowerRank = rank + (b.count * (lower - b.lower)) / (b.upper - b.lower);
      lowerSet = true;
    }
    if (!upperSet && b.lower < upper && b.upper > upper) {
      upperRank = rank + (b.count * (upper - b.lower)) / (b.upper - b.lower);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank += b.count;
  }
  if (!lowerSet || lowerRank > h.count) lowerRank = h.count;
  if (!upperSet || upperRank > h.count) upperRank = h.count;
  return (upperRank - lowerRank) / h.count;
}

/** Prometheus's histogram_stdvar estimate: bucket midpoints (geometric), weighted by counts. */
export function nativeHistogramVariance(h: FloatHistogram): number {
  const mean = h.sum / h.count;
  let variance = 0;
  let c = 0;
  for (const b of histogramBuckets(h)) {
    if (b.count === 0) continue;
    let val = 0;
    if (!(b.lower <= 0 && 0 <= b.upper)) {
      val = Math.sqrt(b.upper * b.lower);
      if (b.upper < 0) val = -val;
    }
    const delta = val - mean;
    const t = variance + b.count * delta * delta;
    c +=
      Math.abs(variance) >= Math.abs(b.count * delta * delta)
        ? variance - t + b.count * delta * delta
        : b.count * delta * delta - t + variance;
    variance = t;
  }
  return (variance + c) / h.count;
}

/** The API's rendering of a histogram sample: count, sum and non-empty buckets with boundary rules. */
export function histogramJson(
  h: FloatHistogram,
  fmt: (v: number) => string,
): { count: string; sum: string; buckets?: [number, string, string, string][] } {
  const buckets: [number, string, string, string][] = [];
  for (const b of histogramBuckets(h)) {
    if (b.count === 0) continue;
    // 0: (a,b]  1: [a,b)  2: (a,b)  3: [a,b]
    const rule = b.lowerInclusive ? (b.upperInclusive ? 3 : 1) : b.upperInclusive ? 0 : 2;
    buckets.push([rule, fmt(b.lower), fmt(b.upper), fmt(b.count)]);
  }
  const out: { count: string; sum: string; buckets?: [number, string, string, string][] } = {
    count: fmt(h.count),
    sum: fmt(h.sum),
  };
  if (buckets.length > 0) out.buckets = buckets;
  return out;
}
