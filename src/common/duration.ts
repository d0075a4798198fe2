/**
 * Durations in the two spellings of our field, both to milliseconds:
 * Prometheus's model.Duration (`1d12h`, `15d`, `5m30s`, units ms s m h d w y,
 * each at most once and in decreasing order) and Go's time.Duration (`720h`,
 * `1.5h`, `300ms`, `-2m`; units ns us µs ms s m h), which Loki's config uses.
 */
const PROM_UNITS: [string, number][] = [
  ['y', 365 * 24 * 3600e3],
  ['w', 7 * 24 * 3600e3],
  ['d', 24 * 3600e3],
  ['h', 3600e3],
  ['m', 60e3],
  ['s', 1e3],
  ['ms', 1],
];

const PROM_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

export function parsePromDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  const m = PROM_RE.exec(text);
  if (!m) return undefined;
  let total = 0;
  PROM_UNITS.forEach(([, factor], i) => {
    if (m[i + 1] !== undefined) total += Number(m[i + 1]) * factor;
  });
  return total;
}

const GO_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1e3,
  m: 60e3,
  h: 3600e3,
};

export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * GO_UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

/** Formats milliseconds as Prometheus does (`1d12h`, `5m`, `0s`). */
export function formatPromDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, factor] of PROM_UNITS) {
    if (unit === 'w' || unit === 'y') {
      if (rest % factor === 0 && rest >= factor) {
        out += `${rest / factor}${unit}`;
        rest = 0;
      }
      continue;
    }
    const n = Math.floor(rest / factor);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * factor;
    }
  }
  return out;
}
