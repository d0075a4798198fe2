/**
 * The number conversions Loki applies to label values, with the error texts
 * of the Go functions it calls (they surface in `__error_details__`).
 */

const GO_FLOAT_RE =
  /^[+-]?(?:(?:[0-9](?:_?[0-9])*)?\.?[0-9]*(?:[eE][+-]?[0-9]+)?|0[xX](?:_?[0-9a-fA-F])*\.?(?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?[pP][+-]?[0-9](?:_?[0-9])*|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])$/;

/** strconv.ParseFloat(s, 64). */
export function parseGoFloat(text: string): number | undefined {
  if (!GO_FLOAT_RE.test(text) || !/[0-9]|inf|nan/i.test(text)) return undefined;
  const lower = text.toLowerCase();
  if (/^[+-]?inf(inity)?$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(lower)) return NaN;
  if (/^[+-]?0x/.test(lower)) return parseHexFloat(lower.replace(/_/g, ''));
  const n = Number(text.replace(/_/g, ''));
  return Number.isNaN(n) ? undefined : n;
}

/**
 * Go's hexadecimal float (`0x1.8p3`): hex mantissa with an optional point,
 * and the `p` exponent Go requires. The mantissa is exact as a BigInt and
 * rounds once to a double; scaling by a power of two is then exact (outside
 * the subnormal range).
 */
function parseHexFloat(text: string): number | undefined {
  const m = /^([+-]?)0x([0-9a-f]*)\.?([0-9a-f]*)p([+-]?[0-9]+)$/.exec(text);
  if (!m || m[2]! + m[3]! === '') return undefined;
  const mantissa = Number(BigInt(`0x${m[2]}${m[3]}`));
  const v = mantissa * 2 ** (Number(m[4]) - 4 * m[3]!.length);
  return m[1] === '-' ? -v : v;
}

export function goFloatError(text: string): string {
  return `strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`;
}

const GO_UNITS_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const MAX_SAFE = 2 ** 53;
const U63 = 1n << 63n;

/**
 * time.ParseDuration as Go computes it: each part's integer digits times
 * its unit, plus `uint64(float64(fraction) * (float64(unit) / scale))`, all
 * in unsigned 64-bit integers with Go's overflow errors. In numbers while
 * every value stays below 2^53 (exact there, so the same as Go's integers),
 * else again in bigint. Undefined where Go returns an error.
 */
function goDuration(text: string): { neg: boolean; ns: number | bigint } | undefined {
  let s = text;
  const neg = s.startsWith('-');
  if (neg || s.startsWith('+')) s = s.slice(1);
  if (s === '0') return { neg, ns: 0 };
  if (s === '') return undefined;
  const n = durationParts(s);
  if (n < 0) return undefined;
  const small = smallDurationNs(s, n);
  const ns = small === TOO_BIG ? bigDurationNs(s, n) : small;
  // A negative duration may reach -(1<<63), a positive one only (1<<63)-1.
  if (ns === undefined || (ns === U63 && !neg)) return undefined;
  return { neg, ns };
}

const TOO_BIG = -1;

/** Char codes of `0`, `9` and `.`. */
const C0 = 48;
const C9 = 57;
const DOT = 46;

/** One `[0-9]*(\.[0-9]*)?unit` of a duration: where its digits are, and the unit's nanoseconds. */
interface DurationPart {
  intStart: number;
  intEnd: number;
  /** Fraction digits are [intEnd + 1, fracEnd) when there is a point, none when fracEnd is intEnd. */
  fracEnd: number;
  unit: number;
}

function digitsEnd(s: string, i: number): number {
  while (i < s.length && s.charCodeAt(i) >= C0 && s.charCodeAt(i) <= C9) i++;
  return i;
}

/**
 * Reads a duration's parts (without sign) as Go does into PARTS; returns how
 * many, or -1 where Go's syntax refuses it. The parts are reused by the next
 * call: unwrap converts a value per line, and new ones each time made a
 * conversion ~2x slower.
 */
const PARTS: DurationPart[] = [];

function durationParts(s: string): number {
  let n = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (!(c === DOT || (c >= C0 && c <= C9))) return -1;
    const intStart = i;
    const intEnd = digitsEnd(s, i);
    let fracEnd = intEnd;
    if (intEnd < s.length && s.charCodeAt(intEnd) === DOT) fracEnd = digitsEnd(s, intEnd + 1);
    // No digits before or after the point (`.s`).
    if (intEnd === intStart && fracEnd <= intEnd + 1) return -1;
    // The unit: the text up to the next digit or point.
    let end = fracEnd;
    while (end < s.length) {
      const u = s.charCodeAt(end);
      if (u === DOT || (u >= C0 && u <= C9)) break;
      end++;
    }
    const unit = GO_UNITS_NS[s.slice(fracEnd, end)];
    if (unit === undefined) return -1;
    const part = (PARTS[n] ??= { intStart: 0, intEnd: 0, fracEnd: 0, unit: 0 });
    part.intStart = intStart;
    part.intEnd = intEnd;
    part.fracEnd = fracEnd;
    part.unit = unit;
    n++;
    i = end;
  }
  return n;
}

/** The nanoseconds of the first `n` PARTS in numbers, or TOO_BIG past 2^53. */
function smallDurationNs(s: string, n: number): number {
  let d = 0;
  for (let k = 0; k < n; k++) {
    const p = PARTS[k]!;
    let v = 0;
    for (let i = p.intStart; i < p.intEnd; i++) v = v * 10 + s.charCodeAt(i) - C0;
    let f = 0;
    let scale = 1;
    for (let i = p.intEnd + 1; i < p.fracEnd; i++) {
      f = f * 10 + s.charCodeAt(i) - C0;
      scale *= 10;
    }
    if (v >= MAX_SAFE || f >= MAX_SAFE) return TOO_BIG;
    d += v * p.unit + (f > 0 ? Math.trunc(f * (p.unit / scale)) : 0);
    if (d >= MAX_SAFE) return TOO_BIG;
  }
  return d;
}

/** The nanoseconds of the first `n` PARTS in Go's uint64 arithmetic; undefined on its overflow errors. */
function bigDurationNs(s: string, n: number): bigint | undefined {
  let d = 0n;
  for (let k = 0; k < n; k++) {
    const p = PARTS[k]!;
    // leadingInt: an error once past 1<<63 (digits only add).
    let v = BigInt(s.slice(p.intStart, p.intEnd) || '0');
    if (v > U63) return undefined;
    // leadingFraction: digits past overflow are skipped; scale grows by ten per digit kept.
    let f = 0n;
    let scale = 1;
    for (let i = p.intEnd + 1; i < p.fracEnd; i++) {
      const y = f * 10n + BigInt(s.charCodeAt(i) - C0);
      if (f > (U63 - 1n) / 10n || y > U63) break;
      f = y;
      scale *= 10;
    }
    const u = BigInt(p.unit);
    if (v > U63 / u) return undefined;
    v *= u;
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (p.unit / scale)));
      if (v > U63) return undefined;
    }
    d += v;
    if (d > U63) return undefined;
  }
  return d;
}

/** time.ParseDuration, to nanoseconds. */
export function parseGoDurationNs(text: string): bigint | undefined {
  const d = goDuration(text);
  if (!d) return undefined;
  const ns = BigInt(d.ns);
  return d.neg ? -ns : ns;
}

/** time.ParseDuration(s).Seconds(): float64(d / 1e9) + float64(d % 1e9) / 1e9. */
export function parseGoDurationSeconds(text: string): number | undefined {
  const d = goDuration(text);
  if (!d) return undefined;
  let seconds: number;
  if (typeof d.ns === 'number') {
    // Exact: integers below 2^53.
    const nsec = d.ns % 1e9;
    seconds = (d.ns - nsec) / 1e9 + nsec / 1e9;
  } else {
    seconds = Number(d.ns / 1_000_000_000n) + Number(d.ns % 1_000_000_000n) / 1e9;
  }
  // Go negates the integer: -0 is 0.
  return d.neg && seconds !== 0 ? -seconds : seconds;
}

/** time.ParseDuration's error for text that does not parse. */
export function goDurationError(text: string): string {
  const q = JSON.stringify(text);
  const unit = /^[+-]?[0-9.]+([^0-9.]+)/.exec(text);
  if (unit && !/^(ns|us|µs|μs|ms|s|m|h)/.test(unit[1]!)) {
    return `time: unknown unit ${JSON.stringify(unit[1])} in duration ${q}`;
  }
  if (/^[+-]?[0-9.]+$/.test(text) && text !== '.') return `time: missing unit in duration ${q}`;
  return `time: invalid duration ${q}`;
}

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  '': 1,
  kib: 1024,
  ki: 1024,
  kb: 1000,
  k: 1000,
  mib: 1024 ** 2,
  mi: 1024 ** 2,
  mb: 1000 ** 2,
  m: 1000 ** 2,
  gib: 1024 ** 3,
  gi: 1024 ** 3,
  gb: 1000 ** 3,
  g: 1000 ** 3,
  tib: 1024 ** 4,
  ti: 1024 ** 4,
  tb: 1000 ** 4,
  t: 1000 ** 4,
  pib: 1024 ** 5,
  pi: 1024 ** 5,
  pb: 1000 ** 5,
  p: 1000 ** 5,
  eib: 1024 ** 6,
  ei: 1024 ** 6,
  eb: 1000 ** 6,
  e: 1000 ** 6,
};

/** humanize.ParseBytes (what Loki uses for `bytes()` and byte label filters). */
export function parseBytesValue(text: string): number | undefined {
  const r = parseBytesOrError(text);
  return typeof r === 'number' ? r : undefined;
}

export function parseBytesOrError(text: string): number | string {
  let lastDigit = 0;
  let hasComma = false;
  for (const ch of text) {
    if (!(/[0-9]/.test(ch) || ch === '.' || ch === ',')) break;
    if (ch === ',') hasComma = true;
    lastDigit++;
  }
  let num = text.slice(0, lastDigit);
  if (hasComma) num = num.replace(/,/g, '');
  const f = parseGoFloat(num);
  if (f === undefined) return goFloatError(num);
  const extra = text.slice(lastDigit).trim().toLowerCase();
  const m = BYTE_UNITS[extra];
  if (m === undefined) return `unhandled size name: ${extra}`;
  const v = f * m;
  if (v >= 2 ** 64) return `too large: ${text}`;
  return Math.floor(v);
}
