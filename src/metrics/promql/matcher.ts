import type { LabelMatcher } from '../../common/labels.js';
import { PromQLError } from './errors.js';
import { re2ToJs } from './re2.js';

export type ValueTest = (value: string) => boolean;

const cache = new Map<string, RegExp>();

/**
 * Compiles an RE2 pattern as Prometheus anchors it, `^(?s:re)$`, into a JS RegExp.
 */
export function compileRegex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  try {
    re = new RegExp(`^(?:${re2ToJs(pattern)})$`, 's');
  } catch (err) {
    throw new PromQLError('bad_data', `error parsing regexp: ${(err as Error).message}`);
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
      return (v) => re.test(v);
    }
    case '!~': {
      const re = compileRegex(m.value);
      return (v) => !re.test(v);
    }
  }
}

export function matchesEmpty(m: LabelMatcher): boolean {
  return matcherTest(m)('');
}
