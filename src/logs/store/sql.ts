import type { LabelMatcher } from '../../common/labels.js';
import type { LineFilter } from '../reader.js';

/** A SQL string literal (DuckDB: single quotes doubled, backslashes literal). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A stream matcher as a predicate over `streams.labels` (a JSON object). A
 * missing label matches as the empty string, and `=~`/`!~` are anchored at
 * both ends, as in Loki and Prometheus; DuckDB's regexes are RE2, Go's syntax.
 */
export function matcherSql(m: LabelMatcher): string {
  const value = `coalesce(json_extract_string(labels, ${sqlString(`$."${m.name}"`)}), '')`;
  switch (m.type) {
    case '=':
      return `${value} = ${sqlString(m.value)}`;
    case '!=':
      return `${value} <> ${sqlString(m.value)}`;
    case '=~':
      return `regexp_full_match(${value}, ${sqlString(m.value)})`;
    case '!~':
      return `NOT regexp_full_match(${value}, ${sqlString(m.value)})`;
  }
}

/** A line filter as a predicate over `line`; `or` alternatives hold when any does. */
export function lineFilterSql(f: LineFilter): string {
  const positive = f.values.map((v) => positiveSql(f.op, v));
  const any = positive.length === 1 ? positive[0]! : `(${positive.join(' OR ')})`;
  return f.op === '|=' || f.op === '|~' || f.op === '|>' ? any : `NOT ${any}`;
}

function positiveSql(op: LineFilter['op'], value: string): string {
  switch (op) {
    case '|=':
    case '!=':
      return value === '' ? 'true' : `contains(line, ${sqlString(value)})`;
    case '|~':
    case '!~':
      return `regexp_matches(line, ${sqlString(value)})`;
    case '|>':
    case '!>':
      return `line LIKE ${sqlString(patternToLike(value))} ESCAPE '\\'`;
  }
}

/**
 * Loki's pattern filter (`|> "<_> GET <path> <_>"`): the literals in order,
 * each capture matching any text. The whole line must match.
 */
export function patternToLike(pattern: string): string {
  let out = '';
  let rest = pattern;
  const capture = /^<[A-Za-z_][A-Za-z0-9_]*>/;
  while (rest.length > 0) {
    const m = capture.exec(rest);
    if (m) {
      if (!out.endsWith('%')) out += '%';
      rest = rest.slice(m[0].length);
      continue;
    }
    const ch = rest[0]!;
    out += ch === '%' || ch === '_' || ch === '\\' ? `\\${ch}` : ch;
    rest = rest.slice(1);
  }
  return out;
}
