/**
 * The two lexers of Prometheus's textparse package (promlex.l for the text
 * format 0.0.4, openmetricslex.l for OpenMetrics 1.0), re-done by hand with
 * the same states, tokens and stopping points, so that parse errors quote
 * the same text as Prometheus's do.
 */
export const enum Tok {
  Invalid = -1,
  EOF = 0,
  Linebreak,
  Whitespace,
  Help,
  Type,
  Unit,
  EOFWord,
  Text,
  Comment,
  MName,
  BraceOpen,
  BraceClose,
  LName,
  LValue,
  Comma,
  Equal,
  Timestamp,
  Value,
}

export function tokName(t: Tok): string {
  switch (t) {
    case Tok.Invalid:
      return 'INVALID';
    case Tok.EOF:
      return 'EOF';
    case Tok.Linebreak:
      return 'LINEBREAK';
    case Tok.Whitespace:
      return 'WHITESPACE';
    case Tok.Help:
      return 'HELP';
    case Tok.Type:
      return 'TYPE';
    case Tok.Unit:
      return 'UNIT';
    case Tok.EOFWord:
      return 'EOFWORD';
    case Tok.Text:
      return 'TEXT';
    case Tok.Comment:
      return 'COMMENT';
    case Tok.MName:
      return 'MNAME';
    case Tok.BraceOpen:
      return 'BOPEN';
    case Tok.BraceClose:
      return 'BCLOSE';
    case Tok.LName:
      return 'LNAME';
    case Tok.LValue:
      return 'LVALUE';
    case Tok.Comma:
      return 'COMMA';
    case Tok.Equal:
      return 'EQUAL';
    case Tok.Timestamp:
      return 'TIMESTAMP';
    case Tok.Value:
      return 'VALUE';
  }
}

const enum S {
  Init,
  Comment,
  Meta1,
  Meta2,
  Labels,
  LValue,
  Value,
  Timestamp,
  Exemplar,
  EValue,
  ETimestamp,
}

function isNameStart(c: number): boolean {
  // [a-zA-Z_:]
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}
function isLabelStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isLabelChar(c: number): boolean {
  return isLabelStart(c) || (c >= 48 && c <= 57);
}

const SPACE = 32;
const TAB = 9;
const NL = 10;
const QUOTE = 34;
const BACKSLASH = 92;

export class Lexer {
  i = 0;
  start = 0;
  private state = S.Init;

  constructor(
    readonly b: string,
    private readonly openMetrics: boolean,
  ) {}

  /** The current token's text. */
  buf(): string {
    return this.b.slice(this.start, this.i);
  }

  lex(): Tok {
    return this.openMetrics ? this.lexOpenMetrics() : this.lexProm();
  }

  private code(i: number): number {
    return i < this.b.length ? this.b.charCodeAt(i) : -1;
  }

  private skip(pred: (c: number) => boolean): void {
    while (this.i < this.b.length && pred(this.b.charCodeAt(this.i))) this.i++;
  }

  /** A quoted string at the cursor; on failure the cursor stops where Prometheus's DFA does. */
  private quoted(allowNewline: boolean): boolean {
    let j = this.i + 1;
    while (j < this.b.length) {
      const c = this.b.charCodeAt(j);
      if (c === BACKSLASH) {
        const next = this.code(j + 1);
        if (next < 0 || (!allowNewline && next === NL)) {
          this.i = next < 0 ? this.b.length : j + 1;
          return false;
        }
        j += 2;
      } else if (c === QUOTE) {
        this.i = j + 1;
        return true;
      } else if (c === NL && !allowNewline) {
        this.i = j;
        return false;
      } else j++;
    }
    this.i = this.b.length;
    return false;
  }

  private lexProm(): Tok {
    if (this.i >= this.b.length) return Tok.EOF;
    this.start = this.i;
    for (;;) {
      const c = this.code(this.i);
      if (c < 0) return Tok.Invalid;
      if (this.state === S.Meta2) {
        // {C}* is the longer match unless the rest of the line is all blanks.
        let end = this.b.indexOf('\n', this.i);
        if (end < 0) end = this.b.length;
        const rest = this.b.slice(this.i, end);
        if (rest.length > 0 && /^[ \t]+$/.test(rest)) {
          this.i = end;
          return Tok.Whitespace;
        }
        this.i = end;
        this.state = S.Init;
        return Tok.Text;
      }
      if (c === SPACE || c === TAB) {
        this.skip((x) => x === SPACE || x === TAB);
        return Tok.Whitespace;
      }
      switch (this.state) {
        case S.Init:
          if (c === 0) return Tok.EOF;
          if (c === NL) {
            this.i++;
            return Tok.Linebreak;
          }
          if (c === 35 /* # */) {
            const n = this.code(this.i + 1);
            if (n === SPACE || n === TAB) {
              this.i++;
              this.skip((x) => x === SPACE || x === TAB);
              this.state = S.Comment;
              continue;
            }
            return this.consumeComment();
          }
          if (isNameStart(c)) {
            this.skip(isNameChar);
            this.state = S.Value;
            return Tok.MName;
          }
          return Tok.Invalid;
        case S.Comment:
          for (const [word, tok] of [
            ['HELP', Tok.Help],
            ['TYPE', Tok.Type],
          ] as const) {
            const n = this.code(this.i + 4);
            if (this.b.startsWith(word, this.i) && (n === SPACE || n === TAB)) {
              this.i += 4;
              this.skip((x) => x === SPACE || x === TAB);
              this.state = S.Meta1;
              return tok;
            }
          }
          return this.consumeComment();
        case S.Meta1:
          if (isNameStart(c)) {
            this.skip(isNameChar);
            this.state = S.Meta2;
            return Tok.MName;
          }
          return Tok.Invalid;
        case S.Value:
          if (c === 123 /* { */) {
            this.i++;
            this.state = S.Labels;
            return Tok.BraceOpen;
          }
          // golex's character classes never match NUL, its end-of-input byte.
          if (c === NL || c === 0) return Tok.Invalid;
          this.skip((x) => x !== 123 && x !== SPACE && x !== TAB && x !== NL && x !== 0);
          this.state = S.Timestamp;
          return Tok.Value;
        case S.Labels:
          if (isLabelStart(c)) {
            this.skip(isLabelChar);
            return Tok.LName;
          }
          this.i++;
          if (c === 125 /* } */) {
            this.state = S.Value;
            return Tok.BraceClose;
          }
          if (c === 61 /* = */) {
            this.state = S.LValue;
            return Tok.Equal;
          }
          if (c === 44 /* , */) return Tok.Comma;
          this.i--;
          return Tok.Invalid;
        case S.LValue:
          if (c === QUOTE) {
            if (!this.quoted(true)) return Tok.Invalid;
            this.state = S.Labels;
            return Tok.LValue;
          }
          return Tok.Invalid;
        case S.Timestamp:
          if (c >= 48 && c <= 57) {
            this.skip((x) => x >= 48 && x <= 57);
            return Tok.Timestamp;
          }
          if (c === NL) {
            this.i++;
            this.state = S.Init;
            return Tok.Linebreak;
          }
          return Tok.Invalid;
        default:
          return Tok.Invalid;
      }
    }
  }

  /** Prometheus's consumeComment: the rest of the line, without its newline. */
  private consumeComment(): Tok {
    const end = this.b.indexOf('\n', this.i);
    if (end < 0) {
      this.i = this.b.length;
      return Tok.EOF;
    }
    this.i = end;
    this.state = S.Init;
    return Tok.Comment;
  }

  /** Consumes `text` as far as it matches; true when all of it did. */
  private literal(text: string): boolean {
    for (let k = 0; k < text.length; k++) {
      if (this.b.charCodeAt(this.i) !== text.charCodeAt(k)) return false;
      this.i++;
    }
    return true;
  }

  private lexOpenMetrics(): Tok {
    if (this.i >= this.b.length) return Tok.EOF;
    this.start = this.i;
    for (;;) {
      const c = this.code(this.i);
      if (c < 0) return Tok.Invalid;
      switch (this.state) {
        case S.Init:
          if (c === 35 /* # */) {
            if (!this.literal('# ')) return Tok.Invalid;
            this.state = S.Comment;
            continue;
          }
          if (isNameStart(c)) {
            this.skip(isNameChar);
            this.state = S.Value;
            return Tok.MName;
          }
          return Tok.Invalid;
        case S.Comment: {
          for (const [word, tok] of [
            ['HELP ', Tok.Help],
            ['TYPE ', Tok.Type],
            ['UNIT ', Tok.Unit],
          ] as const) {
            if (this.b.startsWith(word, this.i)) {
              this.i += word.length;
              this.state = S.Meta1;
              return tok;
            }
          }
          if (this.b.startsWith('EOF', this.i)) {
            this.i += 3;
            if (this.code(this.i) === NL) this.i++;
            this.state = S.Init;
            return Tok.EOFWord;
          }
          // The DFA stops at the first character no rule continues with.
          const words = ['HELP ', 'TYPE ', 'UNIT ', 'EOF'];
          let best = 0;
          for (const w of words) {
            let k = 0;
            while (k < w.length && this.b[this.i + k] === w[k]) k++;
            best = Math.max(best, k);
          }
          this.i += best;
          return Tok.Invalid;
        }
        case S.Meta1:
          if (isNameStart(c)) {
            this.skip(isNameChar);
            this.state = S.Meta2;
            return Tok.MName;
          }
          return Tok.Invalid;
        case S.Meta2: {
          if (c !== SPACE) return Tok.Invalid;
          const end = this.b.indexOf('\n', this.i);
          if (end < 0) {
            this.i = this.b.length;
            return Tok.Invalid;
          }
          this.i = end + 1;
          this.state = S.Init;
          return Tok.Text;
        }
        case S.Value:
          if (c === 123) {
            this.i++;
            this.state = S.Labels;
            return Tok.BraceOpen;
          }
          return this.spacedValue(S.Timestamp, Tok.Value, false);
        case S.Timestamp:
          if (c === NL) {
            this.i++;
            this.state = S.Init;
            return Tok.Linebreak;
          }
          if (this.b.startsWith(' # {', this.i)) {
            this.i += 4;
            this.state = S.Exemplar;
            return Tok.Comment;
          }
          return this.spacedValue(S.Timestamp, Tok.Timestamp, true);
        case S.Labels:
        case S.Exemplar: {
          const inExemplar = this.state === S.Exemplar;
          if (isLabelStart(c)) {
            this.skip(isLabelChar);
            return Tok.LName;
          }
          if (c === 125) {
            this.i++;
            this.state = inExemplar ? S.EValue : S.Value;
            return Tok.BraceClose;
          }
          if (c === 61) {
            this.i++;
            this.state = inExemplar ? S.EValue : S.LValue;
            return Tok.Equal;
          }
          if (c === 44) {
            this.i++;
            return Tok.Comma;
          }
          return Tok.Invalid;
        }
        case S.LValue:
        case S.EValue:
          if (c === QUOTE) {
            const back = this.state === S.EValue ? S.Exemplar : S.Labels;
            if (!this.quoted(false)) return Tok.Invalid;
            this.state = back;
            return Tok.LValue;
          }
          if (this.state === S.EValue) return this.spacedValue(S.ETimestamp, Tok.Value, false);
          return Tok.Invalid;
        case S.ETimestamp:
          if (c === NL) {
            this.i++;
            this.state = S.Init;
            return Tok.Linebreak;
          }
          return this.spacedValue(S.ETimestamp, Tok.Timestamp, false);
        default:
          return Tok.Invalid;
      }
    }
  }

  /** `{S}[^ \n]+` (for timestamps `{S}[^c \n][^ \n]*`): one space, then a word. */
  private spacedValue(next: S, tok: Tok, notC: boolean): Tok {
    if (this.code(this.i) !== SPACE) return Tok.Invalid;
    const first = this.code(this.i + 1);
    if (first < 0 || first === SPACE || first === NL || (notC && first === 99) /* c */) {
      this.i++;
      return Tok.Invalid;
    }
    this.i += 2;
    this.skip((x) => x !== SPACE && x !== NL);
    this.state = next;
    return tok;
  }
}
