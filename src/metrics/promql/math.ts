/** Neumaier-compensated summation step, as Prometheus's kahanSumInc. */
export function kahanSumInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (!Number.isFinite(t) && !Number.isNaN(t)) return [t, 0];
  if (Math.abs(sum) >= Math.abs(inc)) return [t, c + (sum - t + inc)];
  return [t, c + (inc - t + sum)];
}

const MIN_NORMAL = 2.2250738585072014e-308;

/** Prometheus's almostEqual: relative comparison that treats two NaNs as equal. */
export function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/** Orders NaN before every number, as Prometheus's vectorByValueHeap does. */
function lessNaNFirst(a: number, b: number): boolean {
  if (Number.isNaN(a)) return true;
  return a < b;
}

/** The φ-quantile of values (sorted in place), as Prometheus's quantile(). */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  values.sort((a, b) => (lessNaNFirst(a, b) ? -1 : lessNaNFirst(b, a) ? 1 : 0));
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower]! * (1 - weight) + values[upper]! * weight;
}

/** Go's strconv.ParseFloat for label values such as `le="+Inf"`; undefined when invalid. */
export function parseGoFloat(text: string): number | undefined {
  const s = text.toLowerCase();
  if (s === 'inf' || s === '+inf' || s === 'infinity' || s === '+infinity') return Infinity;
  if (s === '-inf' || s === '-infinity') return -Infinity;
  if (s === 'nan') return NaN;
  if (
    !/^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/.test(s) &&
    !/^[-+]?0x[0-9a-f]+(?:p[-+]?\d+)?$/.test(s)
  ) {
    return undefined;
  }
  if (s.includes('0x')) {
    const neg = s.startsWith('-');
    const [mant, exp] = s.replace(/^[-+]?0x/, '').split('p');
    const v = parseInt(mant!, 16) * Math.pow(2, Number(exp ?? 0));
    return neg ? -v : v;
  }
  return Number(s);
}
