import { compileGoRegexp } from '../../common/go-regexp.js';

/**
 * How Loki 3.0.0 evaluates a label filter regex (`| name=~"re"`). It first
 * tries to "simplify" the regex into literal filters, and for labels only
 * the plain literal keeps whole-value semantics: `foo.*`, `.*foo` and
 * literal-prefix alternations (`PUT|PATCH`, parsed as `P(?:UT|ATCH)`) become
 * substring tests, so `queue=~"e.*"` matches `webhooks`. Everything else is
 * the anchored RE2 regex. Its answers carry this, so obs reproduces it.
 */
export function compileLokiLabelRegex(source: string): (value: string) => boolean {
  let body = source;
  let fold = false;
  if (body.startsWith('(?i)')) {
    fold = true;
    body = body.slice(4);
  }
  const norm = fold ? (s: string): string => s.toLowerCase() : (s: string): string => s;
  if (body === '.*') return () => true;
  if (body === '.+') return (v) => v !== '';
  const lit = literal(body);
  if (lit !== undefined) {
    const want = norm(lit);
    return (v) => norm(v) === want;
  }
  const star = /^(\.\*)?(.*?)(\.\*)?$/s.exec(body)!;
  if (star[1] !== undefined || star[3] !== undefined) {
    const inner = literal(star[2]!);
    if (inner !== undefined && inner !== '') {
      const want = norm(inner);
      return (v) => norm(v).includes(want);
    }
  }
  const alternatives = splitTopLevel(body);
  if (alternatives.length > 1) {
    const lits = alternatives.map(literal);
    if (lits.every((l): l is string => l !== undefined && l !== '')) {
      const prefix = commonPrefix(lits);
      const rests = lits.map((l) => l.slice(prefix.length));
      const classLike = rests.every((r) => [...r].length === 1);
      if (prefix === '') {
        const wants = lits.map(norm);
        return (v) => wants.includes(norm(v));
      }
      if (!classLike) {
        const wants = lits.map(norm);
        return (v) => wants.some((w) => norm(v).includes(w));
      }
    }
  }
  const re = compileGoRegexp(source, { anchored: true }).regex;
  return (v) => re.test(v);
}

const META = new Set([...'\\.+*?()|[]{}^$']);

/** The text a regex matches when it is a plain literal (escapes allowed), else undefined. */
function literal(re: string): string | undefined {
  let out = '';
  for (let i = 0; i < re.length; i++) {
    const c = re[i]!;
    if (c === '\\') {
      const n = re[i + 1];
      if (n === undefined || /[a-zA-Z0-9]/.test(n)) return undefined;
      out += n;
      i++;
      continue;
    }
    if (META.has(c)) return undefined;
    out += c;
  }
  return out;
}

function splitTopLevel(re: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < re.length; i++) {
    const c = re[i]!;
    if (c === '\\') {
      cur += c + (re[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '(' || c === '[') depth++;
    if (c === ')' || c === ']') depth--;
    if (c === '|' && depth === 0) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

function commonPrefix(values: string[]): string {
  let prefix = values[0] ?? '';
  for (const v of values) while (!v.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
