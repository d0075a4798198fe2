import type { Labels } from '../../common/labels.js';
import type { AggregateExpr } from './ast.js';
import { PromQLError } from './errors.js';
import { formatGoFloat } from '../../common/go-fmt.js';
import { formatSampleValue } from '../../common/sample-value.js';
import type { FloatHistogram } from '../queryable.js';
import { heapPop, heapPush, insertionSort } from './go-heap.js';
import { histogramAdd, histogramScale } from './histogram.js';
import { quantile } from './math.js';
import { isValidLabelName, labelsKey, METRIC_NAME, type Sample, type Vector } from './value.js';

interface Group {
  metric: Labels;
  /** Sum of the group's native histograms, when it has any. */
  hist?: FloatHistogram;
  /** Whether the group also has float samples (a mix gives no result for sum and avg). */
  hasFloat: boolean;
  count: number;
  value: number;
  mean: number;
  samples: Sample[];
}

interface GroupKey {
  key: string;
  metric: Labels;
}

/**
 * Evaluates one aggregation at one step. `cache` maps input label sets to
 * their group, so the grouping is computed once per series, not per step.
 */
export function aggregateStep(
  e: AggregateExpr,
  param: number | string | undefined,
  vec: Vector,
  cache: Map<Labels, GroupKey>,
): Vector {
  const { op } = e;
  let valueLabel = '';
  if (op === 'count_values') {
    valueLabel = param as string;
    if (!isValidLabelName(valueLabel)) {
      throw new PromQLError('execution', `invalid label name "${valueLabel}"`);
    }
  }
  let k = 0;
  if (op === 'topk' || op === 'bottomk') {
    const f = param as number;
    // int64's bounds as float64: ±2^63.
    if (!(f >= -(2 ** 63) && f <= 2 ** 63)) {
      throw new PromQLError('execution', `Scalar value ${formatGoFloat(f)} overflows int64`);
    }
    k = Math.trunc(f);
    if (k < 1) return [];
  }
  const groups = new Map<string, Group>();
  const histogramsCount = op === 'sum' || op === 'avg' || op === 'count' || op === 'group';
  for (const s of histogramsCount ? vec : vec.filter((x) => !x.h)) {
    let g: GroupKey;
    if (op === 'count_values') {
      g = groupOf({ ...s.metric, [valueLabel]: formatSampleValue(s.f) }, e, valueLabel);
    } else {
      let cached = cache.get(s.metric);
      if (!cached) {
        cached = groupOf(s.metric, e, '');
        cache.set(s.metric, cached);
      }
      g = cached;
    }
    const group = groups.get(g.key);
    if (!group) {
      groups.set(g.key, {
        metric: g.metric,
        hist: s.h,
        hasFloat: !s.h,
        count: 1,
        value: op === 'stddev' || op === 'stdvar' ? 0 : s.f,
        mean: s.f,
        samples: [s],
      });
      continue;
    }
    group.count++;
    if (s.h) {
      group.hist = group.hist ? histogramAdd(group.hist, s.h) : s.h;
      continue;
    }
    group.hasFloat = true;
    switch (op) {
      case 'sum':
        group.value += s.f;
        break;
      case 'avg':
        if (group.mean === Infinity || group.mean === -Infinity) {
          if ((s.f === Infinity || s.f === -Infinity) && group.mean > 0 === s.f > 0) break;
          if (Number.isFinite(s.f)) break;
        }
        group.mean += s.f / group.count - group.mean / group.count;
        break;
      case 'min':
        if (group.value > s.f || Number.isNaN(group.value)) group.value = s.f;
        break;
      case 'max':
        if (group.value < s.f || Number.isNaN(group.value)) group.value = s.f;
        break;
      case 'stddev':
      case 'stdvar': {
        const delta = s.f - group.mean;
        group.mean += delta / group.count;
        group.value += delta * (s.f - group.mean);
        break;
      }
      case 'topk':
      case 'bottomk':
      case 'quantile':
        group.samples.push(s);
        break;
      default:
        break;
    }
  }
  const out: Vector = [];
  for (const group of groups.values()) {
    if (group.hist && (op === 'sum' || op === 'avg')) {
      if (group.hasFloat) continue;
      const h = op === 'avg' ? histogramScale(group.hist, 1 / group.count) : group.hist;
      out.push({ metric: group.metric, f: 0, h });
      continue;
    }
    switch (op) {
      case 'sum':
      case 'min':
      case 'max':
        out.push({ metric: group.metric, f: group.value });
        break;
      case 'avg':
        out.push({ metric: group.metric, f: group.mean });
        break;
      case 'count':
      case 'count_values':
        out.push({ metric: group.metric, f: group.count });
        break;
      case 'group':
        out.push({ metric: group.metric, f: 1 });
        break;
      case 'stdvar':
        out.push({ metric: group.metric, f: group.value / group.count });
        break;
      case 'stddev':
        out.push({ metric: group.metric, f: Math.sqrt(group.value / group.count) });
        break;
      case 'quantile':
        out.push({
          metric: group.metric,
          f: quantile(
            param as number,
            group.samples.map((s) => s.f),
          ),
        });
        break;
      case 'topk':
      case 'bottomk':
        for (const smp of selectK(group.samples, k, op === 'topk')) {
          out.push({ metric: smp.metric, f: smp.f });
        }
        break;
    }
  }
  return out;
}

/** Smallest value on top for topk (NaN smallest), largest for bottomk. */
const TOPK_LESS = (a: Sample, b: Sample): boolean => Number.isNaN(a.f) || a.f < b.f;
const BOTTOMK_LESS = (a: Sample, b: Sample): boolean => Number.isNaN(a.f) || a.f > b.f;

/**
 * Prometheus's topk/bottomk: a heap of k samples whose root is replaced by
 * each better sample, then sorted best first, all in Go's heap and sort
 * order so ties resolve as in Prometheus.
 */
function selectK(samples: Sample[], k: number, top: boolean): Sample[] {
  const less = top ? TOPK_LESS : BOTTOMK_LESS;
  const heap: Sample[] = [];
  for (const s of samples) {
    if (heap.length < k) {
      heapPush(heap, s, less);
      continue;
    }
    const root = heap[0]!.f;
    const better = top ? root < s.f : root > s.f;
    if (better || (Number.isNaN(root) && !Number.isNaN(s.f))) {
      heapPop(heap, less);
      heapPush(heap, s, less);
    }
  }
  insertionSort(heap, (a, b) => less(b, a));
  return heap;
}

function groupOf(metric: Labels, e: AggregateExpr, valueLabel: string): GroupKey {
  const out: Labels = {};
  if (e.without) {
    for (const n in metric) {
      if (n !== METRIC_NAME && !e.grouping.includes(n)) out[n] = metric[n]!;
    }
  } else {
    for (const n of e.grouping) if (metric[n] !== undefined) out[n] = metric[n]!;
    if (valueLabel !== '') out[valueLabel] = metric[valueLabel]!;
  }
  return { key: labelsKey(out), metric: out };
}
