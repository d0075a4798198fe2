import { goUnquote } from '../../common/go-unquote.js';
import { parseError, PromQLError } from './errors.js';

export type TokenType =
  | 'number'
  | 'duration'
  | 'string'
  | 'identifier'
  | 'metricIdentifier'
  | 'keyword'
  | 'op'
  | 'eof'
  | 'error';

export interface Token {
  type: TokenType;
  /** Source text; for keywords lower-cased, for strings the unquoted value, for errors the message. */
  text: string;
  /** The token as written (strings keep their quotes). */
  raw: string;
  pos: number;
  end: number;
}

/** The aggregation operators, keywords too. */
export const AGGREGATORS: ReadonlySet<string> = new Set([
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

/** Words Prometheus's lexer turns into keywords (case-insensitive). */
const KEYWORDS = new Set([
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
  ...AGGREGATORS,
]);

function isAlpha(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isAlnum(c: string): boolean {
  return isAlpha(c) || isDigit(c);
}
function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

class LexError extends Error {
  constructor(
    readonly pos: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A port of Prometheus's promql/parser/lex.go: the same states, the same
 * token boundaries and the same error texts and positions. A lexer error
 * becomes a final `error` token, so that a parse error before it wins, as
 * in Prometheus where the parser pulls tokens lazily.
 */
class Lexer {
  private pos = 0;
  private start = 0;
  private parenDepth = 0;
  private braceOpen = false;
  private bracketOpen = false;
  private gotColon = false;
  private afterBracket = false;
  readonly tokens: Token[] = [];

  constructor(private readonly input: string) {}

  private peek(): string {
    return this.input[this.pos] ?? '';
  }

  private lastWidth = 0;

  private next(): string {
    const c = this.input[this.pos] ?? '';
    this.lastWidth = c === '' ? 0 : 1;
    this.pos += this.lastWidth;
    return c;
  }

  private backup(): void {
    this.pos -= this.lastWidth;
  }

  private accept(valid: string): boolean {
    const c = this.peek();
    if (c !== '' && valid.includes(c)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private acceptRun(valid: string): void {
    while (this.accept(valid));
  }

  private emit(type: TokenType, text?: string): void {
    const raw = this.input.slice(this.start, this.pos);
    this.tokens.push({ type, text: text ?? raw, raw, pos: this.start, end: this.pos });
    this.start = this.pos;
  }

  private fail(msg: string, pos = this.start): never {
    throw new LexError(pos, msg);
  }

  run(): Token[] {
    try {
      for (;;) {
        if (this.afterBracket) {
          this.afterBracket = false;
          this.lexDuration();
          continue;
        }
        if (!this.step()) break;
      }
    } catch (err) {
      if (!(err instanceof LexError)) throw err;
      this.tokens.push({ type: 'error', text: err.message, raw: '', pos: err.pos, end: err.pos });
    }
    return this.tokens;
  }

  /** One state transition of lexStatements / lexInsideBraces; false at EOF. */
  private step(): boolean {
    if (this.input.startsWith('#', this.pos)) {
      while (this.pos < this.input.length && this.input[this.pos] !== '\n') this.pos++;
      this.start = this.pos;
      return true;
    }
    if (this.braceOpen) return this.stepInsideBraces();
    const r = this.next();
    if (r === '') {
      if (this.parenDepth !== 0) this.fail('unclosed left parenthesis');
      if (this.bracketOpen) this.fail('unclosed left bracket');
      this.emit('eof');
      return false;
    }
    if (isSpace(r)) {
      this.start = this.pos;
      return true;
    }
    switch (r) {
      case ',':
      case '*':
      case '/':
      case '%':
      case '+':
      case '-':
      case '^':
      case '@':
        this.emit('op');
        return true;
      case '=': {
        const t = this.peek();
        if (t === '=') {
          this.next();
          this.emit('op');
        } else if (t === '~') {
          this.fail(`unexpected character after '=': '${t}'`);
        } else this.emit('op');
        return true;
      }
      case '!': {
        const t = this.next();
        if (t === '=') this.emit('op');
        else this.fail(`unexpected character after '!': '${t}'`);
        return true;
      }
      case '<':
      case '>':
        if (this.peek() === '=') this.next();
        this.emit('op');
        return true;
      case '"':
      case "'":
        this.lexString(r);
        return true;
      case '`':
        this.lexRawString();
        return true;
      case '(':
        this.emit('op');
        this.parenDepth++;
        return true;
      case ')':
        this.parenDepth--;
        // Prometheus emits the ')' and then overwrites it with the error, positioned after it.
        if (this.parenDepth < 0) this.fail("unexpected right parenthesis ')'", this.pos);
        this.emit('op');
        return true;
      case '{':
        this.emit('op');
        this.braceOpen = true;
        return true;
      case '[':
        if (this.bracketOpen) this.fail("unexpected left bracket '['");
        this.gotColon = false;
        this.emit('op');
        while (isSpace(this.peek())) this.next();
        this.start = this.pos;
        this.bracketOpen = true;
        this.afterBracket = true;
        return true;
      case ']':
        if (!this.bracketOpen) this.fail("unexpected right bracket ']'");
        this.emit('op');
        this.bracketOpen = false;
        return true;
    }
    if (isDigit(r) || (r === '.' && isDigit(this.peek()))) {
      this.pos--;
      this.lexNumberOrDuration();
      return true;
    }
    if (isAlpha(r) || r === ':') {
      if (!this.bracketOpen) {
        this.pos--;
        this.lexKeywordOrIdentifier();
        return true;
      }
      if (this.gotColon) this.fail(`unexpected colon '${r}'`);
      this.emit('op', ':');
      this.gotColon = true;
      return true;
    }
    this.fail(`unexpected character: '${r}'`);
  }

  private stepInsideBraces(): boolean {
    const r = this.next();
    if (r === '') this.fail('unexpected end of input inside braces');
    if (isSpace(r)) {
      this.start = this.pos;
      return true;
    }
    if (isAlpha(r)) {
      while (isAlnum(this.peek())) this.next();
      this.emit('identifier');
      return true;
    }
    switch (r) {
      case ',':
        this.emit('op');
        return true;
      case '"':
      case "'":
        this.lexString(r);
        return true;
      case '`':
        this.lexRawString();
        return true;
      case '=':
        this.accept('~');
        this.emit('op');
        return true;
      case '!': {
        const nr = this.next();
        if (nr === '~' || nr === '=') this.emit('op');
        else this.fail(`unexpected character after '!' inside braces: '${nr}'`);
        return true;
      }
      case '{':
        this.fail("unexpected left brace '{'");
        break;
      case '}':
        this.emit('op');
        this.braceOpen = false;
        return true;
    }
    this.fail(`unexpected character inside braces: '${r}'`);
  }

  /** scanNumber: true when a number ends here; leaves pos after what it consumed either way. */
  private scanNumber(): boolean {
    let digits = '0123456789';
    if (this.accept('0') && this.accept('xX')) digits = '0123456789abcdefABCDEF';
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789');
    }
    return !isAlnum(this.peek());
  }

  private acceptRemainingDuration(): boolean {
    if (!this.accept('smhdwy')) return false;
    this.accept('s');
    while (this.accept('0123456789')) {
      this.acceptRun('0123456789');
      if (!this.accept('smhdw')) return false;
      this.accept('s');
    }
    return !isAlnum(this.next());
  }

  private lexNumberOrDuration(): void {
    if (this.scanNumber()) {
      this.emit('number');
      return;
    }
    if (this.acceptRemainingDuration()) {
      this.backup();
      this.emit('duration');
      return;
    }
    this.fail(`bad number or duration syntax: "${this.input.slice(this.start, this.pos)}"`);
  }

  private lexDuration(): void {
    if (this.scanNumber()) this.fail('missing unit character in duration');
    if (!this.acceptRemainingDuration()) {
      this.fail(`bad duration syntax: "${this.input.slice(this.start, this.pos)}"`);
    }
    this.backup();
    this.emit('duration');
  }

  private lexKeywordOrIdentifier(): void {
    while (isAlnum(this.peek()) || this.peek() === ':') this.next();
    const word = this.input.slice(this.start, this.pos);
    const lower = word.toLowerCase();
    if (lower === 'inf' || lower === 'nan') this.emit('number');
    else if (KEYWORDS.has(lower)) this.emit('keyword', lower);
    else this.emit(word.includes(':') ? 'metricIdentifier' : 'identifier');
  }

  private lexString(quote: string): void {
    for (;;) {
      const c = this.next();
      if (c === '\\') {
        this.lexEscape(quote);
        continue;
      }
      if (c === '' || c === '\n') this.fail('unterminated quoted string');
      if (c === quote) break;
    }
    // The escapes are valid now; like Prometheus's parser, take the value from Unquote.
    const unquoted = goUnquote(this.input.slice(this.start, this.pos));
    if ('error' in unquoted) this.fail(unquoted.error);
    this.emit('string', unquoted.value);
  }

  private lexRawString(): void {
    let value = '';
    for (;;) {
      const c = this.next();
      if (c === '') this.fail('unterminated raw string');
      if (c === '`') break;
      value += c;
    }
    this.emit('string', value);
  }

  /** Checks one escape as lex.go's lexEscape does, with its error texts and positions. */
  private lexEscape(quote: string): void {
    let ch = this.next();
    if ('abfnrtv\\'.includes(ch) && ch !== '') return;
    if (ch === quote) return;
    let n: number;
    let base: number;
    let max: number;
    if (ch >= '0' && ch <= '7') [n, base, max] = [3, 8, 255];
    else if (ch === 'x') [ch, n, base, max] = [this.next(), 2, 16, 255];
    else if (ch === 'u') [ch, n, base, max] = [this.next(), 4, 16, 0x10ffff];
    else if (ch === 'U') [ch, n, base, max] = [this.next(), 8, 16, 0x10ffff];
    else if (ch === '') this.fail('escape sequence not terminated');
    else this.fail(`unknown escape sequence ${goRune(ch)}`);
    let x = 0;
    while (n > 0) {
      const d = ch === '' ? 99 : parseInt(ch, 16);
      if (Number.isNaN(d) || d >= base) {
        if (ch === '') this.fail('escape sequence not terminated');
        this.fail(`illegal character ${goRune(ch)} in escape sequence`);
      }
      x = x * base + d;
      n--;
      if (n > 0) ch = this.next();
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) {
      this.fail('escape sequence is an invalid Unicode code point');
    }
  }
}

/** Go's %#U: `U+0022 '"'`. */
function goRune(ch: string): string {
  const cp = ch.codePointAt(0)!;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${ch}'`;
}

/** Tokenises a PromQL expression; a lexer error is the last token, of type `error`. */
export function tokenize(input: string): Token[] {
  return new Lexer(input).run();
}

/** Raises the error of an `error` token as Prometheus reports it. */
export function lexError(input: string, t: Token): PromQLError {
  return parseError(input, t.pos, t.text);
}
