/** Go's fmt and time formatting, as much as Loki's templates need. */

/** A Go time.Time: nanoseconds since the epoch, shown in UTC (the server's zone). */
export interface GoTime {
  goTime: bigint;
}

export function isGoTime(v: unknown): v is GoTime {
  return typeof v === 'object' && v !== null && 'goTime' in v;
}

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

function goExponent(mant: string, exp: number): string {
  const sign = exp < 0 ? '-' : '+';
  const abs = Math.abs(exp);
  return `${mant}e${sign}${abs < 10 ? '0' : ''}${abs}`;
}

/** fmt.Sprint of one value. */
export function goString(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatGoFloat(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (isGoTime(v)) return formatGoTime(v.goTime, '2006-01-02 15:04:05.999999999 -0700 MST');
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  return String(v);
}

function pad(s: string, width: number, left: boolean, zero: boolean): string {
  if (s.length >= width) return s;
  const fill = (zero && !left ? '0' : ' ').repeat(width - s.length);
  if (zero && !left && /^[+-]/.test(s)) return s[0] + fill + s.slice(1);
  return left ? s + fill : fill + s;
}

/** fmt.Sprintf for the verbs templates use: %s %v %d %f %g %e %q %x %t %%. */
export function goSprintf(format: string, args: unknown[]): string {
  let out = '';
  let argi = 0;
  const re = /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g;
  let last = 0;
  for (let m = re.exec(format); m !== null; m = re.exec(format)) {
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
    const width = widthText ? Number(widthText) : 0;
    const prec = precText !== undefined ? Number(precText) : undefined;
    const left = flags.includes('-');
    const zero = flags.includes('0');
    const plus = flags.includes('+');
    let s: string;
    switch (verb) {
      case 's':
      case 'v':
        s = goString(arg);
        if (prec !== undefined && typeof arg === 'string') s = [...s].slice(0, prec).join('');
        break;
      case 'd':
        if (typeof arg === 'bigint') s = arg.toString();
        else s = `%!d(${goTypeName(arg)}=${goString(arg)})`;
        if (plus && !s.startsWith('-')) s = '+' + s;
        break;
      case 'f':
      case 'F':
      case 'e':
      case 'g': {
        const n = typeof arg === 'number' ? arg : undefined;
        if (n === undefined) {
          s = `%!${verb}(${goTypeName(arg)}=${goString(arg)})`;
          break;
        }
        if (verb === 'g') s = prec === undefined ? formatGoFloat(n) : n.toPrecision(prec);
        else if (verb === 'e') {
          const [mant, e] = n.toExponential(prec ?? 6).split('e') as [string, string];
          s = goExponent(mant, Number(e));
        } else s = n.toFixed(prec ?? 6);
        if (plus && !s.startsWith('-')) s = '+' + s;
        break;
      }
      case 'q':
        s = JSON.stringify(goString(arg));
        break;
      case 'x':
      case 'X':
        s =
          typeof arg === 'bigint'
            ? arg.toString(16)
            : Buffer.from(goString(arg), 'utf8').toString('hex');
        if (verb === 'X') s = s.toUpperCase();
        break;
      case 't':
        s = typeof arg === 'boolean' ? String(arg) : `%!t(${goTypeName(arg)}=${goString(arg)})`;
        break;
      default:
        s = `%!${verb}(${goTypeName(arg)}=${goString(arg)})`;
    }
    out += pad(s, width, left, zero);
  }
  out += format.slice(last);
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) => `${goTypeName(a)}=${goString(a)}`)
      .join(', ')})`;
  }
  return out;
}

export function goTypeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (isGoTime(v)) return 'time.Time';
  return '<nil>';
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const LAYOUT_RE =
  /January|Jan|Monday|Mon|2006|06|01|_2|02|15|03|04|05|MST|Z07:00|Z0700|Z07|-07:00|-0700|-07|PM|pm|[.,](?:000000000|000000|000|999999999|999999|999|0+|9+)|1|2|3|4|5/g;

/** time.Time.Format(layout) in UTC. */
export function formatGoTime(ns: bigint, layout: string): string {
  const ms = Number(ns / 1000000n);
  const frac = ((ns % 1000000000n) + 1000000000n) % 1000000000n;
  const d = new Date(ms - (ms % 1000 < 0 ? 1000 + (ms % 1000) : ms % 1000));
  const two = (n: number): string => String(n).padStart(2, '0');
  const h = d.getUTCHours();
  return layout.replace(LAYOUT_RE, (tok) => {
    switch (tok) {
      case 'January':
        return MONTHS[d.getUTCMonth()]!;
      case 'Jan':
        return MONTHS[d.getUTCMonth()]!.slice(0, 3);
      case 'Monday':
        return DAYS[d.getUTCDay()]!;
      case 'Mon':
        return DAYS[d.getUTCDay()]!.slice(0, 3);
      case '2006':
        return String(d.getUTCFullYear());
      case '06':
        return two(d.getUTCFullYear() % 100);
      case '01':
        return two(d.getUTCMonth() + 1);
      case '1':
        return String(d.getUTCMonth() + 1);
      case '02':
        return two(d.getUTCDate());
      case '_2':
        return String(d.getUTCDate()).padStart(2, ' ');
      case '2':
        return String(d.getUTCDate());
      case '15':
        return two(h);
      case '03':
        return two(h % 12 === 0 ? 12 : h % 12);
      case '3':
        return String(h % 12 === 0 ? 12 : h % 12);
      case '04':
        return two(d.getUTCMinutes());
      case '4':
        return String(d.getUTCMinutes());
      case '05':
        return two(d.getUTCSeconds());
      case '5':
        return String(d.getUTCSeconds());
      case 'MST':
        return 'UTC';
      case 'Z07:00':
      case 'Z0700':
      case 'Z07':
        return 'Z';
      case '-07:00':
        return '+00:00';
      case '-0700':
        return '+0000';
      case '-07':
        return '+00';
      case 'PM':
        return h >= 12 ? 'PM' : 'AM';
      case 'pm':
        return h >= 12 ? 'pm' : 'am';
      default: {
        const digits = tok.length - 1;
        const full = frac.toString().padStart(9, '0');
        if (tok[1] === '0') return tok[0] + full.slice(0, digits);
        const trimmed = full.slice(0, digits).replace(/0+$/, '');
        return trimmed === '' ? '' : tok[0] + trimmed;
      }
    }
  });
}
