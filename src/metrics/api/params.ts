import { parsePromDuration } from '../../common/duration.js';
import type { LabelMatcher } from '../../common/labels.js';
import { parseSeriesSelector } from '../promql/index.js';
import { compileLabelMatcher } from '../../common/label-matcher.js';
import { ApiError, invalidParam, messageOf, type Params } from './http.js';

/**
 * Prometheus's API bounds for an absent start/end (MinTime/MaxTime: the int64 range of
 * nanoseconds, in ms), as near as a double gets.
 */
export const MIN_TIME_MS = -(2 ** 63) / 1000;
export const MAX_TIME_MS = 2 ** 63 / 1000;

const FLOAT_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** web/api/v1 parseTime: float Unix seconds (ms precision) or RFC3339; returns ms. */
export function parseTime(s: string): number {
  if (FLOAT_RE.test(s)) {
    const f = Number(s);
    const whole = Math.trunc(f);
    return whole * 1000 + Math.round((f - whole) * 1000);
  }
  if (RFC3339_RE.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms)) return ms;
  }
  if (s === '-292273086-05-16T16:47:06Z') return MIN_TIME_MS;
  if (s === '292277025-08-18T07:12:54.999999999Z') return MAX_TIME_MS;
  throw new Error(`cannot parse ${JSON.stringify(s)} to a valid timestamp`);
}

/** web/api/v1 parseDuration: float seconds or a Prometheus duration; returns ms. */
export function parseDuration(s: string): number {
  if (FLOAT_RE.test(s)) {
    const secs = Number(s);
    if (Math.abs(secs * 1e9) > 9.223372036854776e18) {
      throw new Error(`cannot parse ${JSON.stringify(s)} to a valid duration. It overflows int64`);
    }
    return secs * 1000;
  }
  const ms = parsePromDuration(s);
  if (ms === undefined) throw new Error(`cannot parse ${JSON.stringify(s)} to a valid duration`);
  return ms;
}

/** parseTimeParam: the default when absent, Prometheus's two-level message when bad. */
export function timeParam(p: Params, name: string, dflt: number): number {
  const v = p.get(name);
  if (v === '') return dflt;
  try {
    return parseTime(v);
  } catch (err) {
    throw invalidParam(name, `Invalid time value for '${name}': ${(err as Error).message}`);
  }
}

/** `limit` (0 = none) with Prometheus's errors. */
export function limitParam(p: Params): number {
  const s = p.get('limit');
  if (s === '') return 0;
  if (!/^[+-]?\d+$/.test(s)) {
    throw invalidParam('limit', `cannot parse ${JSON.stringify(s)} to a valid limit`);
  }
  const n = Number(s);
  if (n < 0) throw invalidParam('limit', 'limit must be non-negative');
  return n;
}

const EMPTY_MATCHERS = 'match[] must contain at least one non-empty matcher';

/**
 * Parses every `match[]`; each needs a matcher that does not match the empty
 * string. Throws bad_data with the bare message: /api/v1/series wraps it as an
 * invalid parameter, /api/v1/labels and label values do not (as Prometheus).
 */
export function matcherSets(values: string[]): LabelMatcher[][] {
  return values.map((v) => {
    let set: LabelMatcher[];
    try {
      set = parseSeriesSelector(v);
    } catch (err) {
      // The PromQL parser applies the vector-selector rule itself; report it as the API does.
      if (/at least one non-empty matcher/.test(messageOf(err))) {
        throw new ApiError('bad_data', EMPTY_MATCHERS);
      }
      throw new ApiError('bad_data', messageOf(err));
    }
    if (set.every((m) => compileLabelMatcher(m)('')))
      throw new ApiError('bad_data', EMPTY_MATCHERS);
    return set;
  });
}

export function requireMatch(p: Params): LabelMatcher[][] {
  const values = p.getAll('match[]');
  if (values.length === 0) throw new ApiError('bad_data', 'no match[] parameter provided');
  try {
    return matcherSets(values);
  } catch (err) {
    throw invalidParam('match[]', err);
  }
}

/** match[] for /federate: parsed without the non-empty-matcher rule. */
export function matcherSetsLoose(values: string[]): LabelMatcher[][] {
  return values.map((v) => parseSeriesSelector(v));
}
