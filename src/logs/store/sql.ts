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
    case '!~': {
      // Literals every match must contain are checked first, longest first:
      // substring tests are far cheaper than the regex on lines that cannot match.
      const tests = requiredLiterals(value).map((l) => `contains(line, ${sqlString(l)})`);
      const re = `regexp_matches(line, ${sqlString(value)})`;
      return tests.length > 0 ? `(${[...tests, re].join(' AND ')})` : re;
    }
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

const META = new Set('\\.+*?()|[]{}^$'.split(''));
/** Escapes that stand for one character of a class or an assertion: skipped. */
const CLASS_ESCAPES = new Set('dDwWsSbBAz'.split(''));

/**
 * The runs of literal characters (3 or more) that any match of `re` (RE2
 * syntax) must contain, longest first; empty when there is none. Only simple
 * patterns are analysed (no alternation, no flags, no character escapes);
 * anything inside groups or classes and any character that a quantifier
 * makes optional is left out, so the answer is never wrong, only sometimes
 * missing.
 */
export function requiredLiterals(re: string): string[] {
  if (re.includes('|') || re.includes('(?')) return [];
  const runs = new Set<string>();
  let run = '';
  let depth = 0;
  const flush = (): void => {
    if (run.length >= 3) runs.add(run);
    run = '';
  };
  for (let i = 0; i < re.length; i++) {
    let ch = re[i]!;
    if (ch === '\\') {
      const next = re[i + 1];
      if (next === undefined) return [];
      i++;
      if (CLASS_ESCAPES.has(next)) {
        flush();
        continue;
      }
      if (/[A-Za-z0-9]/.test(next)) return [];
      ch = next;
    } else if (ch === '[') {
      let j = i + 1;
      if (re[j] === '^') j++;
      if (re[j] === ']') j++;
      while (j < re.length && re[j] !== ']') j += re[j] === '\\' ? 2 : 1;
      if (j >= re.length) return [];
      i = j;
      flush();
      continue;
    } else if (META.has(ch)) {
      if (ch === '(') depth++;
      if (ch === ')') depth--;
      if (ch === '{') {
        const end = re.indexOf('}', i);
        if (end < 0) return [];
        i = end;
      }
      flush();
      continue;
    }
    const q = re[i + 1];
    if (q === '*' || q === '?' || (q === '{' && /^\{0[,}]/.test(re.slice(i + 1)))) {
      flush();
      continue;
    }
    if (depth === 0) run += ch;
    else flush();
  }
  flush();
  return [...runs].sort((a, b) => b.length - a.length);
}
