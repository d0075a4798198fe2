import { formatLabels, type Labels } from '../../common/labels.js';
import { COMPARISON_OPS, type BinaryOp, type VectorMatching } from './ast.js';
import type { FloatHistogram } from '../queryable.js';
import { PromQLError } from './errors.js';
import { histogramAdd, histogramDiv, histogramScale, histogramSub } from './histogram.js';
import { dropMetricName, labelsKey, METRIC_NAME, type Sample, type Vector } from './value.js';

/** Go's math.Pow, which differs from JS for a base of ±1 with a NaN or infinite exponent. */
function goPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

/** Go's math.Mod: the result takes the sign of the dividend, like JS `%`. */
function arith(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return l / r;
    case '%':
      return l % r;
    case '^':
      return goPow(l, r);
    case 'atan2':
      return Math.atan2(l, r);
    default:
      throw new PromQLError(
        'internal',
        `operator "${op}" not allowed for operations between values`,
      );
  }
}

function compare(op: BinaryOp, l: number, r: number): boolean {
  switch (op) {
    case '==':
      return l === r;
    case '!=':
      return l !== r;
    case '>':
      return l > r;
    case '<':
      return l < r;
    case '>=':
      return l >= r;
    case '<=':
      return l <= r;
    default:
      return false;
  }
}

/** Scalar op scalar; comparisons here always carry `bool`. */
export function scalarBinop(op: BinaryOp, l: number, r: number): number {
  if (COMPARISON_OPS.has(op)) return compare(op, l, r) ? 1 : 0;
  return arith(op, l, r);
}

/** Whether an operator drops `__name__` from its result, as Prometheus's shouldDropMetricName. */
function dropsMetricName(op: BinaryOp): boolean {
  return !COMPARISON_OPS.has(op) && op !== 'and' && op !== 'or' && op !== 'unless';
}

/** Vector op scalar (or scalar op vector with `swap`). */
export function vectorScalarBinop(
  op: BinaryOp,
  vec: Vector,
  scalar: number,
  swap: boolean,
  returnBool: boolean,
): Vector {
  const out: Vector = [];
  const isCmp = COMPARISON_OPS.has(op);
  for (const s of vec) {
    if (s.h) {
      const h = histogramOp(op, swap ? undefined : s.h, swap ? s.h : undefined, scalar);
      if (h) out.push({ metric: dropMetricName(s.metric), f: 0, h });
      continue;
    }
    const l = swap ? scalar : s.f;
    const r = swap ? s.f : scalar;
    let value: number;
    let keep = true;
    if (isCmp) {
      keep = compare(op, l, r);
      value = s.f;
    } else {
      value = arith(op, l, r);
    }
    if (returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    const metric = dropsMetricName(op) || returnBool ? dropMetricName(s.metric) : s.metric;
    out.push({ metric, f: value });
  }
  return out;
}

/**
 * Arithmetic with native histograms as Prometheus 2.52's vectorElemBinop:
 * histogram ± histogram, histogram × scalar (either side) and histogram ÷
 * scalar. Any other operation involving a histogram has no result.
 * `scalar` is the float operand when exactly one side is a histogram.
 */
function histogramOp(
  op: BinaryOp,
  lh: FloatHistogram | undefined,
  rh: FloatHistogram | undefined,
  scalar: number,
): FloatHistogram | undefined {
  if (lh && rh) {
    if (op === '+') return histogramAdd(lh, rh);
    if (op === '-') return histogramSub(lh, rh);
    return undefined;
  }
  const h = lh ?? rh!;
  if (op === '*') return histogramScale(h, scalar);
  if (op === '/' && lh) return histogramDiv(h, scalar);
  return undefined;
}

export type SignatureCache = Map<Labels, string>;

function signature(metric: Labels, m: VectorMatching, cache: SignatureCache): string {
  let sig = cache.get(metric);
  if (sig === undefined) {
    const picked: Labels = {};
    if (m.on) {
      for (const n of m.labels) if (metric[n] !== undefined) picked[n] = metric[n]!;
    } else {
      for (const n in metric) {
        if (n !== METRIC_NAME && !m.labels.includes(n)) picked[n] = metric[n]!;
      }
    }
    sig = labelsKey(picked);
    cache.set(metric, sig);
  }
  return sig;
}

function matchedLabels(metric: Labels, m: VectorMatching): Labels {
  const out: Labels = {};
  for (const n in metric) {
    const listed = m.labels.includes(n);
    if (m.on ? listed : !listed && n !== METRIC_NAME) out[n] = metric[n]!;
  }
  return out;
}

export function vectorAnd(l: Vector, r: Vector, m: VectorMatching, cache: SignatureCache): Vector {
  const sigs = new Set<string>();
  for (const s of r) sigs.add(signature(s.metric, m, cache));
  return l.filter((s) => sigs.has(signature(s.metric, m, cache)));
}

export function vectorOr(l: Vector, r: Vector, m: VectorMatching, cache: SignatureCache): Vector {
  const sigs = new Set<string>();
  const out: Vector = [];
  for (const s of l) {
    sigs.add(signature(s.metric, m, cache));
    out.push(s);
  }
  for (const s of r) if (!sigs.has(signature(s.metric, m, cache))) out.push(s);
  return out;
}

export function vectorUnless(
  l: Vector,
  r: Vector,
  m: VectorMatching,
  cache: SignatureCache,
): Vector {
  const sigs = new Set<string>();
  for (const s of r) sigs.add(signature(s.metric, m, cache));
  return l.filter((s) => !sigs.has(signature(s.metric, m, cache)));
}

function resultMetric(
  many: Labels,
  one: Labels,
  op: BinaryOp,
  m: VectorMatching,
  returnBool: boolean,
): Labels {
  const out: Labels = {};
  for (const n in many) {
    if (n === METRIC_NAME && (dropsMetricName(op) || returnBool)) continue;
    if (m.card === 'one-to-one') {
      const listed = m.labels.includes(n);
      if (m.on ? !listed : listed) continue;
    }
    out[n] = many[n]!;
  }
  for (const n of m.include) {
    const v = one[n];
    if (v !== undefined && v !== '') out[n] = v;
    else delete out[n];
  }
  return out;
}

/** Arithmetic and comparison between two vectors with one-to-one or many-to-one matching. */
export function vectorBinop(
  op: BinaryOp,
  lhs: Vector,
  rhs: Vector,
  m: VectorMatching,
  returnBool: boolean,
  cache: SignatureCache,
  metricCache: Map<Labels, Map<Labels, Labels>>,
): Vector {
  if (lhs.length === 0 || rhs.length === 0) return [];
  const oneToMany = m.card === 'one-to-many';
  const many = oneToMany ? rhs : lhs;
  const one = oneToMany ? lhs : rhs;
  const oneBySig = new Map<string, Sample>();
  for (const s of one) {
    const sig = signature(s.metric, m, cache);
    const dup = oneBySig.get(sig);
    if (dup) {
      throw new PromQLError(
        'execution',
        `found duplicate series for the match group ${formatLabels(matchedLabels(s.metric, m))} on the ${oneToMany ? 'left' : 'right'} hand-side of the operation: [${formatLabels(s.metric)}, ${formatLabels(dup.metric)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    oneBySig.set(sig, s);
  }
  const isCmp = COMPARISON_OPS.has(op);
  const matched = new Map<string, Set<string> | null>();
  const out: Vector = [];
  for (const ms of many) {
    const sig = signature(ms.metric, m, cache);
    const os = oneBySig.get(sig);
    if (!os) continue;
    let hist: FloatHistogram | undefined;
    if (ms.h || os.h) {
      const lh = oneToMany ? os.h : ms.h;
      const rh = oneToMany ? ms.h : os.h;
      hist = histogramOp(op, lh, rh, lh ? (oneToMany ? ms.f : os.f) : oneToMany ? os.f : ms.f);
      if (!hist) continue;
    }
    const l = oneToMany ? os.f : ms.f;
    const r = oneToMany ? ms.f : os.f;
    let value: number;
    let keep = true;
    if (hist) {
      value = 0;
    } else if (isCmp) {
      keep = compare(op, l, r);
      value = l;
    } else {
      value = arith(op, l, r);
    }
    if (returnBool) value = keep ? 1 : 0;
    else if (!keep) continue;
    let byOne = metricCache.get(ms.metric);
    if (!byOne) {
      byOne = new Map();
      metricCache.set(ms.metric, byOne);
    }
    let metric = byOne.get(os.metric);
    if (!metric) {
      metric = resultMetric(ms.metric, os.metric, op, m, returnBool);
      byOne.set(os.metric, metric);
    }
    const inserted = matched.get(sig);
    if (m.card === 'one-to-one') {
      if (inserted !== undefined) {
        throw new PromQLError(
          'execution',
          'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
        );
      }
      matched.set(sig, null);
    } else {
      const key = labelsKey(metric);
      let set = inserted;
      if (!set) {
        set = new Set();
        matched.set(sig, set);
      } else if (set.has(key)) {
        throw new PromQLError(
          'execution',
          'multiple matches for matching labels: grouping labels must ensure unique matches',
        );
      }
      set.add(key);
    }
    out.push(hist ? { metric, f: value, h: hist } : { metric, f: value });
  }
  return out;
}
