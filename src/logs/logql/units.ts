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

/** time.ParseDuration, to nanoseconds. */
export function parseGoDurationNs(text: string): bigint | undefined {
  const seconds = parseGoDurationSeconds(text);
  if (seconds === undefined) return undefined;
  let rest = text.replace(/^[+-]/, '');
  const neg = text.startsWith('-');
  // Sum exactly in integers where the parts are integers, as Go does.
  let total = 0n;
  const re = /^([0-9]*)(?:\.([0-9]*))?(ns|us|µs|μs|ms|s|m|h)/;
  if (rest === '0') return 0n;
  while (rest.length > 0) {
    const m = re.exec(rest)!;
    const unit = BigInt(GO_UNITS_NS[m[3]!]!);
    total += BigInt(m[1] || '0') * unit;
    if (m[2]) total += (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length);
    rest = rest.slice(m[0].length);
  }
  return neg ? -total : total;
}

/** time.ParseDuration(s).Seconds(). */
export function parseGoDurationSeconds(text: string): number | undefined {
  let rest = text;
  if (rest.startsWith('-') || rest.startsWith('+')) rest = rest.slice(1);
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  const re = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (!m || m[1] === '' || m[1] === '.') return undefined;
    total += Number(m[1]) * GO_UNITS_NS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return ((text.startsWith('-') ? -1 : 1) * total) / 1e9;
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
