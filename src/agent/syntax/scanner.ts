import type { Diagnostic } from './diagnostic.js';
import type { Pos, Token, TokenKind } from './token.js';

/**
 * Alloy's lexer. Like Go's, it inserts a TERMINATOR token at a newline that
 * follows an identifier, literal, `)`, `]` or `}`, so statements need no
 * semicolons while `[` and `,` let expressions run over several lines.
 */
export function scan(src: string, diags: Diagnostic[]): Token[] {
  const tokens: Token[] = [];
  let i = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = 0;
  let insertTerm = false;

  const posAt = (offset: number): Pos => ({ offset, line, col: offset - lineStart + 1 });
  const error = (pos: Pos, message: string) => diags.push({ pos, message });
  const push = (kind: TokenKind, pos: Pos, lit: string, term: boolean) => {
    tokens.push({ kind, pos, lit });
    insertTerm = term;
  };

  while (i < src.length) {
    const ch = src[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '\n') {
      if (insertTerm) push('TERMINATOR', posAt(i), '\n', false);
      i++;
      line++;
      lineStart = i;
      continue;
    }
    const pos = posAt(i);
    if (isLetter(ch)) {
      let j = i + 1;
      while (j < src.length && (isLetter(src[j]!) || isDigit(src[j]!))) j++;
      const lit = src.slice(i, j);
      const kind: TokenKind =
        lit === 'true' || lit === 'false' ? 'BOOL' : lit === 'null' ? 'NULL' : 'IDENT';
      push(kind, pos, lit, true);
      i = j;
      continue;
    }
    if (isDigit(ch) || (ch === '.' && isDigit(src[i + 1] ?? ''))) {
      let j = i;
      let kind: TokenKind = 'NUMBER';
      while (isDigit(src[j] ?? '')) j++;
      if (src[j] === '.') {
        kind = 'FLOAT';
        j++;
        while (isDigit(src[j] ?? '')) j++;
      }
      if (src[j] === 'e' || src[j] === 'E') {
        kind = 'FLOAT';
        j++;
        if (src[j] === '+' || src[j] === '-') j++;
        const start = j;
        while (isDigit(src[j] ?? '')) j++;
        if (j === start) error(pos, 'exponent has no digits');
      }
      push(kind, pos, src.slice(i, j), true);
      i = j;
      continue;
    }
    if (ch === '"' || ch === '`' || ch === "'") {
      let j = i + 1;
      let closed = false;
      while (j < src.length) {
        const c = src[j]!;
        if (c === '\n' && ch !== '`') break;
        if (c === '\n') {
          line++;
          lineStart = j + 1;
        }
        j++;
        if (c === ch) {
          closed = true;
          break;
        }
        if (c === '\\' && ch !== '`' && j < src.length && src[j] !== '\n') j++;
      }
      if (!closed) error(pos, 'string literal not terminated');
      if (ch === "'") error(pos, 'illegal single-quoted string; use double quotes');
      push(ch === "'" ? 'ILLEGAL' : 'STRING', pos, src.slice(i, j), true);
      i = j;
      continue;
    }
    if (ch === '/' && (src[i + 1] === '/' || src[i + 1] === '*')) {
      let j: number;
      if (src[i + 1] === '/') {
        j = src.indexOf('\n', i);
        if (j < 0) j = src.length;
      } else {
        const end = src.indexOf('*/', i + 2);
        if (end < 0) error(pos, 'block comment not terminated');
        j = end < 0 ? src.length : end + 2;
        const body = src.slice(i, j);
        const nl = body.lastIndexOf('\n');
        if (nl >= 0) {
          // A block comment spanning lines ends the statement like a newline does.
          if (insertTerm) push('TERMINATOR', pos, '\n', false);
          line += body.split('\n').length - 1;
          lineStart = i + nl + 1;
        }
      }
      tokens.push({ kind: 'COMMENT', pos, lit: src.slice(i, j) });
      i = j;
      continue;
    }
    if (ch === '#') {
      error(pos, `illegal character U+0023 '#' (Alloy comments are // (not #))`);
      // Skip what the user meant as a comment so that it causes no further errors.
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? src.length : nl;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['||', '&&', '!=', '==', '<=', '>='].includes(two)) {
      push(two as TokenKind, pos, '', false);
      i += 2;
      continue;
    }
    if (ch === '|' || ch === '&') {
      error(posAt(i + 1), `missing second ${ch} in ${ch}${ch}`);
      push(ch === '|' ? '||' : '&&', pos, '', false);
      i++;
      continue;
    }
    if ('!=<>+-*/%^{(['.includes(ch) || ch === ',' || ch === '.') {
      push(ch as TokenKind, pos, '', false);
      i++;
      continue;
    }
    if ('})]'.includes(ch)) {
      push(ch as TokenKind, pos, '', true);
      i++;
      continue;
    }
    const cp = src.codePointAt(i)!;
    const char = String.fromCodePoint(cp);
    error(pos, `illegal character U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${char}'`);
    i += char.length;
  }
  if (insertTerm) tokens.push({ kind: 'TERMINATOR', pos: posAt(i), lit: '\n' });
  tokens.push({ kind: 'EOF', pos: posAt(i), lit: '' });
  return tokens;
}

function isLetter(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_' || /\p{L}/u.test(ch);
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}
