import { compileGoRegexp, expandGoTemplate } from '../../../common/go-regexp.js';
import type { SampleExpr } from '../ast.js';
import { throwIfAborted } from '../errors.js';
import { evalBinary } from './binary.js';
import { parserHints } from './hints.js';
import { evalRangeAggregation, type EvalContext } from './range-aggregation.js';
import type { StepSeries, StepValue } from './step-series.js';
import { aggregateVector } from './vector-aggregation.js';

export type { EvalContext };

/** Aggregations whose result depends only on the `by` labels of their input. */
const HINTABLE = new Set(['sum', 'avg', 'count', 'max', 'min', 'stddev', 'stdvar']);

/** Range functions whose value over merged series is the sum of their values per series. */
const ADDITIVE = new Set([
  'count_over_time',
  'rate',
  'bytes_over_time',
  'bytes_rate',
  'sum_over_time',
]);

/** What an enclosing `by` aggregation reads of its input, and whether it only adds it up. */
interface Outer {
  by: readonly string[];
  sums: boolean;
}

/**
 * Evaluates a metric expression at every step of `ctx`. `outerBy`: the labels
 * an enclosing `by` aggregation keeps, so parsers below need extract no more.
 */
export async function evaluate(
  expr: SampleExpr,
  ctx: EvalContext,
  outer?: Outer,
): Promise<StepValue> {
  const n = ctx.steps.length;
  switch (expr.kind) {
    case 'literal':
      return { kind: 'scalar', values: new Array<number>(n).fill(expr.value) };
    case 'vector':
      return {
        kind: 'vector',
        series: [{ labels: {}, values: new Array<number>(n).fill(expr.value) }],
      };
    case 'range': {
      const sharded = shardedAverage(expr);
      if (sharded) return evaluate(sharded, ctx, outer);
      // Under `sum by (x)`, an additive range function may merge its series by x
      // right away: the sum is the same and far fewer series are kept.
      const range =
        outer?.sums && ADDITIVE.has(expr.op) && !expr.grouping
          ? { ...expr, grouping: { without: false, labels: [...outer.by] } }
          : expr;
      // The labels kept are known from an enclosing `by`, or from the range's own `by`.
      const hints = outer
        ? parserHints(range, outer.by)
        : range.grouping && !range.grouping.without
          ? parserHints(range, [])
          : undefined;
      const series = await evalRangeAggregation(range, ctx, hints);
      throwIfAborted(ctx.signal);
      return { kind: 'vector', series };
    }
    case 'vectorAgg': {
      const by =
        HINTABLE.has(expr.op) && expr.grouping && !expr.grouping.without
          ? { by: expr.grouping.labels, sums: expr.op === 'sum' }
          : undefined;
      const inner = await evaluate(expr.expr, ctx, by);
      const series = inner.kind === 'vector' ? inner.series : [];
      return {
        kind: 'vector',
        series: aggregateVector(expr.op, expr.param, expr.grouping, series, n),
      };
    }
    case 'binary': {
      const [left, right] = await Promise.all([
        evaluate(expr.left, ctx),
        evaluate(expr.right, ctx),
      ]);
      return evalBinary(expr, left, right, n);
    }
    case 'labelReplace': {
      const inner = await evaluate(expr.expr, ctx);
      if (inner.kind !== 'vector') return inner;
      return { kind: 'vector', series: labelReplace(inner.series, expr) };
    }
  }
}

/**
 * Loki 3.0.0's query sharding rewrites `avg_over_time(... | unwrap x [r]) by (g)`
 * into `sum by (g) (sum_over_time(...)) / sum by (g) (count_over_time(...))`
 * with the unwrap (and its filters) stripped from the count, so lines without
 * the value still count. Its answers carry this, so obs computes the same.
 */
function shardedAverage(expr: Extract<SampleExpr, { kind: 'range' }>): SampleExpr | undefined {
  if (expr.op !== 'avg_over_time' || !expr.range.unwrap || !expr.grouping) return undefined;
  const { unwrap: _unwrap, ...countRange } = expr.range;
  return {
    kind: 'binary',
    op: '/',
    returnBool: false,
    left: {
      kind: 'vectorAgg',
      op: 'sum',
      grouping: expr.grouping,
      expr: { kind: 'range', op: 'sum_over_time', range: expr.range },
    },
    right: {
      kind: 'vectorAgg',
      op: 'sum',
      grouping: expr.grouping,
      expr: { kind: 'range', op: 'count_over_time', range: countRange },
    },
  };
}

function labelReplace(
  series: StepSeries[],
  args: { dst: string; replacement: string; src: string; regex: string },
): StepSeries[] {
  const re = compileGoRegexp(args.regex, { anchored: true });
  return series.map((s) => {
    const m = re.regex.exec(s.labels[args.src] ?? '');
    if (!m) return s;
    const value = expandGoTemplate(args.replacement, m, re.groupNames);
    const labels = { ...s.labels };
    if (value === '') delete labels[args.dst];
    else labels[args.dst] = value;
    return { labels, values: s.values };
  });
}
