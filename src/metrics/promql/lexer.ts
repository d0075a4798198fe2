import { parseError } from './errors.js';

export type TokenType =
  'number' | 'duration' | 'string' | 'identifier' | 'metricIdentifier' | 'keyword' | 'op' | 'eof';

export interface Token {
  type: TokenType;
  /** Source text; for keywords lower-cased, for strings the unquoted value. */
  text: string;
  pos: number;
  end: number;
}

/** Keywords as Prometheus's lexer knows them (case-insensitive). */
export const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'atan2',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'count_values',
  'quantile',
]);

const OPS = ['==', '!=', '=~', '!~', '<=', '>=', '+', '-', '*', '/', '%', '^', '<', '>', '='];
const PUNCT = '(){}[],:@';

function isAlpha(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isAlnum(c: string): boolean {
  return isAlpha(c) || isDigit(c);
}

const NUMBER_RE = /^(?:0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)/;
const DURATION_RE = /^(?:[0-9]+(?:ms|[smhdwy]))+/;

/** Tokenises a PromQL expression, raising Prometheus's lexer errors. */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let braceDepth = 0;
  let bracketOpen = false;
  const parenStack: number[] = [];
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < input.length && input[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'" || c === '`') {
      const { value, end } = lexString(input, i);
      tokens.push({ type: 'string', text: value, pos: start, end });
      i = end;
      continue;
    }
    const rest = input.slice(i);
    if (isDigit(c) || (c === '.' && isDigit(input[i + 1] ?? ''))) {
      const dur = DURATION_RE.exec(rest);
      const num = NUMBER_RE.exec(rest);
      if (
        dur &&
        (!num || dur[0].length > num[0].length) &&
        !isAlnum(input[i + dur[0].length] ?? '')
      ) {
        tokens.push({ type: 'duration', text: dur[0], pos: start, end: i + dur[0].length });
        i += dur[0].length;
        continue;
      }
      if (num && !isAlnum(input[i + num[0].length] ?? '') && input[i + num[0].length] !== '.') {
        tokens.push({ type: 'number', text: num[0], pos: start, end: i + num[0].length });
        i += num[0].length;
        continue;
      }
      let j = i;
      while (j < input.length && (isAlnum(input[j]!) || input[j] === '.')) j++;
      throw parseError(input, start, `bad number or duration syntax: "${input.slice(start, j)}"`);
    }
    if (isAlpha(c)) {
      let j = i + 1;
      let colon = false;
      while (j < input.length && (isAlnum(input[j]!) || (braceDepth === 0 && input[j] === ':'))) {
        if (input[j] === ':') colon = true;
        j++;
      }
      const word = input.slice(i, j);
      const lower = word.toLowerCase();
      let type: TokenType = colon ? 'metricIdentifier' : 'identifier';
      if (!colon && (lower === 'inf' || lower === 'nan')) type = 'number';
      else if (!colon && KEYWORDS.has(lower) && braceDepth === 0) type = 'keyword';
      tokens.push({ type, text: type === 'keyword' ? lower : word, pos: start, end: j });
      i = j;
      continue;
    }
    if (c === ':' && braceDepth === 0 && !bracketOpen && isAlpha(input[i + 1] ?? '')) {
      let j = i + 1;
      while (j < input.length && (isAlnum(input[j]!) || input[j] === ':')) j++;
      tokens.push({ type: 'metricIdentifier', text: input.slice(i, j), pos: start, end: j });
      i = j;
      continue;
    }
    const op = OPS.find((o) => input.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ type: 'op', text: op, pos: start, end: i + op.length });
      i += op.length;
      continue;
    }
    if (PUNCT.includes(c)) {
      if (c === '{') {
        if (braceDepth > 0) throw parseError(input, start, "unexpected left brace '{'");
        braceDepth++;
      } else if (c === '}') {
        if (braceDepth === 0) throw parseError(input, start, "unexpected right brace '}'");
        braceDepth--;
      } else if (c === '[') {
        if (bracketOpen) throw parseError(input, start, "unexpected left bracket '['");
        bracketOpen = true;
      } else if (c === ']') {
        if (!bracketOpen) throw parseError(input, start, "unexpected right bracket ']'");
        bracketOpen = false;
      } else if (c === '(') {
        parenStack.push(start);
      } else if (c === ')') {
        if (parenStack.length === 0)
          throw parseError(input, start, "unexpected right parenthesis ')'");
        parenStack.pop();
      }
      tokens.push({ type: 'op', text: c, pos: start, end: i + 1 });
      i++;
      continue;
    }
    if (c === '!') {
      throw parseError(input, start, `unexpected character after '!': '${input[i + 1] ?? ''}'`);
    }
    throw parseError(input, start, `unexpected character: '${c}'`);
  }
  if (braceDepth > 0)
    throw parseError(input, input.length, 'unexpected end of input inside braces');
  if (bracketOpen) throw parseError(input, input.length, 'unclosed left bracket');
  if (parenStack.length > 0) throw parseError(input, input.length, 'unclosed left parenthesis');
  tokens.push({ type: 'eof', text: '', pos: input.length, end: input.length });
  return tokens;
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

/** Reads a quoted string at `start` with Go's escape rules; raw backtick strings have none. */
function lexString(input: string, start: number): { value: string; end: number } {
  const quote = input[start]!;
  let i = start + 1;
  let out = '';
  while (i < input.length) {
    const c = input[i]!;
    if (c === quote) return { value: out, end: i + 1 };
    if (quote !== '`' && c === '\n') break;
    if (quote === '`' || c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = input[i + 1];
    if (e === undefined) break;
    if (SIMPLE_ESCAPES[e] !== undefined) {
      out += SIMPLE_ESCAPES[e];
      i += 2;
    } else if (e === quote) {
      out += e;
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U' || (e >= '0' && e <= '7')) {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 3;
      const digits =
        e >= '0' && e <= '7' ? input.slice(i + 1, i + 4) : input.slice(i + 2, i + 2 + len);
      const radix = e >= '0' && e <= '7' ? 8 : 16;
      const valid = radix === 8 ? /^[0-7]{3}$/ : new RegExp(`^[0-9a-fA-F]{${len}}$`);
      if (!valid.test(digits)) throw parseError(input, i, 'invalid escape sequence');
      out += String.fromCodePoint(parseInt(digits, radix));
      i += radix === 8 ? 4 : 2 + len;
    } else {
      throw parseError(input, i, 'unknown escape sequence ' + JSON.stringify(e));
    }
  }
  throw parseError(input, start, 'unterminated quoted string ' + quote);
}
