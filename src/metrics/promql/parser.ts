import { goSprintf } from '../../common/go-fmt.js';
import type { LabelMatcher, MatchType } from '../../common/labels.js';
import { parsePromDuration } from '../../common/duration.js';
import type {
  AggregateOp,
  AtModifier,
  BinaryOp,
  Expr,
  VectorMatching,
  VectorSelector,
} from './ast.js';
import { parseError, PromQLError } from './errors.js';
import { FUNCTIONS } from './functions-spec.js';
import { AGGREGATORS, lexError, tokenize, type Token } from './lexer.js';
import { compileRegex } from './matcher.js';
import { checkAST } from './check.js';

const PARAM_AGGREGATORS = new Set<string>(['topk', 'bottomk', 'count_values', 'quantile']);

/** Keywords Prometheus's grammar also accepts as metric names (metric_identifier). */
const METRIC_NAME_KEYWORDS = new Set<string>([
  ...AGGREGATORS,
  'by',
  'without',
  'and',
  'or',
  'unless',
  'offset',
]);

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
/** 2^63: math.MaxInt64 as a float64. */
const INT64_LIMIT = 2 ** 63;

/** Describes a token as Prometheus's Item.desc() does, for "unexpected ..." messages. */
function describe(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'end of input';
    case 'number':
      return `number "${t.raw}"`;
    case 'duration':
      return `duration "${t.raw}"`;
    case 'string':
      return `string ${JSON.stringify(t.raw)}`;
    case 'identifier':
      return `identifier "${t.raw}"`;
    case 'metricIdentifier':
      return `metric identifier "${t.raw}"`;
    case 'keyword':
      if (AGGREGATORS.has(t.text)) return `<aggr:${t.text}>`;
      if (PRECEDENCE[t.text] !== undefined) return `<op:${t.text}>`;
      return `<${t.text}>`;
    case 'op':
      if (
        PRECEDENCE[t.text] !== undefined ||
        t.text === '=' ||
        t.text === '=~' ||
        t.text === '!~'
      ) {
        return `<op:${t.text}>`;
      }
      return `"${t.text}"`;
    case 'error':
      return 'error';
  }
}

function parseNumberText(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'inf') return Infinity;
  if (lower === 'nan') return NaN;
  if (lower.startsWith('0x')) return parseInt(text.slice(2), 16);
  // Go's ParseFloat reads a leading 0 as decimal, as does Number().
  return Number(text);
}

/**
 * Recursive-descent PromQL parser following Prometheus's generated_parser.y:
 * the same precedence, the same errors raised while parsing; type errors
 * come afterwards from checkAST, as in Prometheus.
 */
class Parser {
  private i = 0;
  constructor(
    private readonly input: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0): Token {
    const t = this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
    if (t.type === 'error') throw lexError(this.input, t);
    return t;
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

  parseTop(): Expr {
    if (this.peek().type === 'eof') this.fail(this.peek().pos, 'no expression found in input');
    const e = this.parseExpr(0);
    if (this.peek().type !== 'eof') this.unexpected();
    return e;
  }

  private binaryOpAt(t: Token): BinaryOp | undefined {
    if ((t.type === 'op' || t.type === 'keyword') && PRECEDENCE[t.text] !== undefined) {
      return t.text as BinaryOp;
    }
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
      const { returnBool, matching } = this.parseBinModifiers();
      const rhs = this.parseExpr(op === '^' ? prec : prec + 1);
      lhs = { kind: 'binary', op, lhs, rhs, returnBool, matching, pos: lhs.pos, opPos: opTok.pos };
    }
    return lhs;
  }

  private parseBinModifiers(): { returnBool: boolean; matching: VectorMatching } {
    let returnBool = false;
    if (this.isKeyword('bool')) {
      this.next();
      returnBool = true;
    }
    const matching: VectorMatching = {
      card: 'one-to-one',
      on: false,
      labels: [],
      include: [],
    };
    if (this.isKeyword('on') || this.isKeyword('ignoring')) {
      matching.on = this.next().text === 'on';
      matching.labels = this.parseLabelList();
      if (this.isKeyword('group_left') || this.isKeyword('group_right')) {
        matching.card = this.next().text === 'group_left' ? 'many-to-one' : 'one-to-many';
        if (this.isOp('(') || this.peek().type === 'eof') matching.include = this.parseLabelList();
      }
    }
    return { returnBool, matching };
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (this.isOp('+', t) || this.isOp('-', t)) {
      this.next();
      const operand = this.parseExpr(POW_PRECEDENCE);
      if (operand.kind === 'number') {
        return {
          kind: 'number',
          value: t.text === '-' ? -operand.value : operand.value,
          pos: t.pos,
        };
      }
      return { kind: 'unary', op: t.text as '-' | '+', expr: operand, pos: t.pos };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.type) {
      case 'number': {
        this.next();
        const value = parseNumberText(t.text);
        if (value === Infinity && t.text.toLowerCase() !== 'inf') {
          this.fail(t.pos, `strconv.ParseFloat: parsing "${t.text}": value out of range`);
        }
        return { kind: 'number', value, pos: t.pos };
      }
      case 'string':
        this.next();
        return { kind: 'string', value: t.text, pos: t.pos };
      case 'identifier':
        if (this.isOp('(', this.peek(1))) return this.parseCall();
        return this.parseVectorSelector();
      case 'metricIdentifier':
        return this.parseVectorSelector();
      case 'keyword': {
        const after = this.peek(1);
        if (
          AGGREGATORS.has(t.text) &&
          (this.isOp('(', after) || this.isKeyword('by', after) || this.isKeyword('without', after))
        ) {
          return this.parseAggregate();
        }
        if (METRIC_NAME_KEYWORDS.has(t.text)) return this.parseVectorSelector();
        return this.unexpected();
      }
      case 'op':
        if (t.text === '{') return this.parseVectorSelector();
        if (t.text === '(') {
          this.next();
          const inner = this.parseExpr(0);
          if (!this.isOp(')')) this.unexpected();
          this.next();
          return { kind: 'paren', expr: inner, pos: t.pos };
        }
        return this.unexpected();
      default:
        return this.unexpected();
    }
  }

  private parseDurationToken(t: Token): number {
    const ms = parsePromDuration(t.text);
    if (ms === undefined) this.fail(t.pos, `not a valid duration string: "${t.text}"`);
    if (ms === 0) this.fail(t.pos, 'duration must be greater than 0');
    return ms;
  }

  private parsePostfix(expr: Expr): Expr {
    let e = expr;
    for (;;) {
      const t = this.peek();
      if (this.isOp('[', t)) {
        this.next();
        const rangeTok = this.peek();
        if (rangeTok.type !== 'duration') this.unexpected('matrix selector', 'duration');
        this.next();
        const range = this.parseDurationToken(rangeTok);
        if (this.isOp(':')) {
          this.next();
          let step = 0;
          if (this.peek().type === 'duration') step = this.parseDurationToken(this.next());
          if (!this.isOp(']')) this.unexpected('subquery selector', '"]"');
          this.next();
          e = {
            kind: 'subquery',
            expr: e,
            rangeMs: range,
            stepMs: step,
            offsetMs: 0,
            at: undefined,
            pos: e.pos,
          };
          continue;
        }
        if (!this.isOp(']')) this.unexpected('matrix selector', '":" or "]"');
        this.next();
        if (e.kind !== 'vectorSelector')
          this.fail(t.pos, 'ranges only allowed for vector selectors');
        if (e.offsetMs !== 0) this.fail(t.pos, 'no offset modifiers allowed before range');
        if (e.at !== undefined) this.fail(t.pos, 'no @ modifiers allowed before range');
        e = { kind: 'matrixSelector', selector: e, rangeMs: range, pos: e.pos };
        continue;
      }
      if (this.isKeyword('offset', t)) {
        this.next();
        let sign = 1;
        if (this.isOp('-')) {
          this.next();
          sign = -1;
        }
        const d = this.peek();
        if (d.type !== 'duration') this.unexpected('offset', 'duration');
        this.next();
        const ms = sign * this.parseDurationToken(d);
        const target = this.modifierTarget(e, 'offset');
        if (target.offsetMs !== 0) this.fail(e.pos ?? 0, 'offset may not be set multiple times');
        target.offsetMs = ms;
        continue;
      }
      if (this.isOp('@', t)) {
        this.next();
        const at = this.parseAt(e);
        const target = this.modifierTarget(e, '@');
        if (target.at !== undefined) {
          this.fail(e.pos ?? 0, '@ <timestamp> may not be set multiple times');
        }
        target.at = at;
        continue;
      }
      return e;
    }
  }

  private modifierTarget(
    e: Expr,
    what: 'offset' | '@',
  ): { offsetMs: number; at: AtModifier | undefined } {
    if (e.kind === 'vectorSelector' || e.kind === 'subquery') return e;
    if (e.kind === 'matrixSelector') return e.selector;
    return this.fail(
      e.pos ?? 0,
      `${what === 'offset' ? 'offset' : '@'} modifier must be preceded by an instant vector selector or range vector selector or a subquery`,
    );
  }

  private parseAt(e: Expr): AtModifier {
    const t = this.peek();
    if (t.type === 'identifier' && (t.text === 'start' || t.text === 'end')) {
      this.next();
      if (!this.isOp('(')) this.unexpected('@', 'timestamp');
      this.next();
      if (!this.isOp(')')) this.unexpected('@', 'timestamp');
      this.next();
      return { kind: t.text };
    }
    let sign = 1;
    if (this.isOp('-') || this.isOp('+')) sign = this.next().text === '-' ? -1 : 1;
    const n = this.peek();
    if (n.type !== 'number') this.unexpected('@', 'timestamp');
    this.next();
    const value = sign * parseNumberText(n.text);
    if (!Number.isFinite(value) || Math.abs(value) >= INT64_LIMIT) {
      this.fail(e.pos ?? 0, `timestamp out of bounds for @ modifier: ${goSprintf('%f', [value])}`);
    }
    return { kind: 'time', ms: Math.round(value * 1000) };
  }

  private parseLabelList(): string[] {
    const context = 'grouping opts';
    if (!this.isOp('(')) this.unexpected(context, '"("');
    this.next();
    const labels: string[] = [];
    while (!this.isOp(')')) {
      const t = this.peek();
      const isLabel =
        t.type === 'identifier' || (t.type === 'keyword' && /^[a-z_][a-z0-9_]*$/.test(t.text));
      if (!isLabel) this.unexpected(context, 'label');
      labels.push(t.raw);
      this.next();
      if (this.isOp(',')) this.next();
      else if (!this.isOp(')')) this.unexpected(context, '"," or ")"');
    }
    this.next();
    return labels;
  }

  /** Comma-separated arguments up to `)`, which is consumed. */
  private parseArgs(): Expr[] {
    this.next();
    const args: Expr[] = [];
    while (!this.isOp(')')) {
      args.push(this.parseExpr(0));
      if (this.isOp(',')) {
        const comma = this.next();
        if (this.isOp(')'))
          this.fail(comma.pos, 'trailing commas not allowed in function call args');
      } else if (!this.isOp(')')) this.unexpected();
    }
    this.next();
    return args;
  }

  private parseCall(): Expr {
    const nameTok = this.next();
    // Prometheus looks the name up only when its grammar reduces a complete
    // call, so any error inside the arguments (or at EOF) is reported first.
    const args = this.parseArgs();
    if (!FUNCTIONS.has(nameTok.text)) {
      this.fail(nameTok.pos, `unknown function with name "${nameTok.text}"`);
    }
    return { kind: 'call', func: nameTok.text, args, pos: nameTok.pos };
  }

  private parseAggregate(): Expr {
    const opTok = this.next();
    const op = opTok.text as AggregateOp;
    let grouping: string[] = [];
    let without = false;
    let explicitGrouping = false;
    const readGrouping = (): void => {
      without = this.next().text === 'without';
      grouping = this.parseLabelList();
      explicitGrouping = true;
    };
    if (this.isKeyword('by') || this.isKeyword('without')) readGrouping();
    if (!this.isOp('(')) this.unexpected('aggregation', '"("');
    const args = this.parseArgs();
    if (!explicitGrouping && (this.isKeyword('by') || this.isKeyword('without'))) readGrouping();
    if (args.length === 0) {
      this.fail(opTok.pos, 'no arguments for aggregate expression provided');
    }
    const want = PARAM_AGGREGATORS.has(op) ? 2 : 1;
    if (args.length !== want) {
      this.fail(
        opTok.pos,
        `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`,
      );
    }
    return {
      kind: 'aggregate',
      op,
      expr: args[want - 1]!,
      param: want === 2 ? args[0] : undefined,
      grouping,
      without,
      pos: opTok.pos,
    };
  }

  private parseVectorSelector(): VectorSelector {
    const start = this.peek();
    let name: string | undefined;
    const matchers: LabelMatcher[] = [];
    if (start.type !== 'op') name = this.next().raw;
    if (this.isOp('{')) matchers.push(...this.parseMatchers());
    if (name !== undefined) matchers.push({ type: '=', name: '__name__', value: name });
    return { kind: 'vectorSelector', name, matchers, offsetMs: 0, at: undefined, pos: start.pos };
  }

  parseMatchers(): LabelMatcher[] {
    this.next();
    const context = 'label matching';
    const out: LabelMatcher[] = [];
    while (!this.isOp('}')) {
      const nameTok = this.peek();
      if (nameTok.type !== 'identifier') this.unexpected(context, 'identifier or "}"');
      this.next();
      const opTok = this.peek();
      if (opTok.type !== 'op' || !MATCH_OPS.has(opTok.text)) {
        this.unexpected(context, 'label matching operator');
      }
      this.next();
      const valTok = this.peek();
      if (valTok.type !== 'string') this.unexpected(context, 'string');
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
          this.fail(nameTok.pos, (err as Error).message);
        }
      }
      out.push(m);
      if (this.isOp(',')) this.next();
      else if (!this.isOp('}')) this.unexpected(context, '"," or "}"');
    }
    this.next();
    return out;
  }
}

/** Parses a PromQL expression into its AST, failing with Prometheus's parse errors. */
export function parsePromQL(input: string): Expr {
  const expr = new Parser(input, tokenize(input)).parseTop();
  checkAST(input, expr);
  return expr;
}

/** Parses a series selector (`match[]` of the metadata APIs) into its matchers. */
export function parseSeriesSelector(input: string): LabelMatcher[] {
  const expr = parsePromQL(input);
  if (expr.kind !== 'vectorSelector') {
    throw new PromQLError('bad_data', 'expected type instant vector selector');
  }
  return expr.matchers;
}
