import type { RangeOp, SampleExpr } from '../ast.js';
import type { ExtractedRequest } from '../../reader.js';
import { isPlainLogfmtKey } from '../logfmt-decoder.js';

type RangeExpr = Extract<SampleExpr, { kind: 'range' }>;

const COUNTING = new Set<RangeOp>(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate']);
/**
 * Unwrapped functions whose result depends only on the window's values and
 * times: first/last_over_time and rate_counter also depend on the order of
 * entries with equal times, which only the stages' scan order fixes.
 */
const UNWRAPPED = new Set<RangeOp>([
  'sum_over_time',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'stdvar_over_time',
  'stddev_over_time',
  'quantile_over_time',
  'rate',
]);

/**
 * What storage is asked to extract for `op(selector | logfmt [unwrap] [r])`
 * when the query reads only the hinted labels, all plain logfmt keys — the
 * shape the logfmt stage answers by its hinted lookup, which storage
 * reproduces. Undefined for every other shape: the stages run instead.
 */
export function extractedShape(
  expr: RangeExpr,
  pushedFilters: number,
  hints: ReadonlySet<string> | undefined,
): Pick<ExtractedRequest, 'parser' | 'fields' | 'unwrap'> | undefined {
  if (!hints || ![...hints].every(isPlainLogfmtKey)) return undefined;
  const stages = expr.range.selector.stages.slice(pushedFilters);
  const only = stages[0];
  if (stages.length !== 1 || only?.type !== 'logfmt') return undefined;
  if (only.strict || only.keepEmpty || only.params.length > 0) return undefined;
  const unwrap = expr.range.unwrap;
  if (!unwrap) {
    return COUNTING.has(expr.op) ? { parser: 'logfmt', fields: [...hints] } : undefined;
  }
  if (!UNWRAPPED.has(expr.op) || unwrap.postFilters.length > 0) return undefined;
  if (unwrap.conversion === 'bytes' || !isPlainLogfmtKey(unwrap.label)) return undefined;
  // Grouped by the unwrapped label itself: its value would have to be a series label too.
  if (expr.grouping?.labels.includes(unwrap.label)) return undefined;
  return {
    parser: 'logfmt',
    fields: [...hints].filter((h) => h !== unwrap.label),
    unwrap: {
      field: unwrap.label,
      ...(unwrap.conversion ? { conversion: unwrap.conversion } : {}),
    },
  };
}
