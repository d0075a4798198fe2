import type { LabelMatcher } from '../../common/labels.js';
import { LogqlParseError } from './errors.js';
import { parseSyntax } from './parser.js';

/** A bare stream selector (`match[]`, `query` of the label APIs): its matchers, no further checks. */
export function parseMatchers(selector: string): LabelMatcher[] {
  const expr = parseSyntax(selector);
  if (expr.kind !== 'log') throw new LogqlParseError('only stream selectors are accepted here');
  return expr.matchers;
}
