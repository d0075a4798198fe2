import { compileGoRegexp, goRegexpMatches, type GoRegexp } from '../../common/go-regexp.js';
import type { LabelMatcher, Labels, MatchType } from '../../common/labels.js';
import type { LineFilter } from '../reader.js';

/** A tail query compiled for live entries and for the historical read. */
export interface TailQuery {
  matchers: LabelMatcher[];
  /** Line filters storage applies to the historical entries. */
  pushdown: LineFilter[];
  /** Runs the query's pipeline on one live entry: its output, or null when dropped. */
  process(labels: Labels, ts: bigint, line: string): { labels: Labels; line: string } | null;
}

export type TailQueryCompiler = (query: string) => TailQuery;

/** A query the tail endpoint refuses: answered 400 with this message. */
export class TailQueryError extends Error {}

/**
 * Stream selectors only (`{app="api", env=~"prod|dev"}`): the tail endpoint's
 * compiler until the role hands it the LogQL engine's, which adds pipelines.
 */
export const compileSelectorQuery: TailQueryCompiler = (query) => {
  const matchers = parseSelector(query);
  const tests = matchers.map(matcherTest);
  return {
    matchers,
    pushdown: [],
    process: (labels, _ts, line) => (tests.every((t) => t(labels)) ? { labels, line } : null),
  };
};

/** Whether a label set satisfies every matcher (missing labels match as ""). */
export function matcherTest(m: LabelMatcher): (labels: Labels) => boolean {
  if (m.type === '=') return (l) => (l[m.name] ?? '') === m.value;
  if (m.type === '!=') return (l) => (l[m.name] ?? '') !== m.value;
  const re: GoRegexp = compileGoRegexp(m.value, { anchored: true });
  return m.type === '=~'
    ? (l) => goRegexpMatches(re, l[m.name] ?? '')
    : (l) => !goRegexpMatches(re, l[m.name] ?? '');
}

function parseSelector(query: string): LabelMatcher[] {
  const text = query.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) {
    throw new TailQueryError(
      `parse error : only a stream selector such as {app="api"} can be tailed: ${query}`,
    );
  }
  const body = text.slice(1, -1);
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)\s*(?:,|$)/y;
  const matchers: LabelMatcher[] = [];
  while (body.slice(re.lastIndex).trim() !== '') {
    const at = re.lastIndex;
    const m = re.exec(body);
    if (!m) throw new TailQueryError(`parse error at line 1, col ${at + 2}: syntax error`);
    const raw = m[3]!;
    const value = raw.startsWith('`') ? raw.slice(1, -1) : (JSON.parse(raw) as string);
    matchers.push({ name: m[1]!, type: m[2] as MatchType, value });
  }
  const selective = matchers.some((m) => {
    if (m.type === '=') return m.value !== '';
    if (m.type === '=~') return !compileGoRegexp(m.value, { anchored: true }).regex.test('');
    return false;
  });
  if (!selective) {
    throw new TailQueryError(
      'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will',
    );
  }
  return matchers;
}
