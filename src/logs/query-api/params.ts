import { parsePromDuration } from '../../common/duration.js';
import { LogqlRequestError } from '../logql/index.js';

/** Reads a request parameter from the query string or a form-encoded POST body. */
export type Params = { get(name: string): string | undefined; getAll(name: string): string[] };

export function paramsOf(url: string, body: unknown): Params {
  const query = new URL(url, 'http://localhost').searchParams;
  const form =
    typeof body === 'string'
      ? new URLSearchParams(body)
      : body instanceof URLSearchParams
        ? body
        : body && typeof body === 'object'
          ? new URLSearchParams(
              Object.entries(body as Record<string, unknown>).flatMap(([k, v]) =>
                (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, String(x)]),
              ),
            )
          : new URLSearchParams();
  return {
    get: (name) => form.get(name) ?? query.get(name) ?? undefined,
    getAll: (name) => [...query.getAll(name), ...form.getAll(name)],
  };
}

const NS_PER_S = 1000000000n;
export const NS_PER_MS = 1000000n;

/**
 * Loki's parseTimestamp: float seconds when the text has a `.` (rounded to
 * the millisecond), integer seconds up to 10 digits, else nanoseconds, else
 * RFC 3339.
 */
export function parseTimestamp(value: string | undefined, def: bigint): bigint {
  if (value === undefined || value === '') return def;
  if (value.includes('.') && /^[+-]?\d*\.\d*(e[+-]?\d+)?$/i.test(value)) {
    const f = Number(value);
    if (Number.isFinite(f)) {
      const s = Math.trunc(f);
      const frac = Math.round((f - s) * 1000) / 1000;
      return BigInt(s) * NS_PER_S + BigInt(Math.round(frac * 1e9));
    }
  }
  if (/^[+-]?\d+$/.test(value)) {
    const n = BigInt(value);
    return value.replace(/^[+-]/, '').length <= 10 ? n * NS_PER_S : n;
  }
  const rfc = parseRfc3339Ns(value);
  if (rfc !== undefined) return rfc;
  throw new LogqlRequestError(`cannot parse "${value}" to a valid timestamp`);
}

function parseRfc3339Ns(value: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(
    value,
  );
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1000000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
}

/** `step` / `interval`: float seconds or a Prometheus duration. */
function parseSecondsOrDuration(value: string): bigint {
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value)) {
    const f = Number(value);
    return BigInt(Math.round(f * 1e9));
  }
  const ms = parsePromDuration(value);
  if (ms === undefined) throw new LogqlRequestError(`cannot parse "${value}" to a valid duration`);
  return BigInt(ms) * 1000000n;
}

export function parseLimit(value: string | undefined): number {
  if (value === undefined || value === '') return 100;
  if (!/^[+-]?\d+$/.test(value)) {
    throw new LogqlRequestError(`strconv.Atoi: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  const n = Number(value);
  if (n <= 0) throw new LogqlRequestError('limit must be a positive value');
  return n;
}

export function parseDirection(value: string | undefined): 'forward' | 'backward' {
  if (value === undefined || value === '') return 'backward';
  const up = value.toUpperCase();
  if (up === 'FORWARD') return 'forward';
  if (up === 'BACKWARD') return 'backward';
  throw new LogqlRequestError(`invalid direction '${value}'`);
}

const HOUR_NS = 3600n * NS_PER_S;

/** start/end/since as Loki's `bounds`: end defaults to now, start to end - since (1h). */
export function parseBounds(p: Params, now: bigint): { startNs: bigint; endNs: bigint } {
  const endNs = parseTimestamp(p.get('end'), now);
  const since = p.get('since');
  const sinceNs = since ? parseSecondsOrDuration(since) : HOUR_NS;
  const startNs = parseTimestamp(p.get('start'), endNs - sinceNs);
  return { startNs, endNs };
}

/** `step`: as given, else Loki's default of the range over 250 in whole seconds; positive. */
export function parseStep(p: Params, startNs: bigint, endNs: bigint): bigint {
  const stepText = p.get('step');
  const stepNs = stepText
    ? parseSecondsOrDuration(stepText)
    : BigInt(Math.max(1, Math.floor(Number(endNs - startNs) / 1e9 / 250))) * NS_PER_S;
  if (stepNs <= 0n) {
    throw new LogqlRequestError(
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  }
  return stepNs;
}

/**
 * `interval` of query_range: 0 when absent; Loki's query frontend passes it on
 * in whole milliseconds. Only log queries use it (see runLogQuery).
 */
export function parseInterval(p: Params): bigint {
  const text = p.get('interval');
  if (!text) return 0n;
  const ns = parseSecondsOrDuration(text);
  if (ns < 0n) throw new LogqlRequestError('interval must be >= 0');
  return (ns / NS_PER_MS) * NS_PER_MS;
}
