import { goSprintf } from '../../common/go-fmt.js';
import type { FloatHistogram } from '../queryable.js';
import { PromQLError } from './errors.js';
import { histogramAdd, histogramIsReset, histogramScale, histogramSub } from './histogram.js';
import { kahanSumInc, quantile } from './math.js';

/**
 * The samples of one series inside one step's range, `[lo, hi)` of the
 * series' arrays, plus what the functions need to know about the range.
 */
export interface RangeWindow {
  ts: ArrayLike<number>;
  fs: ArrayLike<number>;
  lo: number;
  hi: number;
  /** Evaluation time of the step. */
  stepMs: number;
  /** Range boundaries after offset and @ are applied. */
  rangeStartMs: number;
  rangeEndMs: number;
  rangeMs: number;
  /** Scalar arguments besides the range vector, in argument order, at this step. */
  scalars: number[];
}

/** A range-vector function: a value for the window, or undefined for no output sample. */
export type RangeFunction = (w: RangeWindow) => number | undefined;

/**
 * Prometheus's extrapolation of a rate/increase/delta over the window: the
 * factor to apply to the raw difference. `zeroCutoff` is the float
 * counter's first value and difference, when the zero point may shorten the
 * extrapolation (never for histograms in 2.52).
 */
function extrapolationFactor(
  w: RangeWindow,
  isRate: boolean,
  zeroCutoff: { first: number; result: number } | undefined,
): number {
  const { ts, lo, hi } = w;
  let durationToStart = (ts[lo]! - w.rangeStartMs) / 1000;
  const durationToEnd = (w.rangeEndMs - ts[hi - 1]!) / 1000;
  const sampledInterval = (ts[hi - 1]! - ts[lo]!) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (hi - lo - 1);
  const threshold = averageDurationBetweenSamples * 1.1;
  if (durationToStart >= threshold) durationToStart = averageDurationBetweenSamples / 2;
  if (zeroCutoff && zeroCutoff.result > 0 && zeroCutoff.first >= 0) {
    // A counter cannot go below zero: extrapolate no further back than its zero point.
    const durationToZero = sampledInterval * (zeroCutoff.first / zeroCutoff.result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const endExtension =
    durationToEnd >= threshold ? averageDurationBetweenSamples / 2 : durationToEnd;
  const extrapolateToInterval = sampledInterval + durationToStart + endExtension;
  const factor = extrapolateToInterval / sampledInterval;
  return isRate ? factor / (w.rangeMs / 1000) : factor;
}

function extrapolatedRate(w: RangeWindow, isCounter: boolean, isRate: boolean): number | undefined {
  const { fs, lo, hi } = w;
  if (hi - lo < 2) return undefined;
  let result = fs[hi - 1]! - fs[lo]!;
  if (isCounter) {
    for (let i = lo + 1; i < hi; i++) if (fs[i]! < fs[i - 1]!) result += fs[i - 1]!;
  }
  const cutoff = isCounter ? { first: fs[lo]!, result } : undefined;
  return result * extrapolationFactor(w, isRate, cutoff);
}

/** rate/increase/delta over native histograms: bucket-wise, with counter resets added back. */
export function extrapolatedHistogramRate(
  w: RangeWindow,
  hs: ArrayLike<FloatHistogram | undefined>,
  isCounter: boolean,
  isRate: boolean,
): FloatHistogram | undefined {
  const { lo, hi } = w;
  if (hi - lo < 2) return undefined;
  let result = histogramSub(hs[hi - 1]!, hs[lo]!);
  if (isCounter) {
    for (let i = lo + 1; i < hi; i++) {
      if (histogramIsReset(hs[i - 1]!, hs[i]!)) result = histogramAdd(result, hs[i - 1]!);
    }
  }
  return histogramScale(result, extrapolationFactor(w, isRate, undefined));
}

function instantValue(w: RangeWindow, isRate: boolean): number | undefined {
  const { ts, fs, lo, hi } = w;
  if (hi - lo < 2) return undefined;
  const last = fs[hi - 1]!;
  const prev = fs[hi - 2]!;
  let result = isRate && last < prev ? last : last - prev;
  const sampledInterval = ts[hi - 1]! - ts[hi - 2]!;
  if (sampledInterval === 0) return undefined;
  if (isRate) result /= sampledInterval / 1000;
  return result;
}

/** Least-squares slope and intercept at interceptMs, as Prometheus's linearRegression. */
function linearRegression(w: RangeWindow, interceptMs: number): [number, number] {
  const { ts, fs, lo, hi } = w;
  let n = 0;
  let sumX = 0;
  let cX = 0;
  let sumY = 0;
  let cY = 0;
  let sumXY = 0;
  let cXY = 0;
  let sumX2 = 0;
  let cX2 = 0;
  const initY = fs[lo]!;
  let constY = true;
  for (let i = lo; i < hi; i++) {
    const y = fs[i]!;
    if (constY && i > lo && y !== initY) constY = false;
    n += 1;
    const x = (ts[i]! - interceptMs) / 1e3;
    [sumX, cX] = kahanSumInc(x, sumX, cX);
    [sumY, cY] = kahanSumInc(y, sumY, cY);
    [sumXY, cXY] = kahanSumInc(x * y, sumXY, cXY);
    [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (!Number.isFinite(initY) && !Number.isNaN(initY)) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

function holtWinters(w: RangeWindow): number | undefined {
  const [sf, tf] = w.scalars as [number, number];
  if (!(sf > 0 && sf < 1)) {
    throw new PromQLError(
      'execution',
      `invalid smoothing factor. Expected: 0 < sf < 1, got: ${goSprintf('%f', [sf])}`,
    );
  }
  if (!(tf > 0 && tf < 1)) {
    throw new PromQLError(
      'execution',
      `invalid trend factor. Expected: 0 < tf < 1, got: ${goSprintf('%f', [tf])}`,
    );
  }
  const { fs, lo, hi } = w;
  const l = hi - lo;
  if (l < 2) return undefined;
  let s0 = 0;
  let s1 = fs[lo]!;
  let b = fs[lo + 1]! - fs[lo]!;
  for (let i = 1; i < l; i++) {
    const x = sf * fs[lo + i]!;
    if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

function windowValues(w: RangeWindow): number[] {
  const out: number[] = [];
  for (let i = w.lo; i < w.hi; i++) out.push(w.fs[i]!);
  return out;
}

function avgOverTime(w: RangeWindow): number {
  const { fs, lo, hi } = w;
  let mean = 0;
  let c = 0;
  let count = 0;
  for (let i = lo; i < hi; i++) {
    const f = fs[i]!;
    count++;
    if (mean === Infinity || mean === -Infinity) {
      if ((f === Infinity || f === -Infinity) && mean > 0 === f > 0) continue;
      if (Number.isFinite(f)) continue;
    }
    [mean, c] = kahanSumInc(f / count - mean / count, mean, c);
  }
  if (mean === Infinity || mean === -Infinity) return mean;
  return mean + c;
}

function varianceOverTime(w: RangeWindow): number {
  let count = 0;
  let mean = 0;
  let cMean = 0;
  let aux = 0;
  let cAux = 0;
  for (let i = w.lo; i < w.hi; i++) {
    const f = w.fs[i]!;
    count++;
    const delta = f - (mean + cMean);
    [mean, cMean] = kahanSumInc(delta / count, mean, cMean);
    [aux, cAux] = kahanSumInc(delta * (f - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

export const RANGE_FUNCTIONS: ReadonlyMap<string, RangeFunction> = new Map<string, RangeFunction>([
  ['rate', (w) => extrapolatedRate(w, true, true)],
  ['increase', (w) => extrapolatedRate(w, true, false)],
  ['delta', (w) => extrapolatedRate(w, false, false)],
  ['irate', (w) => instantValue(w, true)],
  ['idelta', (w) => instantValue(w, false)],
  ['deriv', (w) => (w.hi - w.lo < 2 ? undefined : linearRegression(w, w.ts[w.lo]!)[0])],
  [
    'predict_linear',
    (w) => {
      if (w.hi - w.lo < 2) return undefined;
      const [slope, intercept] = linearRegression(w, w.stepMs);
      return slope * w.scalars[0]! + intercept;
    },
  ],
  ['holt_winters', holtWinters],
  [
    'resets',
    (w) => {
      let n = 0;
      for (let i = w.lo + 1; i < w.hi; i++) if (w.fs[i]! < w.fs[i - 1]!) n++;
      return n;
    },
  ],
  [
    'changes',
    (w) => {
      let n = 0;
      for (let i = w.lo + 1; i < w.hi; i++) {
        const cur = w.fs[i]!;
        const prev = w.fs[i - 1]!;
        if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) n++;
      }
      return n;
    },
  ],
  ['avg_over_time', avgOverTime],
  ['count_over_time', (w) => w.hi - w.lo],
  [
    'sum_over_time',
    (w) => {
      let sum = 0;
      let c = 0;
      for (let i = w.lo; i < w.hi; i++) [sum, c] = kahanSumInc(w.fs[i]!, sum, c);
      if (sum === Infinity || sum === -Infinity) return sum;
      return sum + c;
    },
  ],
  [
    'min_over_time',
    (w) => {
      let min = w.fs[w.lo]!;
      for (let i = w.lo + 1; i < w.hi; i++) {
        const f = w.fs[i]!;
        if (f < min || Number.isNaN(min)) min = f;
      }
      return min;
    },
  ],
  [
    'max_over_time',
    (w) => {
      let max = w.fs[w.lo]!;
      for (let i = w.lo + 1; i < w.hi; i++) {
        const f = w.fs[i]!;
        if (f > max || Number.isNaN(max)) max = f;
      }
      return max;
    },
  ],
  ['last_over_time', (w) => w.fs[w.hi - 1]!],
  ['present_over_time', () => 1],
  ['absent_over_time', () => 1],
  ['quantile_over_time', (w) => quantile(w.scalars[0]!, windowValues(w))],
  ['stddev_over_time', (w) => Math.sqrt(varianceOverTime(w))],
  ['stdvar_over_time', varianceOverTime],
  [
    'mad_over_time',
    (w) => {
      const values = windowValues(w);
      const median = quantile(0.5, values);
      return quantile(
        0.5,
        values.map((v) => Math.abs(v - median)),
      );
    },
  ],
]);
