import type { Labels } from '../../../common/labels.js';
import { COMPARISON_OPS, type BinaryOp, type VectorMatching } from '../ast.js';
import { LogqlRequestError } from '../errors.js';
import { labelsKey, type StepSeries, type StepValue } from './step-series.js';

/** One arithmetic or comparison operation on two numbers, with Loki's rules (x/0 and x%0 are NaN). */
function applyOp(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? NaN : a / b;
    case '%':
      return b === 0 ? NaN : a % b;
    case '^':
      return Math.pow(a, b);
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    default:
      return NaN;
  }
}

export interface BinaryNode {
  op: BinaryOp;
  returnBool: boolean;
  matching?: VectorMatching;
}

/** Evaluates a binary operation step by step over scalars and vectors. */
export function evalBinary(
  node: BinaryNode,
  left: StepValue,
  right: StepValue,
  stepCount: number,
): StepValue {
  const comparison = COMPARISON_OPS.has(node.op);
  if (left.kind === 'scalar' && right.kind === 'scalar') {
    // Loki folds literal comparisons to 0/1 whether or not `bool` is given.
    return {
      kind: 'scalar',
      values: left.values.map((a, i) => applyOp(node.op, a, right.values[i]!)),
    };
  }
  if (left.kind === 'vector' && right.kind === 'vector')
    return vectorVector(node, left.series, right.series, stepCount);
  const swap = left.kind === 'scalar';
  const vec = (swap ? right : left) as Extract<StepValue, { kind: 'vector' }>;
  const sc = (swap ? left : right) as Extract<StepValue, { kind: 'scalar' }>;
  const out: StepSeries[] = [];
  for (const s of vec.series) {
    const values: (number | undefined)[] = new Array(stepCount);
    let any = false;
    for (let i = 0; i < stepCount; i++) {
      const v = s.values[i];
      if (v === undefined) continue;
      const [a, b] = swap ? [sc.values[i]!, v] : [v, sc.values[i]!];
      const r = applyOp(node.op, a, b);
      if (comparison && !node.returnBool) {
        if (r !== 1) continue;
        values[i] = v;
      } else values[i] = r;
      any = true;
    }
    if (any) out.push({ labels: s.labels, values });
  }
  return { kind: 'vector', series: out };
}

function signature(labels: Labels, matching: VectorMatching | undefined): string {
  const set = new Set(matching?.labels ?? []);
  const on = matching?.on ?? false;
  const picked: Labels = {};
  for (const name in labels) if (set.has(name) === on) picked[name] = labels[name]!;
  return labelsKey(picked);
}

function vectorVector(
  node: BinaryNode,
  left: StepSeries[],
  right: StepSeries[],
  stepCount: number,
): StepValue {
  const m = node.matching;
  if (node.op === 'and' || node.op === 'or' || node.op === 'unless') {
    return { kind: 'vector', series: setOp(node.op, left, right, m, stepCount) };
  }
  const groupRight = m?.group?.side === 'right';
  const [one, many] = groupRight ? [left, right] : [right, left];
  const comparison = COMPARISON_OPS.has(node.op);
  const out = new Map<string, StepSeries>();
  for (let i = 0; i < stepCount; i++) {
    const oneSide = new Map<string, StepSeries>();
    for (const s of one) {
      if (s.values[i] === undefined) continue;
      const sig = signature(s.labels, m);
      if (oneSide.has(sig)) {
        throw new LogqlRequestError(
          `found duplicate series on the ${groupRight ? 'left' : 'right'} hand-side;many-to-many matching not allowed: matching labels must be unique on one side`,
          500,
        );
      }
      oneSide.set(sig, s);
    }
    const matched = new Set<string>();
    for (const s of many) {
      const v = s.values[i];
      if (v === undefined) continue;
      const sig = signature(s.labels, m);
      const other = oneSide.get(sig);
      if (!other) continue;
      if (!m?.group) {
        if (matched.has(sig)) {
          throw new LogqlRequestError(
            'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
            500,
          );
        }
        matched.add(sig);
      }
      const [lv, rv] = groupRight ? [other.values[i]!, v] : [v, other.values[i]!];
      let r = applyOp(node.op, lv, rv);
      if (comparison && !node.returnBool) {
        if (r !== 1) continue;
        r = lv;
      }
      const labels = resultLabels(s.labels, other.labels, m);
      const key = labelsKey(labels);
      let series = out.get(key);
      if (!series) {
        series = { labels, values: new Array(stepCount) };
        out.set(key, series);
      } else if (series.values[i] !== undefined) {
        throw new LogqlRequestError('vector cannot contain metrics with the same labelset', 500);
      }
      series.values[i] = r;
    }
  }
  return { kind: 'vector', series: [...out.values()] };
}

/** Prometheus's resultMetric: matching labels kept (on) or dropped (ignoring); group_x copies extras. */
function resultLabels(many: Labels, one: Labels, m: VectorMatching | undefined): Labels {
  const out: Labels = { ...many };
  if (m && !m.group) {
    const set = new Set(m.labels);
    for (const name of Object.keys(out)) if (set.has(name) !== m.on) delete out[name];
  }
  if (m?.group) {
    for (const name of m.group.include) {
      const v = one[name];
      if (v === undefined || v === '') delete out[name];
      else out[name] = v;
    }
  }
  return out;
}

function setOp(
  op: 'and' | 'or' | 'unless',
  left: StepSeries[],
  right: StepSeries[],
  m: VectorMatching | undefined,
  stepCount: number,
): StepSeries[] {
  const out: StepSeries[] = [];
  const leftValues = left.map((s) => ({
    labels: s.labels,
    values: new Array<number | undefined>(stepCount),
  }));
  const rightValues = right.map((s) => ({
    labels: s.labels,
    values: new Array<number | undefined>(stepCount),
  }));
  for (let i = 0; i < stepCount; i++) {
    const rightSigs = new Set<string>();
    for (const s of right) if (s.values[i] !== undefined) rightSigs.add(signature(s.labels, m));
    const leftSigs = new Set<string>();
    left.forEach((s, j) => {
      const v = s.values[i];
      if (v === undefined) return;
      const sig = signature(s.labels, m);
      leftSigs.add(sig);
      const keep = op === 'or' || (op === 'and' ? rightSigs.has(sig) : !rightSigs.has(sig));
      if (keep) leftValues[j]!.values[i] = v;
    });
    if (op === 'or') {
      right.forEach((s, j) => {
        const v = s.values[i];
        if (v !== undefined && !leftSigs.has(signature(s.labels, m))) rightValues[j]!.values[i] = v;
      });
    }
  }
  for (const s of [...leftValues, ...rightValues]) {
    if (s.values.some((v) => v !== undefined)) out.push(s);
  }
  return out;
}
