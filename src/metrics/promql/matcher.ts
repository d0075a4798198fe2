import type { GoRegexp } from '../../common/go-regexp.js';
import { compileMatcherRegex } from '../../common/label-matcher.js';
import { PromQLError } from './errors.js';

/** A matcher's anchored RE2 pattern; an invalid one is the API's `bad_data` error. */
export function compileRegex(pattern: string): GoRegexp {
  try {
    return compileMatcherRegex(pattern);
  } catch (err) {
    throw new PromQLError('bad_data', (err as Error).message);
  }
}
