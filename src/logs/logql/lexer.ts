import { LogqlParseError } from './errors.js';
import { goUnquoteOrThrow } from '../../common/go-unquote.js';
import { parseGoDurationNs, parseBytesValue } from './units.js';

/**
 * Tokens as Loki's lexer produces them: `type` is the grammar symbol that
 * goyacc prints in `unexpected ...` (STRING, NUMBER, DURATION, RANGE, BYTES,
 * IDENTIFIER, $end) or the punctuation itself.
 */
export interface Token {
  type: string;
  text: string;
  /** Offset in the query. */
  pos: number;
  /** Decoded string, number, duration (ns) or bytes. */
  value?: string | number | bigint;
}

const PUNCTUATION = [
  '|=',
  '|~',
  '|>',
  '!=',
  '!~',
  '!>',
  '=~',
  '==',
  '>=',
  '<=',
  '{',
  '}',
  '(',
  ')',
  ',',
  '=',
  '|',
  '>',
  '<',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
];

const NUMBER_RE = /^(?:0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+)/;
const UNIT_TAIL_RE = /^[0-9a-zA-Zµ.]*/;
const IDENT_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;

export function lex(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = query.length;
  while (i < n) {
    const c = query[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && query[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === '`') {
      const start = i;
      i++;
      while (i < n && query[i] !== c) {
        if (c === '"' && query[i] === '\\') i++;
        if (c === '"' && query[i] === '\n') break;
        i++;
      }
      if (i >= n || query[i] !== c) {
        throw positioned(query, start, 'literal not terminated');
      }
      i++;
      const text = query.slice(start, i);
      let value: string;
      try {
        value = goUnquoteOrThrow(text);
      } catch {
        throw positioned(query, start, 'invalid syntax');
      }
      tokens.push({ type: 'STRING', text, pos: start, value });
      continue;
    }
    if (c === '[') {
      const close = query.indexOf(']', i);
      if (close < 0) throw positioned(query, i, 'unexpected $end');
      const text = query.slice(i + 1, close);
      const ns = parseRange(text);
      if (typeof ns === 'string') throw new LogqlParseError(ns, 0, i + 1);
      tokens.push({ type: 'RANGE', text: query.slice(i, close + 1), pos: i, value: ns });
      i = close + 1;
      continue;
    }
    if (c === '-' && query.startsWith('--', i)) {
      const m = /^--[a-z-]+/.exec(query.slice(i));
      if (m) {
        tokens.push({ type: m[0], text: m[0], pos: i });
        i += m[0].length;
        continue;
      }
    }
    const num = NUMBER_RE.exec(query.slice(i));
    if (num && /[0-9.]/.test(c)) {
      const tail = UNIT_TAIL_RE.exec(query.slice(i + num[0].length))![0];
      const word = num[0] + tail;
      if (tail !== '' && /^[a-zA-Zµ]/.test(tail)) {
        const ns = parseGoDurationNs(word) ?? parsePromRangeNs(word);
        if (ns !== undefined) {
          tokens.push({ type: 'DURATION', text: word, pos: i, value: ns });
          i += word.length;
          continue;
        }
        const bytes = parseBytesValue(word);
        if (bytes !== undefined) {
          tokens.push({ type: 'BYTES', text: word, pos: i, value: bytes });
          i += word.length;
          continue;
        }
      }
      tokens.push({ type: 'NUMBER', text: num[0], pos: i, value: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const ident = IDENT_RE.exec(query.slice(i));
    if (ident) {
      tokens.push({ type: 'IDENTIFIER', text: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    const punct = PUNCTUATION.find((p) => query.startsWith(p, i));
    if (punct) {
      tokens.push({ type: punct, text: punct, pos: i });
      i += punct.length;
      continue;
    }
    throw positioned(query, i, `syntax error: unexpected ${JSON.stringify(c)}`);
  }
  tokens.push({ type: '$end', text: '', pos: n });
  return tokens;
}

/** Loki reports positions 1-based, counting lines and columns. */
export function positioned(query: string, pos: number, problem: string): LogqlParseError {
  const before = query.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - (before.lastIndexOf('\n') + 1) + 1;
  return new LogqlParseError(problem, line, col);
}

/** A `[range]`: Go durations or Prometheus's (`1d`, `1w`); Go's message on failure. */
function parseRange(text: string): bigint | string {
  const ns = parseGoDurationNs(text) ?? parsePromRangeNs(text);
  if (ns !== undefined) return ns;
  const unit = /^[0-9.]+([^0-9.]+)/.exec(text);
  if (unit && !/^(ns|us|µs|ms|s|m|h|d|w|y)$/.test(unit[1]!)) {
    return `unknown unit ${JSON.stringify(unit[1])} in duration ${JSON.stringify(text)}`;
  }
  if (/^[0-9.]+$/.test(text)) return `missing unit in duration ${JSON.stringify(text)}`;
  return `invalid duration ${JSON.stringify(text)}`;
}

const PROM_UNITS_NS: Record<string, bigint> = {
  y: 365n * 86400n * 1000000000n,
  w: 7n * 86400n * 1000000000n,
  d: 86400n * 1000000000n,
  h: 3600n * 1000000000n,
  m: 60n * 1000000000n,
  s: 1000000000n,
  ms: 1000000n,
};

function parsePromRangeNs(text: string): bigint | undefined {
  const re = /(\d+)(ms|y|w|d|h|m|s)/y;
  let total = 0n;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    total += BigInt(m[1]!) * PROM_UNITS_NS[m[2]!]!;
    at = re.lastIndex;
  }
  return at > 0 ? total : undefined;
}
