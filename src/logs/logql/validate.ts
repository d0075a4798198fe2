import { compileGoRegexp } from '../../common/go-regexp.js';
import type { Expr, LogSelectorExpr, SampleExpr } from './ast.js';
import { LogqlParseError } from './errors.js';
import { compileLabelMatcher } from '../../common/label-matcher.js';

const EMPTY_COMPATIBLE =
  'queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will';

const NEEDS_UNWRAP = new Set([
  'avg_over_time',
  'sum_over_time',
  'max_over_time',
  'min_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'quantile_over_time',
  'rate_counter',
  'first_over_time',
  'last_over_time',
]);
const ALLOWS_UNWRAP = new Set([...NEEDS_UNWRAP, 'rate', 'absent_over_time']);
const ALLOWS_GROUPING = new Set([
  'avg_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'quantile_over_time',
  'rate',
  'rate_counter',
  'max_over_time',
  'min_over_time',
  'first_over_time',
  'last_over_time',
]);

/** The checks Loki makes after parsing; each failure is a `parse error : ...`. */
export function validateExpr(expr: Expr): void {
  if (expr.kind === 'log') validateSelector(expr);
  else validateSample(expr);
}

function validateSelector(sel: LogSelectorExpr): void {
  const ok = sel.matchers.some((m) => {
    if (m.type !== '=' && m.type !== '=~') return false;
    return !compileRegexMatcher(m)('');
  });
  if (!ok) throw new LogqlParseError(EMPTY_COMPATIBLE);
  for (const m of sel.matchers) compileRegexMatcher(m);
}

function compileRegexMatcher(m: Parameters<typeof compileLabelMatcher>[0]): (v: string) => boolean {
  try {
    return compileLabelMatcher(m);
  } catch (err) {
    throw new LogqlParseError((err as Error).message);
  }
}

function validateSample(expr: SampleExpr): void {
  switch (expr.kind) {
    case 'range': {
      const op = expr.op;
      if (expr.grouping && !ALLOWS_GROUPING.has(op)) {
        throw new LogqlParseError(`grouping not allowed for ${op} aggregation`);
      }
      if (expr.range.unwrap) {
        if (!ALLOWS_UNWRAP.has(op))
          throw new LogqlParseError(`invalid aggregation ${op} with unwrap`);
      } else if (NEEDS_UNWRAP.has(op)) {
        throw new LogqlParseError(`invalid aggregation ${op} without unwrap`);
      }
      if (op === 'quantile_over_time' && expr.param === undefined) {
        throw new LogqlParseError(`parameter required for operation ${op}`);
      }
      validateSelector(expr.range.selector);
      return;
    }
    case 'vectorAgg':
      if (expr.op === 'topk' || expr.op === 'bottomk') {
        if (expr.param === undefined) {
          throw new LogqlParseError(`parameter required for operation ${expr.op}`);
        }
        if (!(expr.param > 0) || !Number.isInteger(expr.param)) {
          throw new LogqlParseError(
            `invalid parameter (must be greater than 0) ${expr.op}(${expr.param}`,
          );
        }
      }
      validateSample(expr.expr);
      return;
    case 'binary':
      validateSample(expr.left);
      validateSample(expr.right);
      return;
    case 'labelReplace':
      try {
        compileGoRegexp(expr.regex, { anchored: true });
      } catch (err) {
        throw new LogqlParseError(`invalid regex in label_replace: ${(err as Error).message}`);
      }
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(expr.dst)) {
        throw new LogqlParseError(`invalid destination label name in label_replace: ${expr.dst}`);
      }
      validateSample(expr.expr);
      return;
    default:
      return;
  }
}
