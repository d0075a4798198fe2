import { goSprintf as sprintf } from '../../common/go-fmt.js';

/**
 * Alloy's `format`: Go's fmt.Sprintf over Alloy values. Alloy numbers
 * written without a fraction are Go ints, so integral numbers (also inside
 * arrays and objects) are formatted as ints and the rest as float64.
 */
export function goSprintf(format: string, args: unknown[]): string {
  return sprintf(format, args.map(toGoValue));
}

function toGoValue(v: unknown): unknown {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toGoValue);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toGoValue(x)]));
  }
  return v;
}
