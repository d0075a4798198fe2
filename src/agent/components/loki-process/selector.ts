import { compileGoRegexp, goRegexpMatches, type GoRegexp } from '../../../common/go-regexp.js';
import { compileLabelMatcher, type ValueTest } from '../../../common/label-matcher.js';
import type { Labels } from '../../../common/labels.js';
import { goUnquote } from '../../../common/go-unquote.js';

/**
 * The LogQL that `stage.match` selects with: a stream selector and line
 * filters, e.g. `{app="api", level=~"warn|error"} |= "timeout" != "retry"`.
 */
export interface EntrySelector {
  matches(labels: Labels, line: string): boolean;
}

type LineFilter = { op: '|=' | '!='; text: string } | { op: '|~' | '!~'; re: GoRegexp };

export function parseSelector(src: string): EntrySelector {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`parse error at line 1, col ${i + 1}: ${what}`);
  };
  const ws = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const str = (): string => {
    ws();
    const q = src[i];
    if (q !== '"' && q !== '`') fail('syntax error: unexpected character, expecting STRING');
    let j = i + 1;
    while (j < src.length && src[j] !== q) j += src[j] === '\\' && q === '"' ? 2 : 1;
    if (j >= src.length) fail('literal not terminated');
    const v = goUnquote(src.slice(i, j + 1));
    if ('error' in v) fail(v.error);
    i = j + 1;
    return (v as { value: string }).value;
  };
  ws();
  if (src[i] !== '{') fail('syntax error: unexpected character, expecting {');
  i++;
  const matchers: { name: string; test: ValueTest }[] = [];
  ws();
  while (src[i] !== '}') {
    ws();
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(src.slice(i));
    if (!m) fail('syntax error: unexpected character, expecting IDENTIFIER');
    const name = m![0];
    i += name.length;
    ws();
    const op = (['=~', '!~', '!=', '='] as const).find((o) => src.startsWith(o, i));
    if (!op) fail('syntax error: unexpected character, expecting = or != or =~ or !~');
    i += op!.length;
    const value = str();
    matchers.push({ name, test: compileLabelMatcher({ type: op!, name, value }) });
    ws();
    if (src[i] === ',') i++;
    else if (src[i] !== '}') fail('syntax error: unexpected character, expecting , or }');
    ws();
  }
  i++;
  if (matchers.length === 0) fail('syntax error: unexpected }');
  const filters: LineFilter[] = [];
  ws();
  while (i < src.length) {
    const op = (['|=', '!=', '|~', '!~'] as const).find((o) => src.startsWith(o, i));
    if (!op) fail('syntax error: only line filters may follow the selector in stage.match');
    i += 2;
    const text = str();
    filters.push(
      op === '|=' || op === '!='
        ? { op: op!, text }
        : { op: op as '|~' | '!~', re: compileGoRegexp(text) },
    );
    ws();
  }
  return {
    matches(labels, line) {
      for (const m of matchers) if (!m.test(labels[m.name] ?? '')) return false;
      for (const f of filters) {
        if ('text' in f) {
          if (line.includes(f.text) !== (f.op === '|=')) return false;
        } else {
          if (goRegexpMatches(f.re, line) !== (f.op === '|~')) return false;
        }
      }
      return true;
    },
  };
}
