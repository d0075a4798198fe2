import type { FloatHistogram } from '../queryable.js';
import {
  extrapolatedHistogramRate,
  type RangeFunction,
  type RangeWindow,
} from './range-functions.js';

/** Whether the window [lo, hi) holds a native histogram sample. */
export function hasHistogram(
  hs: ArrayLike<FloatHistogram | undefined>,
  lo: number,
  hi: number,
): boolean {
  for (let i = lo; i < hi; i++) if (hs[i]) return true;
  return false;
}

const RATE_KINDS: Record<string, [isCounter: boolean, isRate: boolean]> = {
  rate: [true, true],
  increase: [true, false],
  delta: [false, false],
};

/**
 * A range function over a window holding native histograms: the rates and
 * last_over_time take histograms, counting functions count them, and the
 * float functions see only the window's float samples, as in Prometheus.
 */
export function histogramWindow(
  func: string,
  fn: RangeFunction,
  w: RangeWindow,
  hs: ArrayLike<FloatHistogram | undefined>,
): number | FloatHistogram | undefined {
  const { lo, hi } = w;
  const kind = RATE_KINDS[func];
  if (kind) {
    for (let i = lo; i < hi; i++) if (!hs[i]) return undefined;
    return extrapolatedHistogramRate(w, hs, kind[0], kind[1]);
  }
  if (func === 'last_over_time') return hs[hi - 1] ?? w.fs[hi - 1];
  if (func === 'count_over_time' || func === 'present_over_time' || func === 'absent_over_time') {
    return fn(w);
  }
  const ts: number[] = [];
  const fs: number[] = [];
  for (let i = lo; i < hi; i++) {
    if (hs[i]) continue;
    ts.push(w.ts[i]!);
    fs.push(w.fs[i]!);
  }
  if (ts.length === 0) return undefined;
  return fn({ ...w, ts, fs, lo: 0, hi: ts.length });
}
