import { parseGoDurationSeconds, parseGoFloat } from '../logql/units.js';

/**
 * Separates an unwrapped field's values in the one string DuckDB hands over
 * per series: values SQL extracts never hold `"` (unquoted ones cannot, quoted
 * ones with an escaped quote make storage decline), and one string converts
 * to JavaScript far cheaper than a list of strings.
 */
export const VALUE_SEPARATOR = '"';

/**
 * Converts a series' unwrapped values as the unwrap stage does (the same
 * functions, so `1h30m`, `1e3` or `NaN` come out as they do there), each
 * distinct text once, and orders the samples by (time, value). Undefined when
 * a value does not convert: the stage then labels the sample with an error,
 * which only the stages report.
 */
export function unwrappedSamples(
  times: number[],
  texts: string,
  conversion: 'duration' | 'duration_seconds' | undefined,
): { offsets: number[]; values: number[] } | undefined {
  const parse = conversion ? parseGoDurationSeconds : parseGoFloat;
  const seen = new Map<string, number | undefined>();
  const parts = texts.split(VALUE_SEPARATOR);
  const values = new Array<number>(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const text = parts[i]!;
    let v = seen.get(text);
    if (v === undefined && !seen.has(text)) {
      v = parse(text);
      seen.set(text, v);
    }
    if (v === undefined) return undefined;
    values[i] = v;
  }
  return sortedSamples(times, values);
}

/**
 * Samples ordered by (time, value), stably: a natural merge sort, since a
 * series arrives as runs already in time order (each stream's rows are
 * stored by time) where a comparison sort would start from scratch.
 */
function sortedSamples(times: number[], values: number[]): { offsets: number[]; values: number[] } {
  const n = times.length;
  let bounds = [0];
  for (let i = 1; i < n; i++) {
    const t = times[i]!;
    const before = times[i - 1]!;
    if (t < before || (t === before && byValue(values[i]!, values[i - 1]!) < 0)) bounds.push(i);
  }
  if (bounds.length === 1) return { offsets: times, values };
  bounds.push(n);
  let st = Float64Array.from(times);
  let sv = Float64Array.from(values);
  let dt = new Float64Array(n);
  let dv = new Float64Array(n);
  while (bounds.length > 2) {
    const merged = [0];
    for (let r = 0; r + 1 < bounds.length; r += 2) {
      const lo = bounds[r]!;
      const mid = bounds[r + 1]!;
      const hi = r + 2 < bounds.length ? bounds[r + 2]! : mid;
      let i = lo;
      let j = mid;
      for (let k = lo; k < hi; k++) {
        // The left run's sample unless the right one's comes strictly before it (stable).
        const left =
          j >= hi ||
          (i < mid && !(st[j]! < st[i]! || (st[j] === st[i] && byValue(sv[j]!, sv[i]!) < 0)));
        const from = left ? i++ : j++;
        dt[k] = st[from]!;
        dv[k] = sv[from]!;
      }
      merged.push(hi);
    }
    bounds = merged;
    [st, dt] = [dt, st];
    [sv, dv] = [dv, sv];
  }
  // Loops: Array.from walks a typed array through its iterator.
  const offsets = new Array<number>(n);
  const sorted = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    offsets[i] = st[i]!;
    sorted[i] = sv[i]!;
  }
  return { offsets, values: sorted };
}

/** Numeric order with NaN after every number, as DuckDB sorts doubles. */
function byValue(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  return Number.isNaN(b) ? -1 : 0;
}
