/**
 * The value of a string literal: Go's escapes in "..." (\n, \t, \xHH,
 * \uHHHH, \UHHHHHHHH, octal \NNN, \" and \\), raw text in `...`.
 * Returns an error message instead when an escape is invalid.
 */
export function unquote(lit: string): { value: string } | { error: string } {
  if (lit.startsWith('`')) return { value: lit.slice(1, -1).replace(/\r/g, '') };
  const body = lit.slice(1, -1);
  if (!body.includes('\\')) return { value: body };
  // \x and octal escapes are bytes, so the result is assembled as UTF-8.
  const bytes: number[] = [];
  const text = (s: string) => bytes.push(...Buffer.from(s, 'utf8'));
  let i = 0;
  while (i < body.length) {
    const ch = body[i]!;
    if (ch !== '\\') {
      const cp = body.codePointAt(i)!;
      const s = String.fromCodePoint(cp);
      text(s);
      i += s.length;
      continue;
    }
    const e = body[i + 1];
    i += 2;
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
      '"': '"',
      "'": "'",
    };
    if (e !== undefined && simple[e] !== undefined) {
      text(simple[e]!);
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
