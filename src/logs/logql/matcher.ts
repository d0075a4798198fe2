import { compileGoRegexp } from '../../common/go-regexp.js';
import type { LabelMatcher } from '../../common/labels.js';

/** A label matcher as a predicate on the value; regexes are Go's, anchored at both ends. */
export function compileMatcher(m: LabelMatcher): (value: string) => boolean {
  switch (m.type) {
    case '=':
      return (v) => v === m.value;
    case '!=':
      return (v) => v !== m.value;
    case '=~':
    case '!~': {
      const re = compileGoRegexp(m.value, { anchored: true }).regex;
      const want = m.type === '=~';
      return (v) => re.test(v) === want;
    }
  }
}
