/**
 * Go's strconv.Unquote: a "..." or '...' literal with Go's escapes (\n,
 * \t, \xHH, \uHHHH, \UHHHHHHHH, octal \NNN, \\ and the literal's own quote),
 * or a `...` raw literal (carriage returns dropped). Single quotes may hold
 * several characters, as Prometheus's strutil.Unquote allows. Returns the
 * reason instead when an escape is invalid.
 */
export function goUnquote(lit: string): { value: string } | { error: string } {
  const quote = lit[0];
  if (quote === '`') return { value: lit.slice(1, -1).replace(/\r/g, '') };
  const body = lit.slice(1, -1);
  if (!body.includes('\\')) return { value: body };
  // \x and octal escapes are bytes, so the result is assembled as UTF-8.
  const bytes: number[] = [];
  const text = (s: string) => bytes.push(...Buffer.from(s, 'utf8'));
  let i = 0;
  while (i < body.length) {
    const ch = body[i]!;
    if (ch !== '\\') {
      const s = String.fromCodePoint(body.codePointAt(i)!);
      text(s);
      i += s.length;
      continue;
    }
    const e = body[i + 1];
    i += 2;
    const simple = e === undefined ? undefined : e === quote ? e : SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      text(simple);
      continue;
    }
    const digits = (n: number, base: number) => {
      const s = body.slice(i, i + n);
      const re = base === 8 ? /^[0-7]+$/ : /^[0-9a-fA-F]+$/;
      if (s.length < n || !re.test(s)) return undefined;
      i += n;
      return parseInt(s, base);
    };
    if (e !== undefined && e >= '0' && e <= '7') {
      i--;
      const v = digits(3, 8);
      if (v === undefined || v > 255) return { error: 'illegal character in escape sequence' };
      bytes.push(v);
    } else if (e === 'x') {
      const v = digits(2, 16);
      if (v === undefined) return { error: 'illegal character in escape sequence' };
      bytes.push(v);
    } else if (e === 'u' || e === 'U') {
      const v = digits(e === 'u' ? 4 : 8, 16);
      if (v === undefined) return { error: 'illegal character in escape sequence' };
      if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) {
        return { error: 'escape sequence is invalid Unicode code point' };
      }
      text(String.fromCodePoint(v));
    } else {
      return {
        error: e === undefined ? 'escape sequence not terminated' : 'unknown escape sequence',
      };
    }
  }
  return { value: Buffer.from(bytes).toString('utf8') };
}

/** goUnquote that throws strconv's ErrSyntax text, for callers that report only that. */
export function goUnquoteOrThrow(lit: string): string {
  const r = goUnquote(lit);
  if ('error' in r) throw new Error('invalid syntax');
  return r.value;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};
