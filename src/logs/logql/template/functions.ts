import { compileGoRegexp, expandGoTemplate, type GoRegexp } from '../../../common/go-regexp.js';
import { goDurationError, parseBytesOrError, parseGoDurationSeconds } from '../units.js';
import type { TemplateFunc } from './exec.js';
import { goSprintf, goTypeName, isGoTime, type GoTime } from '../../../common/go-fmt.js';
import { checkZone, formatGoTime, parseGoTime } from '../../../common/go-time.js';
import { printValue, truth } from './exec.js';

/** What `__line__` and `__timestamp__` read: the entry being formatted. */
export interface EntryContext {
  line: string;
  timestampNs: bigint;
}

/** sprig's toInt64 (via cast): strings parse as integers, anything unparsable is 0. */
function toInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^[+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(t)) {
      const neg = t.startsWith('-');
      const body = t.replace(/^[+-]/, '');
      const n = /^0[0-7]+$/.test(body) ? BigInt('0o' + body.slice(1)) : BigInt(body);
      return neg ? -n : n;
    }
    return 0n;
  }
  return 0n;
}

/** sprig's toFloat64 (via cast). */
function toFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = Number(v.trim());
    return v.trim() === '' || Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : printValue(v);
}

const globalRegexes = new Map<string, { regex: RegExp; groupNames: GoRegexp['groupNames'] }>();

/**
 * A template's regex with the `g` flag, compiled once per pattern: templates
 * run per line. Shared safely, as replace and matchAll reset `lastIndex`.
 */
function globalRegex(source: string): { regex: RegExp; groupNames: GoRegexp['groupNames'] } {
  let compiled = globalRegexes.get(source);
  if (compiled) return compiled;
  const { regex: re, groupNames } = compileGoRegexp(source);
  compiled = {
    regex: new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'),
    groupNames,
  };
  if (globalRegexes.size > 1000) globalRegexes.clear();
  globalRegexes.set(source, compiled);
  return compiled;
}

function trimCutset(s: string, cutset: string, left: boolean, right: boolean): string {
  const chars = new Set([...cutset]);
  const arr = [...s];
  let a = 0;
  let b = arr.length;
  if (left) while (a < b && chars.has(arr[a]!)) a++;
  if (right) while (b > a && chars.has(arr[b - 1]!)) b--;
  return arr.slice(a, b).join('');
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'number') return compare(Number(a), b);
  if (typeof a === 'number' && typeof b === 'bigint') return compare(a, Number(b));
  throw new Error('incompatible types for comparison');
}

function toTime(v: unknown): GoTime {
  if (isGoTime(v)) return v;
  throw new Error(`wrong type for value; expected time.Time; got ${goTypeName(v)}`);
}

function roundHalfUp(v: number, places: number): number {
  const pow = 10 ** places;
  const digit = pow * v;
  const frac = digit - Math.trunc(digit);
  return (frac >= 0.5 ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

function align(count: unknown, src: unknown, right: boolean): string {
  const n = Number(toInt(count));
  const s = str(src);
  const runes = [...s];
  if (n < 0 || n === runes.length) return s;
  const padLen = n - runes.length;
  if (padLen > 0) return right ? ' '.repeat(padLen) + s : s + ' '.repeat(padLen);
  return right ? runes.slice(runes.length - n).join('') : runes.slice(0, n).join('');
}

function title(s: string): string {
  return s.replace(
    /(^|[^\p{L}\p{N}_'])(\p{L})/gu,
    (_m, pre: string, c: string) => pre + c.toUpperCase(),
  );
}

function indent(n: unknown, s: unknown): string {
  const pad = ' '.repeat(Number(toInt(n)));
  return pad + str(s).replace(/\n/g, '\n' + pad);
}

/** Go's zero time.Time (0001-01-01 00:00:00 UTC) in Unix nanoseconds. */
const ZERO_TIME_NS = -62_135_596_800n * 1_000_000_000n;

/**
 * sprig's toDate and Loki's toDateInZone: time.ParseInLocation, with the
 * zero time when the value does not parse and UTC when the zone is unknown.
 */
function parseTimeLayout(layout: string, value: string, zone?: string): GoTime {
  try {
    if (zone !== undefined) checkZone(zone);
  } catch {
    zone = undefined;
  }
  try {
    return { goTime: parseGoTime(layout, value, { zone }) };
  } catch {
    return { goTime: ZERO_TIME_NS };
  }
}

/** Loki's line_format / label_format functions (its own, Go builtins, and the sprig subset). */
export function templateFunctions(ctx: EntryContext): Map<string, TemplateFunc> {
  const f: Record<string, TemplateFunc> = {
    // Go builtins.
    and: (...a) => a.find((v) => !truth(v)) ?? a[a.length - 1],
    or: (...a) => a.find((v) => truth(v)) ?? a[a.length - 1],
    not: (a) => !truth(a),
    len: (a) =>
      BigInt(typeof a === 'string' ? Buffer.byteLength(a) : Array.isArray(a) ? a.length : 0),
    print: (...a) => a.map(str).join(''),
    println: (...a) => a.map(str).join(' ') + '\n',
    printf: (fmt, ...a) => goSprintf(str(fmt), a),
    eq: (a, ...b) => b.some((x) => compare(a, x) === 0),
    ne: (a, b) => compare(a, b) !== 0,
    lt: (a, b) => compare(a, b) < 0,
    le: (a, b) => compare(a, b) <= 0,
    gt: (a, b) => compare(a, b) > 0,
    ge: (a, b) => compare(a, b) >= 0,
    urlquery: (...a) => encodeURIComponent(a.map(str).join('')),
    // Loki's own.
    ToLower: (s) => str(s).toLowerCase(),
    ToUpper: (s) => str(s).toUpperCase(),
    Replace: (s, o, n, c) => {
      const count = Number(toInt(c));
      let out = str(s);
      if (count < 0) return out.split(str(o)).join(str(n));
      let done = '';
      for (let i = 0; i < count; i++) {
        const at = out.indexOf(str(o));
        if (at < 0) break;
        done += out.slice(0, at) + str(n);
        out = out.slice(at + str(o).length);
      }
      return done + out;
    },
    Trim: (s, c) => trimCutset(str(s), str(c), true, true),
    TrimLeft: (s, c) => trimCutset(str(s), str(c), true, false),
    TrimRight: (s, c) => trimCutset(str(s), str(c), false, true),
    TrimPrefix: (s, p) => (str(s).startsWith(str(p)) ? str(s).slice(str(p).length) : str(s)),
    TrimSuffix: (s, p) =>
      str(p) !== '' && str(s).endsWith(str(p)) ? str(s).slice(0, -str(p).length) : str(s),
    TrimSpace: (s) => str(s).trim(),
    regexReplaceAll: (re, s, repl) => {
      const compiled = globalRegex(str(re));
      return str(s).replace(compiled.regex, (...m) => {
        const groups = m.slice(0, compiled.groupNames.length) as string[];
        const exec = Object.assign(groups, {
          index: 0,
          input: str(s),
        }) as unknown as RegExpExecArray;
        return expandGoTemplate(str(repl), exec, compiled.groupNames);
      });
    },
    regexReplaceAllLiteral: (re, s, repl) =>
      str(s).replace(globalRegex(str(re)).regex, () => str(repl)),
    count: (re, s) => BigInt([...str(s).matchAll(globalRegex(str(re)).regex)].length),
    urlencode: (s) =>
      encodeURIComponent(str(s))
        .replace(/%20/g, '+')
        .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()),
    urldecode: (s) => decodeURIComponent(str(s).replace(/\+/g, ' ')),
    b64enc: (s) => Buffer.from(str(s), 'utf8').toString('base64'),
    b64dec: (s) => Buffer.from(str(s), 'base64').toString('utf8'),
    bytes: (s) => {
      const v = parseBytesOrError(str(s));
      if (typeof v === 'string') throw new Error(v);
      return v;
    },
    duration: (s) => {
      const v = parseGoDurationSeconds(str(s));
      if (v === undefined) throw new Error(goDurationError(str(s)));
      return v;
    },
    unixEpochMillis: (t) => toTime(t).goTime / 1000000n,
    unixEpochNanos: (t) => toTime(t).goTime,
    unixToTime: (s) => {
      const text = str(s);
      if (!/^\d+$/.test(text))
        throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
      const n = BigInt(text);
      // Seconds, milliseconds, microseconds or nanoseconds, by length as Loki decides.
      const scale =
        text.length <= 10
          ? 1000000000n
          : text.length <= 13
            ? 1000000n
            : text.length <= 16
              ? 1000n
              : 1n;
      return { goTime: n * scale };
    },
    alignLeft: (n, s) => align(n, s, false),
    alignRight: (n, s) => align(n, s, true),
    __line__: () => ctx.line,
    __timestamp__: () => ({ goTime: ctx.timestampNs }),
    // sprig.
    lower: (s) => str(s).toLowerCase(),
    upper: (s) => str(s).toUpperCase(),
    title: (s) => title(str(s)),
    trunc: (c, s) => {
      const n = Number(toInt(c));
      const text = str(s);
      if (n < 0 && text.length + n > 0) return text.slice(text.length + n);
      if (n >= 0 && text.length > n) return text.slice(0, n);
      return text;
    },
    substr: (a, b, s) => {
      const start = Number(toInt(a));
      const end = Number(toInt(b));
      const text = str(s);
      if (start < 0) return text.slice(0, end);
      if (end < 0 || end > text.length) return text.slice(start);
      return text.slice(start, end);
    },
    contains: (sub, s) => str(s).includes(str(sub)),
    hasPrefix: (p, s) => str(s).startsWith(str(p)),
    hasSuffix: (p, s) => str(s).endsWith(str(p)),
    indent: (n, s) => indent(n, s),
    nindent: (n, s) => '\n' + indent(n, s),
    replace: (o, n, s) => str(s).split(str(o)).join(str(n)),
    repeat: (c, s) => str(s).repeat(Math.max(0, Number(toInt(c)))),
    trim: (s) => str(s).trim(),
    trimAll: (c, s) => trimCutset(str(s), str(c), true, true),
    trimSuffix: (p, s) =>
      str(p) !== '' && str(s).endsWith(str(p)) ? str(s).slice(0, -str(p).length) : str(s),
    trimPrefix: (p, s) => (str(s).startsWith(str(p)) ? str(s).slice(str(p).length) : str(s)),
    int: (v) => toInt(v),
    float64: (v) => toFloat(v),
    add: (...a) => a.reduce<bigint>((s, v) => s + toInt(v), 0n),
    sub: (a, b) => toInt(a) - toInt(b),
    mul: (...a) => a.reduce<bigint>((s, v) => s * toInt(v), 1n),
    div: (a, b) => {
      const d = toInt(b);
      if (d === 0n) throw new Error('runtime error: integer divide by zero');
      return toInt(a) / d;
    },
    mod: (a, b) => {
      const d = toInt(b);
      if (d === 0n) throw new Error('runtime error: integer divide by zero');
      return toInt(a) % d;
    },
    addf: (...a) => a.reduce<number>((s, v) => s + toFloat(v), 0),
    subf: (a, ...b) => b.reduce<number>((s, v) => s - toFloat(v), toFloat(a)),
    mulf: (...a) => a.reduce<number>((s, v) => s * toFloat(v), 1),
    divf: (a, ...b) => b.reduce<number>((s, v) => s / toFloat(v), toFloat(a)),
    max: (a, ...b) => b.reduce<bigint>((m, v) => (toInt(v) > m ? toInt(v) : m), toInt(a)),
    min: (a, ...b) => b.reduce<bigint>((m, v) => (toInt(v) < m ? toInt(v) : m), toInt(a)),
    maxf: (a, ...b) => b.reduce<number>((m, v) => Math.max(m, toFloat(v)), toFloat(a)),
    minf: (a, ...b) => b.reduce<number>((m, v) => Math.min(m, toFloat(v)), toFloat(a)),
    ceil: (a) => Math.ceil(toFloat(a)),
    floor: (a) => Math.floor(toFloat(a)),
    round: (a, p) => roundHalfUp(toFloat(a), Number(toInt(p ?? 0n))),
    fromJson: (s) => {
      try {
        return JSON.parse(str(s)) as unknown;
      } catch {
        return undefined;
      }
    },
    date: (layout, t) => formatGoTime(toTime(t).goTime, str(layout)),
    toDate: (layout, s) => parseTimeLayout(str(layout), str(s)),
    toDateInZone: (layout, zone, s) => parseTimeLayout(str(layout), str(s), str(zone)),
    now: () => ({ goTime: BigInt(Date.now()) * 1000000n }),
    unixEpoch: (t) => toTime(t).goTime / 1000000000n,
    default: (d, ...given) => (given.length === 0 || !truth(given[0]) ? d : given[0]),
  };
  f['duration_seconds'] = f['duration']!;
  return new Map(Object.entries(f));
}

export const TEMPLATE_FUNCTION_NAMES: ReadonlySet<string> = new Set(
  templateFunctions({ line: '', timestampNs: 0n }).keys(),
);
