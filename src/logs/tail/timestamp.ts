/**
 * Loki's API timestamps (pkg/loghttp): float seconds when there is a dot,
 * else an integer (seconds when at most 10 digits, nanoseconds otherwise),
 * else RFC3339 with optional fraction. Returns Unix nanoseconds.
 */
export function parseLokiTime(value: string | undefined, fallback: bigint): bigint {
  if (value === undefined || value === '') return fallback;
  if (value.includes('.') && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) {
    const t = Number(value);
    const s = Math.trunc(t);
    const frac = Math.round((t - s) * 1000) / 1000;
    return BigInt(s) * 1_000_000_000n + BigInt(Math.round(frac * 1e9));
  }
  if (/^[+-]?\d+$/.test(value)) {
    const n = BigInt(value);
    return value.replace(/^[+-]/, '').length <= 10 ? n * 1_000_000_000n : n;
  }
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(value);
  if (!m) throw new Error(`cannot parse "${value}" to a valid timestamp`);
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) throw new Error(`cannot parse "${value}" to a valid timestamp`);
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
}
