/**
 * Go's time layouts: time.Parse and time.Time.Format with reference-time
 * layouts (`2006-01-02T15:04:05.000Z07:00`) and Go's named layout constants.
 * Layouts are split into chunks the way Go's nextStdChunk does, so parsing
 * and formatting read a layout identically. Times are Unix nanoseconds.
 */

/** Go's layout constants (time.RFC3339 ...), by name. */
export const GO_LAYOUTS = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  Kitchen: '3:04PM',
  Stamp: 'Jan _2 15:04:05',
  StampMilli: 'Jan _2 15:04:05.000',
  StampMicro: 'Jan _2 15:04:05.000000',
  StampNano: 'Jan _2 15:04:05.000000000',
} satisfies Record<string, string>;

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

type Std =
  | 'year'
  | 'year2'
  | 'month'
  | 'zeroMonth'
  | 'monthName'
  | 'longMonthName'
  | 'day'
  | 'zeroDay'
  | 'underDay'
  | 'yearDay'
  | 'weekday'
  | 'longWeekday'
  | 'hour'
  | 'hour12'
  | 'zeroHour12'
  | 'minute'
  | 'zeroMinute'
  | 'second'
  | 'zeroSecond'
  | 'pm'
  | 'PM'
  | 'tz'
  | 'offset'
  | 'frac';

interface StdChunk {
  std: Std;
  /** Offsets: accepts `Z`, has colons, has seconds, hours only. */
  z?: boolean;
  colon?: boolean;
  secs?: boolean;
  hoursOnly?: boolean;
  /** Fractions: separator, digit count, and whether trailing digits are optional (`.999`). */
  sep?: string;
  digits?: number;
  optional?: boolean;
}

type Chunk = { lit: string } | StdChunk;

const OFFSETS: [string, Omit<StdChunk, 'std'>][] = [
  ['Z07:00:00', { z: true, colon: true, secs: true }],
  ['-07:00:00', { colon: true, secs: true }],
  ['Z070000', { z: true, secs: true }],
  ['-070000', { secs: true }],
  ['Z07:00', { z: true, colon: true }],
  ['-07:00', { colon: true }],
  ['Z0700', { z: true }],
  ['-0700', {}],
  ['Z07', { z: true, hoursOnly: true }],
  ['-07', { hoursOnly: true }],
];

const STD: [string, Std][] = [
  ['January', 'longMonthName'],
  ['Jan', 'monthName'],
  ['Monday', 'longWeekday'],
  ['Mon', 'weekday'],
  ['MST', 'tz'],
  ['2006', 'year'],
  ['002', 'yearDay'],
  ['01', 'zeroMonth'],
  ['02', 'zeroDay'],
  ['03', 'zeroHour12'],
  ['04', 'zeroMinute'],
  ['05', 'zeroSecond'],
  ['06', 'year2'],
  ['_2', 'underDay'],
  ['15', 'hour'],
  ['1', 'month'],
  ['2', 'day'],
  ['3', 'hour12'],
  ['4', 'minute'],
  ['5', 'second'],
  ['PM', 'PM'],
  ['pm', 'pm'],
];

const layoutCache = new Map<string, Chunk[]>();

function compileLayout(layout: string): Chunk[] {
  const cached = layoutCache.get(layout);
  if (cached) return cached;
  const chunks: Chunk[] = [];
  let lit = '';
  const push = (chunk: StdChunk) => {
    if (lit) chunks.push({ lit });
    lit = '';
    chunks.push(chunk);
  };
  let i = 0;
  outer: while (i < layout.length) {
    const c = layout[i]!;
    if ((c === '.' || c === ',') && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
      const d = layout[i + 1]!;
      let j = i + 1;
      while (layout[j] === d) j++;
      // Go: only a fraction when the run of digits ends there.
      if (!/[0-9]/.test(layout[j] ?? '')) {
        push({ std: 'frac', sep: c, digits: j - i - 1, optional: d === '9' });
        i = j;
        continue;
      }
    }
    for (const [text, opts] of OFFSETS) {
      if (layout.startsWith(text, i)) {
        push({ std: 'offset', ...opts });
        i += text.length;
        continue outer;
      }
    }
    for (const [text, std] of STD) {
      if (!layout.startsWith(text, i)) continue;
      // Go reads `Jan`/`Mon` only when not followed by a lower-case letter (`Janet` is literal).
      if ((std === 'monthName' || std === 'weekday') && /[a-z]/.test(layout[i + 3] ?? '')) continue;
      push({ std });
      i += text.length;
      continue outer;
    }
    lit += c;
    i++;
  }
  if (lit) chunks.push({ lit });
  layoutCache.set(layout, chunks);
  return chunks;
}

export interface ParseGoTimeOptions {
  /** IANA zone for values without an offset (time.ParseInLocation); UTC when absent. */
  zone?: string;
  /** The year when the layout has none; Go's is 0, Promtail fills in the current one. */
  missingYear?: number;
}

/** time.Parse / time.ParseInLocation with a reference-time layout. */
export function parseGoTime(
  layout: string,
  value: string,
  { zone, missingYear = 0 }: ParseGoTimeOptions = {},
): bigint {
  const chunks = compileLayout(layout);
  let year = NaN;
  let month = 1;
  let day = 1;
  let yday = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let pm: boolean | undefined;
  let offsetSec: number | undefined;
  let v = value;
  const fail = (): never => {
    throw new Error(
      `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(v)}`,
    );
  };
  const num = (min: number, max: number): number => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(v);
    if (!m) fail();
    v = v.slice(m![0].length);
    return Number(m![0]);
  };
  const name = (list: string[], short: boolean): number => {
    for (let k = 0; k < list.length; k++) {
      const n = short ? list[k]!.slice(0, 3) : list[k]!;
      if (v.slice(0, n.length).toLowerCase() === n.toLowerCase()) {
        v = v.slice(n.length);
        return k;
      }
    }
    return fail();
  };
  const fraction = () => {
    const m = /^[.,](\d+)/.exec(v);
    if (!m) return false;
    nanos = Number(m[1]!.slice(0, 9).padEnd(9, '0'));
    v = v.slice(m[0].length);
    return true;
  };
  for (let k = 0; k < chunks.length; k++) {
    const ch = chunks[k]!;
    if ('lit' in ch) {
      if (!v.startsWith(ch.lit)) fail();
      v = v.slice(ch.lit.length);
      continue;
    }
    switch (ch.std) {
      case 'year':
        year = num(4, 4);
        break;
      case 'year2': {
        const y = num(2, 2);
        year = y >= 69 ? 1900 + y : 2000 + y;
        break;
      }
      case 'zeroMonth':
        month = num(2, 2);
        break;
      case 'month':
        month = num(1, 2);
        break;
      case 'monthName':
        month = name(MONTHS, true) + 1;
        break;
      case 'longMonthName':
        month = name(MONTHS, false) + 1;
        break;
      case 'zeroDay':
        day = num(2, 2);
        break;
      case 'underDay':
        if (v.startsWith(' ')) v = v.slice(1);
        day = num(1, 2);
        break;
      case 'day':
        day = num(1, 2);
        break;
      case 'yearDay':
        yday = num(3, 3);
        break;
      case 'weekday':
        name(DAYS, true);
        break;
      case 'longWeekday':
        name(DAYS, false);
        break;
      case 'hour':
        hour = num(1, 2);
        break;
      case 'zeroHour12':
        hour = num(2, 2);
        break;
      case 'hour12':
        hour = num(1, 2);
        break;
      case 'zeroMinute':
        minute = num(2, 2);
        break;
      case 'minute':
        minute = num(1, 2);
        break;
      case 'zeroSecond':
      case 'second': {
        second = ch.std === 'second' ? num(1, 2) : num(2, 2);
        // Go accepts a fraction after the seconds even when the layout has none.
        const nextChunk = chunks[k + 1];
        if (!(nextChunk && 'std' in nextChunk && nextChunk.std === 'frac')) fraction();
        break;
      }
      case 'frac':
        if (!fraction() && !ch.optional) fail();
        break;
      case 'PM':
      case 'pm': {
        const ap = v.slice(0, 2).toUpperCase();
        if (ap !== 'AM' && ap !== 'PM') fail();
        pm = ap === 'PM';
        v = v.slice(2);
        break;
      }
      case 'tz': {
        const m = /^(?:UTC|GMT|[A-Z]{3,5}|[+-]\d{2,4})/.exec(v);
        if (!m) fail();
        if (m![0] === 'UTC' || m![0] === 'GMT') offsetSec = 0;
        v = v.slice(m![0].length);
        break;
      }
      case 'offset': {
        if (ch.z && v.startsWith('Z')) {
          offsetSec = 0;
          v = v.slice(1);
          break;
        }
        const re = ch.hoursOnly
          ? /^([+-])(\d{2})/
          : ch.colon
            ? ch.secs
              ? /^([+-])(\d{2}):(\d{2}):(\d{2})/
              : /^([+-])(\d{2}):(\d{2})/
            : ch.secs
              ? /^([+-])(\d{2})(\d{2})(\d{2})/
              : /^([+-])(\d{2})(\d{2})/;
        const m = re.exec(v);
        if (!m) fail();
        const secs = Number(m![2]) * 3600 + Number(m![3] ?? 0) * 60 + Number(m![4] ?? 0);
        offsetSec = m![1] === '-' ? -secs : secs;
        v = v.slice(m![0].length);
        break;
      }
    }
  }
  if (v !== '') {
    throw new Error(`parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(v)}`);
  }
  if (pm !== undefined) {
    if (hour > 12) fail();
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  if (Number.isNaN(year)) year = missingYear;
  if (yday > 0) {
    const d = new Date(wallClockMs(year, 0, yday, 0, 0, 0));
    month = d.getUTCMonth() + 1;
    day = d.getUTCDate();
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new Error(`parsing time ${JSON.stringify(value)}: value out of range`);
  }
  const wall = wallClockMs(year, month - 1, day, hour, minute, second);
  const utcMs =
    offsetSec !== undefined
      ? wall - offsetSec * 1000
      : zone
        ? wall - zoneOffsetMs(zone, wall)
        : wall;
  return BigInt(utcMs) * 1_000_000n + BigInt(nanos);
}

/** Date.UTC without its mapping of years 0-99 to 1900-1999. */
function wallClockMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** time.Time.Format(layout) of Unix nanoseconds, in UTC. */
export function formatGoTime(ns: bigint, layout: string): string {
  const frac = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const d = new Date(Number((ns - frac) / 1_000_000n));
  const two = (n: number): string => String(n).padStart(2, '0');
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  let out = '';
  for (const ch of compileLayout(layout)) {
    if ('lit' in ch) {
      out += ch.lit;
      continue;
    }
    switch (ch.std) {
      case 'longMonthName':
        out += MONTHS[d.getUTCMonth()]!;
        break;
      case 'monthName':
        out += MONTHS[d.getUTCMonth()]!.slice(0, 3);
        break;
      case 'longWeekday':
        out += DAYS[d.getUTCDay()]!;
        break;
      case 'weekday':
        out += DAYS[d.getUTCDay()]!.slice(0, 3);
        break;
      case 'year':
        out += String(d.getUTCFullYear()).padStart(4, '0');
        break;
      case 'year2':
        out += two(d.getUTCFullYear() % 100);
        break;
      case 'zeroMonth':
        out += two(d.getUTCMonth() + 1);
        break;
      case 'month':
        out += String(d.getUTCMonth() + 1);
        break;
      case 'zeroDay':
        out += two(d.getUTCDate());
        break;
      case 'underDay':
        out += String(d.getUTCDate()).padStart(2, ' ');
        break;
      case 'day':
        out += String(d.getUTCDate());
        break;
      case 'yearDay': {
        const start = Date.UTC(d.getUTCFullYear(), 0, 1);
        out += String(Math.floor((d.getTime() - start) / 86_400_000) + 1).padStart(3, '0');
        break;
      }
      case 'hour':
        out += two(h);
        break;
      case 'zeroHour12':
        out += two(h12);
        break;
      case 'hour12':
        out += String(h12);
        break;
      case 'zeroMinute':
        out += two(d.getUTCMinutes());
        break;
      case 'minute':
        out += String(d.getUTCMinutes());
        break;
      case 'zeroSecond':
        out += two(d.getUTCSeconds());
        break;
      case 'second':
        out += String(d.getUTCSeconds());
        break;
      case 'tz':
        out += 'UTC';
        break;
      case 'offset':
        // UTC: Go writes `Z` for the Z forms and a zero offset for the others.
        out += ch.z
          ? 'Z'
          : ch.hoursOnly
            ? '+00'
            : ch.colon
              ? ch.secs
                ? '+00:00:00'
                : '+00:00'
              : ch.secs
                ? '+000000'
                : '+0000';
        break;
      case 'PM':
        out += h >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += h >= 12 ? 'pm' : 'am';
        break;
      case 'frac': {
        const digits = frac.toString().padStart(9, '0').slice(0, ch.digits);
        if (!ch.optional) out += ch.sep + digits;
        else {
          const trimmed = digits.replace(/0+$/, '');
          if (trimmed !== '') out += ch.sep + trimmed;
        }
        break;
      }
    }
  }
  return out;
}

/** The offset of an IANA zone at a wall-clock time (ms), from Intl. */
function zoneOffsetMs(zone: string, wallMs: number): number {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const at = (ms: number) => {
    const p = Object.fromEntries(fmt.formatToParts(ms).map((x) => [x.type, x.value]));
    const asUtc = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
    return asUtc - Math.floor(ms / 1000) * 1000;
  };
  const first = at(wallMs);
  return at(wallMs - first);
}

/** Checks a zone name as Go's time.LoadLocation would. */
export function checkZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new Error(`unknown time zone ${zone}`);
  }
}
