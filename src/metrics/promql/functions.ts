import type { Labels } from '../../common/labels.js';
import { compileGoRegexp, expandGoTemplate, type GoRegexp } from '../../common/go-regexp.js';
import type { Call, Expr } from './ast.js';
import { PromQLError } from './errors.js';
import type { FloatHistogram } from '../queryable.js';
import { bucketQuantile, type Bucket } from './histogram-quantile.js';
import {
  nativeHistogramFraction,
  nativeHistogramQuantile,
  nativeHistogramVariance,
} from './histogram.js';
import { parseGoFloat } from './math.js';
import { dropMetricName, isValidLabelName, labelsKey, METRIC_NAME, type Vector } from './value.js';

export interface FunctionContext {
  /** Evaluation time of the step in ms. */
  ts: number;
  call: Call;
  /** String arguments by argument index. */
  strings: (string | undefined)[];
  /** Per-call cache that lives across the steps of one evaluation. */
  cache: Map<unknown, unknown>;
}

/** An instant-vector or scalar function: scalars arrive as one-sample vectors. */
export type InstantFunction = (args: Vector[], ctx: FunctionContext) => Vector;

function simple(fn: (v: number) => number): InstantFunction {
  return ([vec]) => vec!.map((s) => ({ metric: dropMetricName(s.metric), f: fn(s.f) }));
}

function sgn(v: number): number {
  if (v > 0) return 1;
  if (v < 0) return -1;
  return v;
}

function datePart(fn: (d: Date) => number): InstantFunction {
  return (args, ctx) => {
    if (args.length === 0)
      return [{ metric: {}, f: fn(new Date(Math.trunc(ctx.ts / 1000) * 1000)) }];
    return args[0]!.map((s) => ({
      metric: dropMetricName(s.metric),
      f: fn(new Date(Math.trunc(s.f) * 1000)),
    }));
  };
}

function sortByValue(desc: boolean): InstantFunction {
  // NaN sorts to the end in both directions, as Prometheus's sort and sort_desc.
  return ([vec]) =>
    [...vec!].sort((a, b) => {
      if (Number.isNaN(a.f)) return Number.isNaN(b.f) ? 0 : 1;
      if (Number.isNaN(b.f)) return -1;
      return desc ? b.f - a.f : a.f - b.f;
    });
}

/** Natural order of label values as github.com/facette/natsort compares them. */
function natLess(a: string, b: string): boolean {
  const chunk = /(\d+|\D+)/g;
  const ac = a.match(chunk) ?? [];
  const bc = b.match(chunk) ?? [];
  for (let i = 0; i < ac.length && i < bc.length; i++) {
    const x = ac[i]!;
    const y = bc[i]!;
    if (x === y) continue;
    const xn = /^\d/.test(x);
    const yn = /^\d/.test(y);
    if (xn && yn) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d < 0;
      return x < y;
    }
    return x < y;
  }
  return ac.length < bc.length;
}

function sortByLabel(desc: boolean): InstantFunction {
  return (args, ctx) => {
    const names = ctx.strings.slice(1).filter((s): s is string => s !== undefined);
    const base = sortByValue(desc)(args, ctx);
    return base.sort((a, b) => {
      for (const name of names) {
        const x = a.metric[name] ?? '';
        const y = b.metric[name] ?? '';
        if (x === y) continue;
        const less = natLess(x, y);
        return (less ? -1 : 1) * (desc ? -1 : 1);
      }
      return 0;
    });
  };
}

/** The label set `absent()` reports: the selector's equality matchers, minus ambiguous ones. */
export function absentLabels(arg: Expr): Labels {
  let e = arg;
  while (e.kind === 'paren') e = e.expr;
  if (e.kind === 'matrixSelector') e = e.selector;
  if (e.kind !== 'vectorSelector') return {};
  const out: Labels = {};
  const seen = new Set<string>();
  for (const m of e.matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === '=' && !seen.has(m.name)) {
      out[m.name] = m.value;
      seen.add(m.name);
    } else if (m.type === '=' || seen.has(m.name)) {
      delete out[m.name];
    }
  }
  return out;
}

function labelReplace(args: Vector[], ctx: FunctionContext): Vector {
  const [dst, repl, src, regexText] = ctx.strings.slice(1) as [string, string, string, string];
  let re = ctx.cache.get('re') as GoRegexp | undefined;
  if (!re) {
    try {
      re = compileGoRegexp(regexText, { anchored: true });
    } catch {
      throw new PromQLError(
        'execution',
        `invalid regular expression in label_replace(): ${regexText}`,
      );
    }
    if (!isValidLabelName(dst)) {
      throw new PromQLError(
        'execution',
        `invalid destination label name in label_replace(): ${dst}`,
      );
    }
    ctx.cache.set('re', re);
  }
  const regexp = re;
  const results = ctx.cache as Map<unknown, unknown>;
  return args[0]!.map((s) => {
    const cached = results.get(s.metric) as Labels | undefined;
    if (cached) return { ...s, metric: cached };
    let metric = s.metric;
    regexp.regex.lastIndex = 0;
    const m = regexp.regex.exec(s.metric[src] ?? '');
    if (m) {
      const value = expandGoTemplate(repl, m, regexp.groupNames);
      metric = { ...s.metric };
      if (value === '') delete metric[dst];
      else metric[dst] = value;
    }
    results.set(s.metric, metric);
    return { ...s, metric };
  });
}

function labelJoin(args: Vector[], ctx: FunctionContext): Vector {
  const [dst, sep, ...srcs] = ctx.strings.slice(1) as string[];
  if (!isValidLabelName(dst!)) {
    throw new PromQLError('execution', `invalid destination label name in label_join(): ${dst}`);
  }
  for (const src of srcs) {
    if (!isValidLabelName(src)) {
      throw new PromQLError('execution', `invalid source label name in label_join(): ${src}`);
    }
  }
  return args[0]!.map((s) => {
    const value = srcs.map((n) => s.metric[n] ?? '').join(sep);
    const metric = { ...s.metric };
    if (value === '') delete metric[dst!];
    else metric[dst!] = value;
    return { ...s, metric };
  });
}

function histogramQuantile(args: Vector[]): Vector {
  const q = args[0]![0]!.f;
  const groups = new Map<string, { metric: Labels; buckets: Bucket[] }>();
  const native: Vector = [];
  for (const s of args[1]!) {
    if (s.h) {
      native.push({ metric: dropMetricName(s.metric), f: nativeHistogramQuantile(q, s.h) });
      continue;
    }
    const le = s.metric['le'];
    const upperBound = le === undefined ? undefined : parseGoFloat(le);
    if (upperBound === undefined) continue;
    const withoutLe: Labels = {};
    for (const n in s.metric) if (n !== 'le') withoutLe[n] = s.metric[n]!;
    const key = labelsKey(withoutLe);
    let g = groups.get(key);
    if (!g) {
      g = { metric: dropMetricName(withoutLe), buckets: [] };
      groups.set(key, g);
    }
    g.buckets.push({ upperBound, count: s.f });
  }
  const out: Vector = [];
  for (const g of groups.values()) out.push({ metric: g.metric, f: bucketQuantile(q, g.buckets) });
  return out.concat(native);
}

/** A function of native histogram samples; float samples give nothing, as in Prometheus. */
function ofHistogram(fn: (h: FloatHistogram) => number): InstantFunction {
  return (args) => {
    const out: Vector = [];
    for (const s of args[0]!) {
      if (s.h) out.push({ metric: dropMetricName(s.metric), f: fn(s.h) });
    }
    return out;
  };
}

function histogramFraction(args: Vector[]): Vector {
  const lower = args[0]![0]!.f;
  const upper = args[1]![0]!.f;
  const out: Vector = [];
  for (const s of args[2]!) {
    if (s.h)
      out.push({ metric: dropMetricName(s.metric), f: nativeHistogramFraction(lower, upper, s.h) });
  }
  return out;
}

const DAY_MS = 86_400_000;

/** Functions that take native histogram samples; all others see float samples only. */
export const HISTOGRAM_FUNCTIONS: ReadonlySet<string> = new Set([
  'histogram_count',
  'histogram_sum',
  'histogram_avg',
  'histogram_fraction',
  'histogram_quantile',
  'histogram_stddev',
  'histogram_stdvar',
  'label_replace',
  'label_join',
  'timestamp',
  'absent',
]);

export const INSTANT_FUNCTIONS: ReadonlyMap<string, InstantFunction> = new Map<
  string,
  InstantFunction
>([
  ['abs', simple(Math.abs)],
  ['ceil', simple(Math.ceil)],
  ['floor', simple(Math.floor)],
  ['exp', simple(Math.exp)],
  ['sqrt', simple(Math.sqrt)],
  ['ln', simple(Math.log)],
  ['log2', simple(Math.log2)],
  ['log10', simple(Math.log10)],
  ['sgn', simple(sgn)],
  ['sin', simple(Math.sin)],
  ['cos', simple(Math.cos)],
  ['tan', simple(Math.tan)],
  ['asin', simple(Math.asin)],
  ['acos', simple(Math.acos)],
  ['atan', simple(Math.atan)],
  ['sinh', simple(Math.sinh)],
  ['cosh', simple(Math.cosh)],
  ['tanh', simple(Math.tanh)],
  ['asinh', simple(Math.asinh)],
  ['acosh', simple(Math.acosh)],
  ['atanh', simple(Math.atanh)],
  ['deg', simple((v) => (v * 180) / Math.PI)],
  ['rad', simple((v) => (v * Math.PI) / 180)],
  ['pi', () => [{ metric: {}, f: Math.PI }]],
  ['time', (_args, ctx) => [{ metric: {}, f: ctx.ts / 1000 }]],
  ['vector', ([s]) => [{ metric: {}, f: s![0]!.f }]],
  ['scalar', ([v]) => [{ metric: {}, f: v!.length === 1 ? v![0]!.f : NaN }]],
  [
    'timestamp',
    ([v], ctx) => v!.map((s) => ({ metric: dropMetricName(s.metric), f: (s.t ?? ctx.ts) / 1000 })),
  ],
  [
    'round',
    (args) => {
      const toNearest = args.length > 1 ? args[1]![0]!.f : 1;
      const inverse = 1 / toNearest;
      return args[0]!.map((s) => ({
        metric: dropMetricName(s.metric),
        f: Math.floor(s.f * inverse + 0.5) / inverse,
      }));
    },
  ],
  [
    'clamp',
    ([v, min, max]) => {
      const lo = min![0]!.f;
      const hi = max![0]!.f;
      if (hi < lo) return [];
      return v!.map((s) => ({
        metric: dropMetricName(s.metric),
        f: Math.max(lo, Math.min(hi, s.f)),
      }));
    },
  ],
  [
    'clamp_max',
    ([v, max]) =>
      v!.map((s) => ({ metric: dropMetricName(s.metric), f: Math.min(max![0]!.f, s.f) })),
  ],
  [
    'clamp_min',
    ([v, min]) =>
      v!.map((s) => ({ metric: dropMetricName(s.metric), f: Math.max(min![0]!.f, s.f) })),
  ],
  [
    'absent',
    ([v], ctx) => (v!.length > 0 ? [] : [{ metric: absentLabels(ctx.call.args[0]!), f: 1 }]),
  ],
  ['sort', sortByValue(false)],
  ['sort_desc', sortByValue(true)],
  ['sort_by_label', sortByLabel(false)],
  ['sort_by_label_desc', sortByLabel(true)],
  ['label_replace', labelReplace],
  ['label_join', labelJoin],
  ['histogram_quantile', histogramQuantile],
  ['histogram_fraction', histogramFraction],
  ['histogram_count', ofHistogram((h) => h.count)],
  ['histogram_sum', ofHistogram((h) => h.sum)],
  ['histogram_avg', ofHistogram((h) => h.sum / h.count)],
  ['histogram_stddev', ofHistogram((h) => Math.sqrt(nativeHistogramVariance(h)))],
  ['histogram_stdvar', ofHistogram(nativeHistogramVariance)],
  ['minute', datePart((d) => d.getUTCMinutes())],
  ['hour', datePart((d) => d.getUTCHours())],
  ['month', datePart((d) => d.getUTCMonth() + 1)],
  ['year', datePart((d) => d.getUTCFullYear())],
  ['day_of_month', datePart((d) => d.getUTCDate())],
  ['day_of_week', datePart((d) => d.getUTCDay())],
  [
    'day_of_year',
    datePart((d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1),
  ],
  [
    'days_in_month',
    datePart((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()),
  ],
]);
