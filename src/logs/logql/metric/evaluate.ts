import { compileGoRegexp, expandGoTemplate } from '../../../common/go-regexp.js';
import type { SampleExpr } from '../ast.js';
import { evalBinary } from './binary.js';
import { evalRangeAggregation, type EvalContext } from './range-aggregation.js';
import type { StepSeries, StepValue } from './step-series.js';
import { aggregateVector } from './vector-aggregation.js';

export type { EvalContext };

/** Evaluates a metric expression at every step of `ctx`. */
export async function evaluate(expr: SampleExpr, ctx: EvalContext): Promise<StepValue> {
  const n = ctx.steps.length;
  switch (expr.kind) {
    case 'literal':
      return { kind: 'scalar', values: new Array<number>(n).fill(expr.value) };
    case 'vector':
      return {
        kind: 'vector',
        series: [{ labels: {}, values: new Array<number>(n).fill(expr.value) }],
      };
    case 'range':
      return { kind: 'vector', series: await evalRangeAggregation(expr, ctx) };
    case 'vectorAgg': {
      const inner = await evaluate(expr.expr, ctx);
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
