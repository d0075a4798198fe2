import type { Labels } from '../../../common/labels.js';
import type { Grouping, VectorOp } from '../ast.js';
import { labelsKey, type StepSeries } from './step-series.js';

/** `sum by (a) (...)` and friends, step by step, with Prometheus's rules. */
export function aggregateVector(
  op: VectorOp,
  param: number | undefined,
  grouping: Grouping | undefined,
  input: StepSeries[],
  stepCount: number,
): StepSeries[] {
  if (op === 'sort' || op === 'sort_desc') return input;
  const groupOf = (labels: Labels): Labels => {
    const out: Labels = {};
    if (!grouping) return out;
    const set = new Set(grouping.labels);
    for (const name in labels) if (set.has(name) !== grouping.without) out[name] = labels[name]!;
    return out;
  };
  const groups = new Map<string, { labels: Labels; members: StepSeries[] }>();
  for (const s of input) {
    const labels = groupOf(s.labels);
    const key = labelsKey(labels);
    let g = groups.get(key);
    if (!g) {
      g = { labels, members: [] };
      groups.set(key, g);
    }
    g.members.push(s);
  }
  if (op === 'topk' || op === 'bottomk') return selectK(op, param ?? 0, groups, input, stepCount);
  const out: StepSeries[] = [];
  for (const g of groups.values()) {
    const values: (number | undefined)[] = new Array(stepCount);
    let any = false;
    for (let i = 0; i < stepCount; i++) {
      const vs: number[] = [];
      for (const m of g.members) {
        const v = m.values[i];
        if (v !== undefined) vs.push(v);
      }
      if (vs.length === 0) continue;
      values[i] = reduce(op, vs);
      any = true;
    }
    if (any) out.push({ labels: g.labels, values });
  }
  return out;
}

function reduce(op: VectorOp, vs: number[]): number {
  switch (op) {
    case 'sum':
      return vs.reduce((a, b) => a + b, 0);
    case 'avg':
      return vs.reduce((a, b) => a + b, 0) / vs.length;
    case 'count':
      return vs.length;
    case 'max':
      return vs.reduce((m, v) => (v > m || Number.isNaN(m) ? v : m));
    case 'min':
      return vs.reduce((m, v) => (v < m || Number.isNaN(m) ? v : m));
    case 'stdvar':
    case 'stddev': {
      let count = 0;
      let mean = 0;
      let aux = 0;
      for (const v of vs) {
        count++;
        const delta = v - mean;
        mean += delta / count;
        aux += delta * (v - mean);
      }
      const variance = aux / count;
      return op === 'stddev' ? Math.sqrt(variance) : variance;
    }
    default:
      return NaN;
  }
}

function selectK(
  op: 'topk' | 'bottomk',
  k: number,
  groups: Map<string, { labels: Labels; members: StepSeries[] }>,
  input: StepSeries[],
  stepCount: number,
): StepSeries[] {
  const kept = new Map<StepSeries, (number | undefined)[]>();
  for (const g of groups.values()) {
    for (let i = 0; i < stepCount; i++) {
      const present = g.members.filter((m) => m.values[i] !== undefined);
      present.sort((a, b) => {
        const x = a.values[i]!;
        const y = b.values[i]!;
        // NaN sorts last for both directions, as Prometheus's heaps do.
        if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
        if (Number.isNaN(y)) return -1;
        return op === 'topk' ? y - x : x - y;
      });
      for (const m of present.slice(0, k)) {
        let values = kept.get(m);
        if (!values) {
          values = new Array(stepCount);
          kept.set(m, values);
        }
        values[i] = m.values[i];
      }
    }
  }
  return input.filter((s) => kept.has(s)).map((s) => ({ labels: s.labels, values: kept.get(s)! }));
}

/** The order `sort` / `sort_desc` give an instant vector (NaN last). */
export function sortSamples<T extends { v: number }>(samples: T[], desc: boolean): T[] {
  return [...samples].sort((a, b) => {
    if (Number.isNaN(a.v)) return Number.isNaN(b.v) ? 0 : 1;
    if (Number.isNaN(b.v)) return -1;
    return desc ? b.v - a.v : a.v - b.v;
  });
}
