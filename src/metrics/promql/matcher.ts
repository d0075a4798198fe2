import type { LabelMatcher } from '../../common/labels.js';
import { compileGoRegexp, goRegexpMatches, type GoRegexp } from '../../common/go-regexp.js';
import { PromQLError } from './errors.js';

export type ValueTest = (value: string) => boolean;

const cache = new Map<string, GoRegexp>();

/** Compiles a matcher's RE2 pattern anchored as Prometheus does (`^(?:re)$`), cached. */
export function compileRegex(pattern: string): GoRegexp {
  let re = cache.get(pattern);
  if (re) return re;
  try {
    re = compileGoRegexp(pattern, { anchored: true });
  } catch (err) {
    throw new PromQLError('bad_data', (err as Error).message);
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** A predicate for one matcher; a missing label matches as the empty string. */
export function matcherTest(m: LabelMatcher): ValueTest {
  switch (m.type) {
    case '=':
      return (v) => v === m.value;
    case '!=':
      return (v) => v !== m.value;
    case '=~': {
      const re = compileRegex(m.value);
      return (v) => goRegexpMatches(re, v);
    }
    case '!~': {
      const re = compileRegex(m.value);
      return (v) => !goRegexpMatches(re, v);
    }
  }
}

export function matchesEmpty(m: LabelMatcher): boolean {
  return matcherTest(m)('');
}
