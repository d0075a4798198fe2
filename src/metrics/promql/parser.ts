import type { LabelMatcher, MatchType } from '../../common/labels.js';
import { parsePromDuration } from '../../common/duration.js';
import {
  COMPARISON_OPS,
  SET_OPS,
  VALUE_TYPE_NAMES,
  type AggregateOp,
  type AtModifier,
  type BinaryOp,
  type Expr,
  type ValueType,
  type VectorMatching,
  type VectorSelector,
} from './ast.js';
import { parseError, PromQLError } from './errors.js';
import { FUNCTIONS } from './functions-spec.js';
import { tokenize, type Token } from './lexer.js';
import { compileRegex, matchesEmpty } from './matcher.js';

const AGGREGATORS = new Set<string>([
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
const PARAM_AGGREGATORS = new Set<string>(['topk', 'bottomk', 'count_values', 'quantile']);

const PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '<=': 3,
  '<': 3,
  '>=': 3,
  '>': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
  '^': 6,
};
const POW_PRECEDENCE = 6;

const MATCH_OPS = new Set(['=', '!=', '=~', '!~']);

/** The static type of an expression, as Prometheus's Expr.Type(). */
export function typeOf(e: Expr): ValueType {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vectorSelector':
    case 'aggregate':
      return 'vector';
    case 'matrixSelector':
    case 'subquery':
      return 'matrix';
    case 'call':
      return FUNCTIONS.get(e.func)!.returns;
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary':
    case 'paren':
      return typeOf(e.expr);
  }
}

/** Describes a token as Prometheus's Item.desc() does, for "unexpected ..." messages. */
function describe(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'end of input';
    case 'number':
      return `number "${t.text}"`;
    case 'duration':
      return `duration "${t.text}"`;
    case 'string':
      return `string ${JSON.stringify(t.text)}`;
    case 'identifier':
      return `identifier "${t.text}"`;
    case 'metricIdentifier':
      return `metric identifier "${t.text}"`;
    case 'keyword':
      if (AGGREGATORS.has(t.text)) return `aggregation "${t.text}"`;
      if (t.text === 'and' || t.text === 'or' || t.text === 'unless' || t.text === 'atan2') {
        return `binary operator "${t.text}"`;
      }
      return `keyword "${t.text}"`;
    case 'op':
      if (PRECEDENCE[t.text] !== undefined) return `binary operator "${t.text}"`;
      if (t.text === '(') return '"("';
      return `"${t.text}"`;
  }
}

class Parser {
  private i = 0;
  constructor(
    private readonly input: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  private isOp(text: string, t = this.peek()): boolean {
    return t.type === 'op' && t.text === text;
  }

  private isKeyword(text: string, t = this.peek()): boolean {
    return t.type === 'keyword' && t.text === text;
  }

  fail(pos: number, msg: string): never {
    throw parseError(this.input, pos, msg);
  }

  unexpected(context?: string, expected?: string): never {
    const t = this.peek();
    let msg = `unexpected ${describe(t)}`;
    if (context) msg += ` in ${context}`;
    if (expected) msg += `, expected ${expected}`;
    this.fail(t.pos, msg);
  }

  private expectOp(text: string, context?: string): Token {
    if (!this.isOp(text)) this.unexpected(context, `"${text}"`);
    return this.next();
  }

  parseTop(): Expr {
    if (this.peek().type === 'eof') this.fail(0, 'no expression found in input');
    const e = this.parseExpr(0);
    if (this.peek().type !== 'eof') this.unexpected();
    return e;
  }

  private binaryOpAt(t: Token): BinaryOp | undefined {
    if (t.type === 'op' && PRECEDENCE[t.text] !== undefined) return t.text as BinaryOp;
    if (t.type === 'keyword' && PRECEDENCE[t.text] !== undefined) return t.text as BinaryOp;
    return undefined;
  }

  parseExpr(minPrec: number): Expr {
    let lhs = this.parseUnary();
    for (;;) {
      const opTok = this.peek();
      const op = this.binaryOpAt(opTok);
      if (op === undefined) break;
      const prec = PRECEDENCE[op]!;
      if (prec < minPrec) break;
      this.next();
      const { returnBool, matching } = this.parseBinModifiers(op);
      const rhs = this.parseExpr(op === '^' ? prec : prec + 1);
      lhs = this.makeBinary(opTok, op, lhs, rhs, returnBool, matching);
    }
    return lhs;
  }

  private parseBinModifiers(op: BinaryOp): {
    returnBool: boolean;
    matching: VectorMatching | undefined;
  } {
    let returnBool = false;
    if (this.isKeyword('bool')) {
      this.next();
      returnBool = true;
    }
    let matching: VectorMatching | undefined;
    if (this.isKeyword('on') || this.isKeyword('ignoring')) {
      const on = this.next().text === 'on';
      const labels = this.parseLabelList('grouping opts');
      matching = { card: 'one-to-one', on, labels, include: [], explicit: true };
    }
    if (this.isKeyword('group_left') || this.isKeyword('group_right')) {
      const kw = this.next();
      if (!matching)
        matching = { card: 'one-to-one', on: false, labels: [], include: [], explicit: false };
      matching.card = kw.text === 'group_left' ? 'many-to-one' : 'one-to-many';
      if (this.isOp('(')) matching.include = this.parseLabelList('grouping opts');
      if (SET_OPS.has(op)) this.fail(kw.pos, `no grouping allowed for "${op}" operation`);
    }
    return { returnBool, matching };
  }

  private makeBinary(
    opTok: Token,
    op: BinaryOp,
    lhs: Expr,
    rhs: Expr,
    returnBool: boolean,
    matching: VectorMatching | undefined,
  ): Expr {
    const lt = typeOf(lhs);
    const rt = typeOf(rhs);
    const pos = opTok.pos;
    if (returnBool && !COMPARISON_OPS.has(op)) {
      this.fail(pos, 'bool modifier can only be used on comparison operators');
    }
    if (COMPARISON_OPS.has(op) && lt === 'scalar' && rt === 'scalar' && !returnBool) {
      this.fail(pos, 'comparisons between scalars must use BOOL modifier');
    }
    if (SET_OPS.has(op) && (lt === 'scalar' || rt === 'scalar')) {
      this.fail(pos, `set operator "${op}" not allowed in binary scalar expression`);
    }
    if ((lt !== 'scalar' && lt !== 'vector') || (rt !== 'scalar' && rt !== 'vector')) {
      this.fail(pos, 'binary expression must contain only scalar and instant vector types');
    }
    if (lt !== 'vector' || rt !== 'vector') {
      if (matching && (matching.labels.length > 0 || matching.explicit)) {
        this.fail(pos, 'vector matching only allowed between instant vectors');
      }
      matching = undefined;
    } else {
      matching ??= { card: 'one-to-one', on: false, labels: [], include: [], explicit: false };
      if (SET_OPS.has(op) && matching.card === 'one-to-one') matching.card = 'many-to-many';
      if (matching.on) {
        for (const l of matching.include) {
          if (matching.labels.includes(l)) {
            this.fail(pos, `label "${l}" must not occur in ON and GROUP clause at once`);
          }
        }
      }
    }
    return { kind: 'binary', op, lhs, rhs, returnBool, matching };
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (this.isOp('+', t) || this.isOp('-', t)) {
      this.next();
      const operand = this.parseExpr(POW_PRECEDENCE);
      if (operand.kind === 'number') {
        if (t.text === '-') {
          return {
            kind: 'number',
            value: -operand.value,
            text: operand.text === undefined ? undefined : `-${operand.text}`,
          };
        }
        return operand;
      }
      const ot = typeOf(operand);
      if (ot !== 'scalar' && ot !== 'vector') {
        this.fail(
          t.pos,
          `unary expression only allowed on expressions of type scalar or instant vector, got "${VALUE_TYPE_NAMES[ot]}"`,
        );
      }
      return { kind: 'unary', op: t.text as '-' | '+', expr: operand };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.type) {
      case 'number':
        this.next();
        return { kind: 'number', value: parseNumber(t.text), text: t.text };
      case 'string':
        this.next();
        return { kind: 'string', value: t.text };
      case 'identifier':
        if (this.isOp('(', this.peek(1))) return this.parseCall();
        return this.parseVectorSelector();
      case 'metricIdentifier':
        return this.parseVectorSelector();
      case 'keyword':
        if (AGGREGATORS.has(t.text)) return this.parseAggregate();
        return this.unexpected();
      case 'op':
        if (t.text === '{') return this.parseVectorSelector();
        if (t.text === '(') {
          this.next();
          const inner = this.parseExpr(0);
          if (!this.isOp(')')) this.unexpected('paren expression', '")"');
          this.next();
          return { kind: 'paren', expr: inner };
        }
        return this.unexpected();
      case 'duration':
      case 'eof':
        return this.unexpected();
    }
  }

  private parseDuration(context: string): number {
    const t = this.peek();
    if (t.type !== 'duration' && !(t.type === 'number' && /^[0-9]+$/.test(t.text))) {
      this.unexpected(context, 'duration');
    }
    this.next();
    const ms = t.type === 'number' ? Number(t.text) * 1000 : parsePromDuration(t.text);
    if (ms === undefined) this.fail(t.pos, `not a valid duration string: "${t.text}"`);
    return ms;
  }

  private parsePostfix(expr: Expr): Expr {
    let e = expr;
    for (;;) {
      const t = this.peek();
      if (this.isOp('[', t)) {
        this.next();
        const range = this.parseDuration('');
        if (this.isOp(':')) {
          this.next();
          let step = 0;
          if (!this.isOp(']')) step = this.parseDuration('subquery');
          this.expectOp(']', 'subquery');
          const et = typeOf(e);
          if (et !== 'vector') {
            this.fail(
              t.pos,
              `subquery is only allowed on instant vector, got ${VALUE_TYPE_NAMES[et]} instead`,
            );
          }
          e = {
            kind: 'subquery',
            expr: e,
            rangeMs: range,
            stepMs: step,
            offsetMs: 0,
            at: undefined,
          };
          continue;
        }
        if (!this.isOp(']')) this.unexpected('matrix selector', '":" or "]"');
        this.next();
        if (e.kind !== 'vectorSelector') {
          this.fail(t.pos, 'ranges only allowed for vector selectors');
        }
        if (e.offsetMs !== 0) this.fail(t.pos, 'no offset modifiers allowed before range');
        if (e.at !== undefined) this.fail(t.pos, 'no @ modifiers allowed before range');
        e = { kind: 'matrixSelector', selector: e, rangeMs: range };
        continue;
      }
      if (this.isKeyword('offset', t)) {
        this.next();
        let sign = 1;
        if (this.isOp('-') || this.isOp('+')) sign = this.next().text === '-' ? -1 : 1;
        const ms = sign * this.parseDuration('offset');
        e = this.withModifier(t, e, 'offset', (target) => {
          if (target.offsetMs !== 0) this.fail(t.pos, 'offset may not be set multiple times');
          target.offsetMs = ms;
        });
        continue;
      }
      if (this.isOp('@', t)) {
        this.next();
        const at = this.parseAt();
        e = this.withModifier(t, e, '@', (target) => {
          if (target.at !== undefined)
            this.fail(t.pos, '@ <timestamp> may not be set multiple times');
          target.at = at;
        });
        continue;
      }
      return e;
    }
  }

  private withModifier(
    t: Token,
    e: Expr,
    what: 'offset' | '@',
    apply: (target: { offsetMs: number; at: AtModifier | undefined }) => void,
  ): Expr {
    if (e.kind === 'vectorSelector' || e.kind === 'subquery') apply(e);
    else if (e.kind === 'matrixSelector') apply(e.selector);
    else {
      const msg =
        what === 'offset'
          ? 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'
          : '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery';
      this.fail(t.pos, msg);
    }
    return e;
  }

  private parseAt(): AtModifier {
    const t = this.peek();
    if (t.type === 'identifier' && (t.text === 'start' || t.text === 'end')) {
      this.next();
      this.expectOp('(', '@');
      this.expectOp(')', '@');
      return { kind: t.text };
    }
    let sign = 1;
    if (this.isOp('-') || this.isOp('+')) sign = this.next().text === '-' ? -1 : 1;
    const n = this.peek();
    if (n.type !== 'number') this.unexpected('@', 'timestamp');
    this.next();
    const value = sign * parseNumber(n.text);
    if (!Number.isFinite(value)) {
      this.fail(n.pos, `timestamp out of bounds for @ modifier: ${value}`);
    }
    return { kind: 'time', ms: Math.round(value * 1000) };
  }

  private parseLabelList(context: string): string[] {
    this.expectOp('(', context);
    const labels: string[] = [];
    while (!this.isOp(')')) {
      const t = this.peek();
      if (t.type !== 'identifier' && t.type !== 'keyword') {
        this.unexpected(context, 'label');
      }
      if (t.type === 'keyword' && !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(t.text))
        this.unexpected(context);
      labels.push(this.input.slice(t.pos, t.end));
      this.next();
      if (this.isOp(',')) this.next();
      else if (!this.isOp(')')) this.unexpected(context, '"," or ")"');
    }
    this.next();
    return labels;
  }

  private parseCall(): Expr {
    const nameTok = this.next();
    const spec = FUNCTIONS.get(nameTok.text);
    if (!spec) this.fail(nameTok.pos, `unknown function with name "${nameTok.text}"`);
    this.next();
    const args: Expr[] = [];
    while (!this.isOp(')')) {
      args.push(this.parseExpr(0));
      if (this.isOp(',')) {
        this.next();
        if (this.isOp(')')) this.unexpected('function call arguments');
      } else if (!this.isOp(')')) this.unexpected('function call arguments', '"," or ")"');
    }
    this.next();
    const name = nameTok.text;
    const n = spec.args.length;
    if (spec.variadic === 0 && args.length !== n) {
      this.fail(nameTok.pos, `expected ${n} argument(s) in call to "${name}", got ${args.length}`);
    }
    if (spec.variadic !== 0) {
      const min = n - 1;
      if (args.length < min) {
        this.fail(
          nameTok.pos,
          `expected at least ${min} argument(s) in call to "${name}", got ${args.length}`,
        );
      }
      const max = n + spec.variadic - 1;
      if (spec.variadic > 0 && args.length > max) {
        this.fail(
          nameTok.pos,
          `expected at most ${max} argument(s) in call to "${name}", got ${args.length}`,
        );
      }
    }
    args.forEach((arg, idx) => {
      const want = spec.args[Math.min(idx, n - 1)]!;
      const got = typeOf(arg);
      if (got !== want) {
        this.fail(
          nameTok.pos,
          `expected type ${VALUE_TYPE_NAMES[want]} in call to function "${name}", got ${VALUE_TYPE_NAMES[got]}`,
        );
      }
    });
    return { kind: 'call', func: name, args };
  }

  private parseAggregate(): Expr {
    const opTok = this.next();
    const op = opTok.text as AggregateOp;
    let grouping: string[] = [];
    let without = false;
    let explicitGrouping = false;
    const readGrouping = (): void => {
      without = this.next().text === 'without';
      grouping = this.parseLabelList('grouping opts');
      explicitGrouping = true;
    };
    if (this.isKeyword('by') || this.isKeyword('without')) readGrouping();
    if (!this.isOp('(')) this.unexpected('aggregation', '"("');
    this.next();
    const args: Expr[] = [];
    while (!this.isOp(')')) {
      args.push(this.parseExpr(0));
      if (this.isOp(',')) this.next();
      else if (!this.isOp(')')) this.unexpected('aggregation', '"," or ")"');
    }
    this.next();
    if (!explicitGrouping && (this.isKeyword('by') || this.isKeyword('without'))) readGrouping();
    const want = PARAM_AGGREGATORS.has(op) ? 2 : 1;
    if (args.length !== want) {
      this.fail(
        opTok.pos,
        `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`,
      );
    }
    const expr = args[want - 1]!;
    const param = want === 2 ? args[0] : undefined;
    const et = typeOf(expr);
    if (et !== 'vector') {
      this.fail(
        opTok.pos,
        `expected type instant vector in aggregation expression, got ${VALUE_TYPE_NAMES[et]}`,
      );
    }
    if (param) {
      const pt = typeOf(param);
      const wantParam = op === 'count_values' ? 'string' : 'scalar';
      if (pt !== wantParam) {
        this.fail(
          opTok.pos,
          `expected type ${VALUE_TYPE_NAMES[wantParam]} in aggregation parameter, got ${VALUE_TYPE_NAMES[pt]}`,
        );
      }
    }
    return { kind: 'aggregate', op, expr, param, grouping, without, explicitGrouping };
  }

  private parseVectorSelector(): VectorSelector {
    const start = this.peek();
    let name: string | undefined;
    const matchers: LabelMatcher[] = [];
    if (start.type === 'identifier' || start.type === 'metricIdentifier') {
      name = this.next().text;
    }
    if (this.isOp('{')) matchers.push(...this.parseMatchers());
    if (name !== undefined) {
      for (const m of matchers) {
        if (m.name === '__name__') {
          this.fail(start.pos, `metric name must not be set twice: "${name}" or "${m.value}"`);
        }
      }
      matchers.unshift({ type: '=', name: '__name__', value: name });
    }
    if (matchers.every(matchesEmpty)) {
      this.fail(start.pos, 'vector selector must contain at least one non-empty matcher');
    }
    return { kind: 'vectorSelector', name, matchers, offsetMs: 0, at: undefined };
  }

  parseMatchers(): LabelMatcher[] {
    this.expectOp('{');
    const out: LabelMatcher[] = [];
    while (!this.isOp('}')) {
      const nameTok = this.peek();
      if (nameTok.type !== 'identifier') this.unexpected('label matching', 'identifier or "}"');
      this.next();
      const opTok = this.peek();
      if (opTok.type !== 'op' || !MATCH_OPS.has(opTok.text)) {
        this.unexpected('label matching', 'label matching operator');
      }
      this.next();
      const valTok = this.peek();
      if (valTok.type !== 'string') this.unexpected('label matching', 'string');
      this.next();
      const m: LabelMatcher = {
        type: opTok.text as MatchType,
        name: nameTok.text,
        value: valTok.text,
      };
      if (m.type === '=~' || m.type === '!~') {
        try {
          compileRegex(m.value);
        } catch (err) {
          this.fail(valTok.pos, (err as Error).message);
        }
      }
      out.push(m);
      if (this.isOp(',')) this.next();
      else if (!this.isOp('}')) this.unexpected('label matching', '"," or "}"');
    }
    this.next();
    return out;
  }

  atEnd(): boolean {
    return this.peek().type === 'eof';
  }
}

function parseNumber(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'inf') return Infinity;
  if (lower === 'nan') return NaN;
  if (lower.startsWith('0x')) return parseInt(text.slice(2), 16);
  return Number(text);
}

/** Parses a PromQL expression into its AST, failing with Prometheus's parse errors. */
export function parsePromQL(input: string): Expr {
  return new Parser(input, tokenize(input)).parseTop();
}

/** Parses a series selector (`match[]` of the metadata APIs) into its matchers. */
export function parseSeriesSelector(input: string): LabelMatcher[] {
  const p = new Parser(input, tokenize(input));
  const e = p.parseTop();
  if (e.kind !== 'vectorSelector') {
    throw new PromQLError('bad_data', `1:1: parse error: expected type instant vector selector`);
  }
  return e.matchers;
}
