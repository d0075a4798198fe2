import type { Labels } from '../../common/labels.js';
import type { FloatHistogram } from '../queryable.js';

/** One series of an evaluated expression: points at evaluation steps or raw sample times. */
export interface MSeries {
  metric: Labels;
  ts: number[];
  fs: number[];
  /** Native histogram points, parallel to `ts`; absent when all points are floats. */
  hs?: (FloatHistogram | undefined)[];
}

export type Matrix = MSeries[];

/** One element of an instant vector at a single step. */
export interface Sample {
  metric: Labels;
  f: number;
  /** Set when the sample is a native histogram (`f` is then meaningless). */
  h?: FloatHistogram;
  /** Sample time in ms where it differs from the step (only `timestamp()` needs it). */
  t?: number;
}

export type Vector = Sample[];

export type EvalValue = { type: 'matrix'; matrix: Matrix } | { type: 'string'; value: string };

export const METRIC_NAME = '__name__';

const keys = new WeakMap<Labels, string>();

/** A string identifying a label set regardless of key order; cached per label object. */
export function labelsKey(metric: Labels): string {
  let key = keys.get(metric);
  if (key === undefined) {
    const names = Object.keys(metric).sort();
    key = '';
    for (const n of names) key += n + '\xff' + metric[n] + '\xfe';
    keys.set(metric, key);
  }
  return key;
}

const dropped = new WeakMap<Labels, Labels>();

/** The label set without `__name__`; the same object when there is none. */
export function dropMetricName(metric: Labels): Labels {
  if (metric[METRIC_NAME] === undefined) return metric;
  let out = dropped.get(metric);
  if (!out) {
    out = {};
    for (const n in metric) if (n !== METRIC_NAME) out[n] = metric[n]!;
    dropped.set(metric, out);
  }
  return out;
}

/** Label sets compared as Prometheus's labels.Compare does, for sorting results. */
export function compareLabels(a: Labels, b: Labels): number {
  const an = Object.keys(a).sort();
  const bn = Object.keys(b).sort();
  const n = Math.min(an.length, bn.length);
  for (let i = 0; i < n; i++) {
    if (an[i] !== bn[i]) return an[i]! < bn[i]! ? -1 : 1;
    const av = a[an[i]!]!;
    const bv = b[bn[i]!]!;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return an.length - bn.length;
}

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME_RE.test(name);
}
