import { compileGoRegexp, goRegexpMatches, type GoRegexp } from './go-regexp.js';
import type { LabelMatcher } from './labels.js';

/** A test of one label's value; a missing label is tested as "". */
export type ValueTest = (value: string) => boolean;

const cache = new Map<string, GoRegexp>();

/**
 * A matcher's RE2 pattern, fully anchored as Prometheus and Loki anchor
 * them (`^(?:re)$`), cached because the same selectors come back on every
 * query. Throws GoRegexpError with Go's message when the pattern is invalid.
 */
export function compileMatcherRegex(pattern: string): GoRegexp {
  let re = cache.get(pattern);
  if (re) return re;
  re = compileGoRegexp(pattern, { anchored: true });
  if (cache.size > 10_000) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** The predicate of one label matcher (=, !=, =~, !~) on the label's value. */
export function compileLabelMatcher(m: LabelMatcher): ValueTest {
  switch (m.type) {
    case '=':
      return (v) => v === m.value;
    case '!=':
      return (v) => v !== m.value;
    case '=~': {
      const re = compileMatcherRegex(m.value);
      return (v) => goRegexpMatches(re, v);
    }
    case '!~': {
      const re = compileMatcherRegex(m.value);
      return (v) => !goRegexpMatches(re, v);
    }
  }
}

/** Whether the matcher selects series that lack the label (it matches ""). */
export function matchesEmpty(m: LabelMatcher): boolean {
  return compileLabelMatcher(m)('');
}
