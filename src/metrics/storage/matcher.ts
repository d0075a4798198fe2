import type { LabelMatcher } from '../../common/labels.js';
import { compileGoRegexp, goRegexpMatches, type GoRegexp } from '../../common/go-regexp.js';

/**
 * A predicate for one matcher. Regexes are RE2 translated by the shared Go
 * regexp module and fully anchored, as in Prometheus 2.x: `.` does not match
 * `\n` there (only `(?s)` makes it).
 */
export function compileMatcher(m: LabelMatcher): (value: string) => boolean {
  switch (m.type) {
    case '=':
      return (v) => v === m.value;
    case '!=':
      return (v) => v !== m.value;
    case '=~': {
      const re = anchoredRegex(m.value);
      return (v) => goRegexpMatches(re, v);
    }
    case '!~': {
      const re = anchoredRegex(m.value);
      return (v) => !goRegexpMatches(re, v);
    }
  }
}

const cache = new Map<string, GoRegexp>();

function anchoredRegex(source: string): GoRegexp {
  let re = cache.get(source);
  if (!re) {
    re = compileGoRegexp(source, { anchored: true });
    if (cache.size > 1000) cache.clear();
    cache.set(source, re);
  }
  return re;
}
