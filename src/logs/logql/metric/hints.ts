import type { LabelFilterExpr, SampleExpr } from '../ast.js';

type RangeExpr = Extract<SampleExpr, { kind: 'range' }>;

/** Adds every label name a label filter reads. */
export function filterNames(f: LabelFilterExpr, out: Set<string>): void {
  switch (f.kind) {
    case 'and':
    case 'or':
      filterNames(f.left, out);
      filterNames(f.right, out);
      return;
    case 'string':
      out.add(f.matcher.name);
      return;
    default:
      out.add(f.name);
  }
}

/**
 * The labels a range aggregation must extract when an outer `by` aggregation
 * reads only `outer`: those, the range's own `by` labels, the unwrapped label
 * and every label a filter reads. Undefined (extract everything) when a
 * stage may read or rename arbitrary labels.
 */
export function parserHints(expr: RangeExpr, outer: readonly string[]): Set<string> | undefined {
  if (expr.grouping?.without) return undefined;
  const hints = new Set(outer);
  for (const name of expr.grouping?.labels ?? []) hints.add(name);
  const unwrap = expr.range.unwrap;
  if (unwrap) {
    hints.add(unwrap.label);
    for (const f of unwrap.postFilters) filterNames(f, hints);
  }
  for (const stage of expr.range.selector.stages) {
    switch (stage.type) {
      case 'labelFilter':
        filterNames(stage.filter, hints);
        break;
      case 'lineFormat':
      case 'labelFormat':
      case 'drop':
      case 'keep':
        return undefined;
      default:
        break;
    }
  }
  return hints;
}
