import type { RangeOp } from '../ast.js';

/**
 * The `*_over_time` functions over the samples of one window, as Loki
 * computes them; undefined when the window yields no sample.
 */
export function applyRangeFunction(
  op: RangeOp,
  ts: ArrayLike<number>,
  values: ArrayLike<number>,
  from: number,
  to: number,
  rangeSeconds: number,
  param: number | undefined,
): number | undefined {
  const n = to - from;
  if (n <= 0) return undefined;
  switch (op) {
    case 'count_over_time':
      return n;
    case 'bytes_over_time':
    case 'sum_over_time':
      return sum(values, from, to);
    case 'rate':
    case 'bytes_rate':
      return sum(values, from, to) / rangeSeconds;
    case 'avg_over_time':
      return mean(values, from, to);
    case 'min_over_time': {
      let m = values[from]!;
      for (let i = from + 1; i < to; i++) if (values[i]! < m || Number.isNaN(m)) m = values[i]!;
      return m;
    }
    case 'max_over_time': {
      let m = values[from]!;
      for (let i = from + 1; i < to; i++) if (values[i]! > m || Number.isNaN(m)) m = values[i]!;
      return m;
    }
    case 'stdvar_over_time':
      return variance(values, from, to);
    case 'stddev_over_time':
      return Math.sqrt(variance(values, from, to));
    case 'quantile_over_time':
      return windowQuantile(param ?? NaN, values, from, to);
    case 'first_over_time':
      return values[from];
    case 'last_over_time':
      return values[to - 1];
    case 'rate_counter':
      return counterRate(ts, values, from, to, rangeSeconds);
    case 'absent_over_time':
      return undefined;
  }
}

function sum(values: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += values[i]!;
  return s;
}

/** Loki's incremental mean, which keeps an infinite mean infinite. */
function mean(values: ArrayLike<number>, from: number, to: number): number {
  let m = 0;
  let count = 0;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    count++;
    if (!Number.isFinite(m) && !Number.isNaN(m)) {
      if (!Number.isFinite(v) && !Number.isNaN(v) && m > 0 === v > 0) continue;
      if (Number.isFinite(v)) continue;
    }
    m += v / count - m / count;
  }
  return m;
}

function variance(values: ArrayLike<number>, from: number, to: number): number {
  // Welford's method, as Prometheus and Loki compute it.
  let count = 0;
  let mean = 0;
  let aux = 0;
  for (let i = from; i < to; i++) {
    count++;
    const v = values[i]!;
    const delta = v - mean;
    mean += delta / count;
    aux += delta * (v - mean);
  }
  return aux / count;
}

/** Reused across windows: one copy of a window's values. */
let scratch = new Float64Array(1024);

/**
 * Loki's quantile over the window's values: linear interpolation between the
 * two closest ranks of the values sorted with NaN before every number (its
 * vectorByValueHeap). Only those two ranks are needed, so they are selected
 * (quickselect over a typed copy) instead of sorting the window.
 */
function windowQuantile(q: number, values: ArrayLike<number>, from: number, to: number): number {
  const n = to - from;
  if (n === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  let m = 0;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) scratch[m++] = v;
  }
  const nans = n - m;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  if (lower < nans) return NaN;
  const lo = select(scratch, m, lower - nans);
  // After selecting rank k, everything above index k is >= it: rank k+1 is their minimum.
  let hi = lo;
  if (upper > lower) {
    hi = Infinity;
    for (let i = lower - nans + 1; i < m; i++) if (scratch[i]! < hi) hi = scratch[i]!;
  }
  return lo * (1 - weight) + hi * weight;
}

/** Hoare's quickselect: puts the k-th smallest of a[0..n) at k, smaller ones before it. */
function select(a: Float64Array, n: number, k: number): number {
  let left = 0;
  let right = n - 1;
  while (right > left) {
    const mid = (left + right) >>> 1;
    // Median of three as pivot keeps sorted input from the quadratic case.
    const x = a[left]!;
    const y = a[mid]!;
    const z = a[right]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k]!;
}

/**
 * Loki 3.0's rate_counter: Prometheus's extrapolatedRate as Loki calls it,
 * with the window start taken as the first sample minus the range in
 * milliseconds while sample times are nanoseconds. The unit mix is Loki's
 * and shapes its answers, so it is reproduced.
 */
function counterRate(
  ts: ArrayLike<number>,
  values: ArrayLike<number>,
  from: number,
  to: number,
  rangeSeconds: number,
): number {
  const n = to - from;
  if (n < 2) return 0;
  const firstV = values[from]!;
  let result = values[to - 1]! - firstV;
  let last = 0;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (v < last) result += last;
    last = v;
  }
  let durationToStart = (rangeSeconds * 1000) / 1000;
  const durationToEnd = 0;
  const sampled = (ts[to - 1]! - ts[from]!) / 1000;
  const avgBetween = sampled / (n - 1);
  if (result > 0 && firstV >= 0) {
    const durationToZero = sampled * (firstV / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = avgBetween * 1.1;
  let interval = sampled;
  interval += durationToStart < threshold ? durationToStart : avgBetween / 2;
  interval += durationToEnd < threshold ? durationToEnd : avgBetween / 2;
  return (result * (interval / sampled)) / rangeSeconds;
}
