import type { Attribute, Block, Body, Expr, Statement } from './ast.js';
import { AlloySyntaxError, type Diagnostic } from './diagnostic.js';
import { scan } from './scanner.js';
import { binaryPrecedence, type Pos, type Token, type TokenKind } from './token.js';
import { goUnquote } from '../../common/go-unquote.js';

/**
 * Parses an Alloy config file into its body. Like Alloy, it keeps going
 * after an error (skipping to the next statement) and reports every
 * problem at once as an AlloySyntaxError.
 */
export function parseAlloy(file: string, src: string): Body {
  const diags: Diagnostic[] = [];
  const tokens = scan(src, diags).filter((t) => t.kind !== 'COMMENT');
  const body = new Parser(tokens, diags).parseFile();
  if (diags.length > 0) {
    diags.sort((a, b) => a.pos.offset - b.pos.offset);
    throw new AlloySyntaxError(file, diags);
  }
  return body;
}

/** Parses one expression, e.g. for tests and `-config.expand-env` style tools. */
export function parseAlloyExpression(src: string): Expr {
  const diags: Diagnostic[] = [];
  const parser = new Parser(
    scan(src, diags).filter((t) => t.kind !== 'COMMENT'),
    diags,
  );
  const expr = parser.parseExpression();
  parser.expectEnd();
  if (diags.length > 0) throw new AlloySyntaxError('<expr>', diags);
  return expr;
}

class Parser {
  private i = 0;
  private lastErrorLine = -1;

  constructor(
    private readonly tokens: Token[],
    private readonly diags: Diagnostic[],
  ) {}

  private get tok(): Token {
    return this.tokens[this.i]!;
  }

  private kind(): TokenKind {
    return this.tokens[this.i]!.kind;
  }

  private next(): void {
    if (this.i < this.tokens.length - 1) this.i++;
  }

  private error(message: string, pos: Pos = this.tok.pos): void {
    // Like Alloy: only the first error of a line, the rest are usually consequences.
    if (pos.line === this.lastErrorLine) return;
    this.lastErrorLine = pos.line;
    this.diags.push({ pos, message });
  }

  private expect(kind: TokenKind): Token {
    const tok = this.tok;
    if (tok.kind !== kind) this.error(`expected ${kind}, got ${tok.kind}`);
    this.next();
    return tok;
  }

  expectEnd(): void {
    if (this.kind() === 'TERMINATOR') this.next();
    if (this.kind() !== 'EOF') this.error(`expected EOF, got ${this.kind()}`);
  }

  parseFile(): Body {
    return this.parseBody('EOF');
  }

  private parseBody(until: TokenKind): Body {
    const body: Body = [];
    while (this.kind() !== until && this.kind() !== 'EOF') {
      if (this.kind() === 'TERMINATOR') {
        this.next();
        continue;
      }
      const stmt = this.parseStatement();
      if (stmt) body.push(stmt);
      if (this.kind() === until) break;
      if (this.kind() !== 'TERMINATOR') {
        this.error(`expected TERMINATOR, got ${this.kind()}`);
        this.consumeStatement();
      }
      this.next();
    }
    return body;
  }

  /** Skips to the end of the current statement, over balanced brackets. */
  private consumeStatement(): void {
    let depth = 0;
    while (this.kind() !== 'EOF') {
      const k = this.kind();
      if (k === '{' || k === '[' || k === '(') depth++;
      if (k === '}' || k === ']' || k === ')') depth--;
      if (k === 'TERMINATOR' && depth <= 0) return;
      if (depth < 0) return;
      this.next();
    }
  }

  private skipTo(kind: TokenKind): void {
    while (this.kind() !== 'EOF' && this.kind() !== kind) this.next();
  }

  private parseStatement(): Statement | undefined {
    if (this.kind() !== 'IDENT') {
      this.error(`expected identifier, got ${this.kind()}`);
      this.next();
      this.skipTo('IDENT');
      return undefined;
    }
    const pos = this.tok.pos;
    const fragments = [this.tok.lit];
    this.next();
    while (this.kind() === '.') {
      this.next();
      if (this.kind() !== 'IDENT') this.error(`expected identifier, got ${this.kind()}`);
      fragments.push(this.tok.lit);
      this.next();
    }
    let label: string | undefined;
    let labelPos: Pos | undefined;
    if (this.kind() !== '=' && this.kind() !== '{') {
      if (this.kind() === 'STRING') {
        labelPos = this.tok.pos;
        if (!this.tok.lit.startsWith('"')) {
          this.error(
            `expected block label to be a double quoted string, but got ${JSON.stringify(this.tok.lit)}`,
          );
        }
        label = this.tok.lit.slice(1, -1);
        if (label !== '' && !/^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(label)) {
          this.error(
            `expected block label to be a valid identifier, but got ${JSON.stringify(label)}`,
          );
        }
      } else {
        this.error(`expected block label, got ${this.kind()}`);
      }
      this.next();
    }
    const name = fragments.join('.');
    if (this.kind() === '=') {
      this.next();
      if (fragments.length !== 1) {
        this.error(`attribute names may only consist of a single identifier with no "."`, pos);
      } else if (labelPos) {
        this.error('attribute names may not have labels', labelPos);
      }
      const attr: Attribute = { type: 'attribute', name, pos, value: this.parseExpression() };
      return attr;
    }
    if (this.kind() === '{') {
      this.next();
      const body = this.parseBody('}');
      this.expect('}');
      const block: Block = { type: 'block', name, pos, body };
      if (label !== undefined) block.label = label;
      return block;
    }
    if (fragments.length === 1 && label === undefined) {
      this.error(`expected attribute assignment or block body, got ${this.kind()}`);
    } else {
      this.error(`expected block body, got ${this.kind()}`);
    }
    this.skipTo('TERMINATOR');
    return undefined;
  }

  parseExpression(): Expr {
    return this.parseBinary(1);
  }

  private parseBinary(minPrec: number): Expr {
    let left = this.parsePow();
    for (;;) {
      const op = this.tok;
      const prec = binaryPrecedence(op.kind);
      if (prec === 0 || prec < minPrec || op.kind === '^') return left;
      this.next();
      const right = this.parseBinary(prec + 1);
      left = { type: 'binary', pos: op.pos, op: op.kind, left, right };
    }
  }

  private parsePow(): Expr {
    const left = this.parseUnary();
    if (this.kind() !== '^') return left;
    const pos = this.tok.pos;
    this.next();
    return { type: 'binary', pos, op: '^', left, right: this.parsePow() };
  }

  private parseUnary(): Expr {
    const tok = this.tok;
    if (tok.kind === '!' || tok.kind === '-') {
      this.next();
      return { type: 'unary', pos: tok.pos, op: tok.kind, value: this.parseUnary() };
    }
    let expr = this.parsePrimary();
    for (;;) {
      const t = this.tok;
      if (t.kind === '.') {
        this.next();
        const name = this.expect('IDENT');
        expr = { type: 'access', pos: name.pos, value: expr, name: name.lit };
      } else if (t.kind === '[') {
        this.next();
        const index = this.parseExpression();
        this.expect(']');
        expr = { type: 'index', pos: t.pos, value: expr, index };
      } else if (t.kind === '(') {
        this.next();
        const args = this.kind() === ')' ? [] : this.parseList(')', 'expression');
        this.expect(')');
        expr = { type: 'call', pos: t.pos, fn: expr, args };
      } else if (t.kind === '{' || (t.kind === 'STRING' && this.tokens[this.i + 1]?.kind === '{')) {
        // A block written where a value belongs, e.g. `x = foo { ... }`.
        if (t.kind === 'STRING') this.next();
        this.next();
        this.parseBody('}');
        this.expect('}');
        this.error('cannot use a block as an expression', exprPos(expr));
      } else {
        return expr;
      }
    }
  }

  private parseList(until: TokenKind, what: 'expression'): Expr[] {
    const out: Expr[] = [];
    while (this.kind() !== until && this.kind() !== 'EOF') {
      out.push(this.parseExpression());
      if (this.kind() === until) break;
      if (this.kind() !== ',') this.error(`missing ',' in ${what} list`);
      this.next();
    }
    return out;
  }

  private parsePrimary(): Expr {
    const tok = this.tok;
    switch (tok.kind) {
      case 'IDENT':
        this.next();
        return { type: 'ident', pos: tok.pos, name: tok.lit };
      case 'STRING': {
        this.next();
        const v = goUnquote(tok.lit);
        if ('error' in v) this.error(v.error, tok.pos);
        return { type: 'literal', pos: tok.pos, value: 'value' in v ? v.value : '' };
      }
      case 'ILLEGAL':
        // Already reported by the scanner (a single-quoted string).
        this.next();
        return { type: 'literal', pos: tok.pos, value: null };
      case 'NUMBER':
      case 'FLOAT':
        this.next();
        return { type: 'literal', pos: tok.pos, value: Number(tok.lit) };
      case 'BOOL':
        this.next();
        return { type: 'literal', pos: tok.pos, value: tok.lit === 'true' };
      case 'NULL':
        this.next();
        return { type: 'literal', pos: tok.pos, value: null };
      case '(': {
        this.next();
        const inner = this.parseExpression();
        this.expect(')');
        return { type: 'paren', pos: tok.pos, inner };
      }
      case '[': {
        this.next();
        const elements = this.kind() === ']' ? [] : this.parseList(']', 'expression');
        this.expect(']');
        return { type: 'array', pos: tok.pos, elements };
      }
      case '{': {
        this.next();
        const fields: { name: string; pos: Pos; value: Expr }[] = [];
        while (this.kind() !== '}' && this.kind() !== 'EOF') {
          const f = this.tok;
          let name = '';
          if (f.kind === 'IDENT') name = f.lit;
          else if (f.kind === 'STRING') {
            const v = goUnquote(f.lit);
            name = 'value' in v ? v.value : '';
          } else {
            this.error(`expected field name (string or identifier), got ${f.kind}`);
            this.skipTo('=');
          }
          if (f.kind === 'IDENT' || f.kind === 'STRING') this.next();
          this.expect('=');
          fields.push({ name, pos: f.pos, value: this.parseExpression() });
          if (this.kind() === '}') break;
          if (this.kind() !== ',') this.error(`missing ',' in field list`);
          this.next();
        }
        this.expect('}');
        return { type: 'object', pos: tok.pos, fields };
      }
    }
    this.error(`expected expression, got ${tok.kind}`);
    while (!['TERMINATOR', ')', '}', ']', ',', 'EOF'].includes(this.kind())) this.next();
    return { type: 'literal', pos: tok.pos, value: null };
  }
}

export function exprPos(expr: Expr): Pos {
  switch (expr.type) {
    case 'access':
    case 'index':
    case 'call':
      return exprPos(expr.type === 'call' ? expr.fn : expr.value);
    case 'binary':
      return exprPos(expr.left);
    default:
      return expr.pos;
  }
}
