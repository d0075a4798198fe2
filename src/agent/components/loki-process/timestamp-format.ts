import { GO_LAYOUTS, parseGoTime } from '../../../common/go-time.js';

/** Promtail's Unix formats, beside Go layouts: the unit of the number. */
const UNIX_SCALE: Record<string, bigint> = {
  Unix: 1_000_000_000n,
  UnixMs: 1_000_000n,
  UnixUs: 1_000n,
  UnixNs: 1n,
};

/**
 * Parses a timestamp in a `stage.timestamp` format: Promtail's Unix, UnixMs,
 * UnixUs and UnixNs, a Go layout constant's name (RFC3339, Kitchen...), or a
 * reference-time layout. `zone` (IANA) applies when the value has no offset.
 * Results are Unix nanoseconds.
 */
export function parseTimestamp(format: string, value: string, zone?: string): bigint {
  const scale = UNIX_SCALE[format];
  if (scale !== undefined) return parseUnix(value, scale);
  const layout = Object.hasOwn(GO_LAYOUTS, format)
    ? GO_LAYOUTS[format as keyof typeof GO_LAYOUTS]
    : format;
  // Promtail: a layout without a year (Stamp, Kitchen...) means this year.
  return parseGoTime(layout, value, { zone, missingYear: new Date().getUTCFullYear() });
}

function parseUnix(value: string, scale: bigint): bigint {
  const m = /^(-?\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new Error(`parsing time ${JSON.stringify(value)}: invalid syntax`);
  const whole = BigInt(m[1]!) * scale;
  if (!m[2] || scale === 1n) return whole;
  const digits = scale.toString().length - 1;
  const frac = BigInt(m[2].slice(0, digits).padEnd(digits, '0'));
  return whole + (whole < 0n ? -frac : frac);
}
