import { goQuote } from './go-quote.js';
import { formatGoTime } from './go-time.js';

/**
 * Go's fmt for values as JavaScript holds them: `bigint` is a Go int,
 * `number` a float64, arrays are slices, plain objects maps, `null` and
 * `undefined` nil, and `{ goTime }` a time.Time (shown in UTC).
 */

/** A Go time.Time: nanoseconds since the epoch. */
export interface GoTime {
  goTime: bigint;
}

export function isGoTime(v: unknown): v is GoTime {
  return typeof v === 'object' && v !== null && 'goTime' in v;
}

/** time.Time's String layout. */
const TIME_STRING_LAYOUT = '2006-01-02 15:04:05.999999999 -0700 MST';

/** strconv.FormatFloat(v, 'g', -1, 64), which is what `%v` prints for a float64. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  // Shortest 'g' switches to an exponent outside [1e-4, 1e6), unlike JavaScript.
  if (exp < -4 || exp >= 6) return goExponent(mant, exp);
  return String(v);
}

/** Go writes at least two exponent digits: `1e+06`. */
function goExponent(mant: string, exp: number): string {
  const sign = exp < 0 ? '-' : '+';
  const abs = Math.abs(exp);
  return `${mant}e${sign}${abs < 10 ? '0' : ''}${abs}`;
}

/** strconv.FormatFloat(v, 'g', prec, 64): %e form when the exponent is < -4 or >= prec, trailing zeros dropped. */
function formatGoFloatPrec(v: number, prec: number): string {
  if (!Number.isFinite(v)) return formatGoFloat(v);
  const p = Math.max(prec, 1);
  const [mant, expText] = v.toExponential(p - 1).split('e') as [string, string];
  const exp = Number(expText);
  const trim = (s: string) => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
  if (exp < -4 || exp >= p) return goExponent(trim(mant), exp);
  return trim(v.toFixed(Math.max(p - 1 - exp, 0)));
}

/** fmt.Sprint of one value (`%v`). */
export function goSprint(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatGoFloat(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (isGoTime(v)) return formatGoTime(v.goTime, TIME_STRING_LAYOUT);
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  if (typeof v === 'object') {
    // Go prints maps with their keys sorted.
    const entries = Object.keys(v)
      .sort()
      .map((k) => `${k}:${goSprint((v as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(v);
}

/** The Go type fmt names in `%!verb(type=value)`. */
export function goTypeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (isGoTime(v)) return 'time.Time';
  if (Array.isArray(v)) return '[]interface {}';
  if (v === null || v === undefined) return '<nil>';
  return 'map[string]interface {}';
}

/**
 * fmt.Sprintf for the verbs %s %v %q %t %d %f %F %e %E %g %x %X %o %b %%,
 * with flags (-, +, space, 0), width and precision.
 */
export function goSprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  const re = /%([-+ 0#]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const [, flags = '', widthText, precText, verb] = m;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argi++];
    // Go: `%.f` is precision 0.
    const prec = precText === undefined ? undefined : Number(precText || '0');
    out += pad(formatVerb(verb!, arg, flags, prec), verb!, flags, Number(widthText ?? 0));
  }
  out += format.slice(last);
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) => `${goTypeName(a)}=${goSprint(a)}`)
      .join(', ')})`;
  }
  return out;
}

/** Width counts runes; `0` pads numbers after their sign and is ignored for other verbs. */
function pad(s: string, verb: string, flags: string, width: number): string {
  const fill = width - [...s].length;
  if (fill <= 0) return s;
  if (flags.includes('-')) return s + ' '.repeat(fill);
  if (flags.includes('0') && /[dfFeEgxXob]/.test(verb)) {
    return /^[-+ ]/.test(s) ? s[0] + '0'.repeat(fill) + s.slice(1) : '0'.repeat(fill) + s;
  }
  return ' '.repeat(fill) + s;
}

function formatVerb(verb: string, arg: unknown, flags: string, prec: number | undefined): string {
  const sign = (s: string) =>
    s.startsWith('-') ? s : flags.includes('+') ? '+' + s : flags.includes(' ') ? ' ' + s : s;
  switch (verb) {
    case 's':
    case 'v': {
      // Numbers under %s print as %v does (Go would refuse them: `%!s(int=1)`).
      if (typeof arg === 'number' && verb === 'v' && prec !== undefined) {
        return sign(formatGoFloatPrec(arg, prec));
      }
      const s = goSprint(arg);
      if (verb === 'v' && (typeof arg === 'number' || typeof arg === 'bigint')) return sign(s);
      return prec !== undefined && typeof arg === 'string' ? [...s].slice(0, prec).join('') : s;
    }
    case 'q':
      return typeof arg === 'string' ? goQuote(arg) : bad(verb, arg);
    case 't':
      return typeof arg === 'boolean' ? String(arg) : bad(verb, arg);
    case 'd':
      return typeof arg === 'bigint' ? sign(arg.toString()) : bad(verb, arg);
    case 'f':
    case 'F':
      return typeof arg === 'number' ? sign(fixed(arg, prec ?? 6)) : bad(verb, arg);
    case 'e':
    case 'E': {
      if (typeof arg !== 'number') return bad(verb, arg);
      const s = Number.isFinite(arg) ? exponent(arg, prec ?? 6) : formatGoFloat(arg);
      return sign(verb === 'E' ? s.toUpperCase() : s);
    }
    case 'g':
      if (typeof arg !== 'number') return bad(verb, arg);
      return sign(prec === undefined ? formatGoFloat(arg) : formatGoFloatPrec(arg, prec));
    case 'x':
    case 'X': {
      let s: string;
      if (typeof arg === 'bigint') s = arg.toString(16);
      else if (typeof arg === 'string') s = Buffer.from(arg, 'utf8').toString('hex');
      else return bad(verb, arg);
      return verb === 'X' ? s.toUpperCase() : s;
    }
    case 'o':
      return typeof arg === 'bigint' ? arg.toString(8) : bad(verb, arg);
    case 'b':
      return typeof arg === 'bigint' ? arg.toString(2) : bad(verb, arg);
    default:
      return bad(verb, arg);
  }
}

function fixed(v: number, prec: number): string {
  return Number.isFinite(v) ? v.toFixed(prec) : formatGoFloat(v);
}

function exponent(v: number, prec: number): string {
  const [mant, exp] = v.toExponential(prec).split('e') as [string, string];
  return goExponent(mant, Number(exp));
}

function bad(verb: string, arg: unknown): string {
  return `%!${verb}(${goTypeName(arg)}=${goSprint(arg)})`;
}
