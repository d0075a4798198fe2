import type { LabelMatcher, MatchType } from '../../common/labels.js';
import type {
  BinaryOp,
  CompareOp,
  Expr,
  Grouping,
  LabelExtraction,
  LabelFilterExpr,
  LabelFormatItem,
  LabelSelection,
  LineFilterOp,
  LogRange,
  LogSelectorExpr,
  RangeOp,
  SampleExpr,
  StageExpr,
  Unwrap,
  VectorMatching,
  VectorOp,
} from './ast.js';
import { lex, positioned, type Token } from './lexer.js';

const RANGE_OPS = new Set<string>([
  'count_over_time',
  'rate',
  'rate_counter',
  'bytes_over_time',
  'bytes_rate',
  'avg_over_time',
  'sum_over_time',
  'min_over_time',
  'max_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'quantile_over_time',
  'first_over_time',
  'last_over_time',
  'absent_over_time',
]);
const VECTOR_OPS = new Set<string>([
  'sum',
  'avg',
  'count',
  'max',
  'min',
  'stddev',
  'stdvar',
  'bottomk',
  'topk',
  'sort',
  'sort_desc',
]);
const LINE_FILTER_OPS = new Set<string>(['|=', '!=', '|~', '!~', '|>', '!>']);
const MATCH_OPS = new Set<string>(['=', '!=', '=~', '!~']);
const COMPARE_TOKENS = new Set<string>(['==', '=', '!=', '>', '>=', '<', '<=']);

/** Binary operator precedence, loosest first, as in Loki's (and PromQL's) grammar. */
const PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '>': 3,
  '>=': 3,
  '<': 3,
  '<=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '^': 6,
};

/** Parses LogQL into the AST; syntax errors carry Loki's message and position. */
export function parseSyntax(query: string): Expr {
  return new Parser(query).parseRoot();
}

class Parser {
  private readonly tokens: Token[];
  private at = 0;

  constructor(private readonly query: string) {
    this.tokens = lex(query);
  }

  parseRoot(): Expr {
    const expr = this.parseExpr();
    if (this.peek().type !== '$end') throw this.unexpected();
    return expr;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.at + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (this.at < this.tokens.length - 1) this.at++;
    return t;
  }

  private isIdent(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.type === 'IDENTIFIER' && t.text === text;
  }

  private expect(type: string, expecting?: string): Token {
    if (this.peek().type !== type) throw this.unexpected(expecting ?? type);
    return this.next();
  }

  private expectIdent(text: string): Token {
    if (!this.isIdent(text)) throw this.unexpected(text);
    return this.next();
  }

  private unexpected(expecting?: string): Error {
    const t = this.peek();
    const what = tokenName(t);
    const tail = expecting ? `, expecting ${expecting}` : '';
    return positioned(this.query, t.pos, `syntax error: unexpected ${what}${tail}`);
  }

  private parseExpr(minPrec = 1): Expr {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      const op = t.type === 'IDENTIFIER' ? t.text : t.type;
      const prec = PRECEDENCE[op];
      if (prec === undefined || prec < minPrec) return left;
      this.next();
      let returnBool = false;
      if (this.isIdent('bool')) {
        this.next();
        returnBool = true;
      }
      const matching = this.parseVectorMatching();
      // `^` is right-associative; everything else binds left.
      const right = this.parseExpr(op === '^' ? prec : prec + 1);
      left = {
        kind: 'binary',
        op: op as BinaryOp,
        returnBool,
        ...(matching ? { matching } : {}),
        left: this.sample(left, t),
        right: this.sample(right, t),
      };
    }
  }

  private sample(expr: Expr, at: Token): SampleExpr {
    if (expr.kind === 'log') {
      throw positioned(this.query, at.pos, `syntax error: unexpected ${tokenName(at)}`);
    }
    return expr;
  }

  private parseVectorMatching(): VectorMatching | undefined {
    if (!this.isIdent('on') && !this.isIdent('ignoring')) return undefined;
    const on = this.next().text === 'on';
    const labels = this.parseLabelList();
    const matching: VectorMatching = { on, labels };
    if (this.isIdent('group_left') || this.isIdent('group_right')) {
      const side = this.next().text === 'group_left' ? 'left' : 'right';
      const include = this.peek().type === '(' ? this.parseLabelList() : [];
      matching.group = { side, include };
    }
    return matching;
  }

  private parseLabelList(): string[] {
    this.expect('(');
    const labels: string[] = [];
    while (this.peek().type !== ')') {
      labels.push(this.expect('IDENTIFIER').text);
      if (this.peek().type === ',') this.next();
      else if (this.peek().type !== ')') throw this.unexpected(') or ,');
    }
    this.next();
    return labels;
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if ((t.type === '-' || t.type === '+') && this.peek(1).type === 'NUMBER') {
      this.next();
      const n = this.next().value as number;
      return { kind: 'literal', value: t.type === '-' ? -n : n };
    }
    if (t.type === 'NUMBER') {
      this.next();
      return { kind: 'literal', value: t.value as number };
    }
    if (t.type === '{') return this.parseLogExpr();
    if (t.type === '(') {
      this.next();
      const inner = this.parseExpr();
      this.expect(')');
      return inner;
    }
    if (t.type === 'IDENTIFIER') {
      if (RANGE_OPS.has(t.text)) return this.parseRangeAggregation();
      if (VECTOR_OPS.has(t.text)) return this.parseVectorAggregation();
      if (t.text === 'vector') return this.parseVector();
      if (t.text === 'label_replace') return this.parseLabelReplace();
    }
    throw this.unexpected();
  }

  private parseLogExpr(): LogSelectorExpr {
    const matchers = this.parseSelector();
    return { kind: 'log', matchers, stages: this.parsePipeline(false).stages };
  }

  private parseSelector(): LabelMatcher[] {
    this.expect('{');
    const matchers: LabelMatcher[] = [];
    if (this.peek().type === '}') {
      this.next();
      return matchers;
    }
    for (;;) {
      matchers.push(this.parseMatcher());
      const t = this.peek();
      if (t.type === ',') {
        this.next();
        continue;
      }
      if (t.type === '}') {
        this.next();
        return matchers;
      }
      throw this.unexpected('} or ,');
    }
  }

  private parseMatcher(): LabelMatcher {
    const name = this.expect('IDENTIFIER').text;
    const op = this.peek();
    if (!MATCH_OPS.has(op.type)) throw this.unexpected();
    this.next();
    const value = this.expect('STRING').value as string;
    return { name, type: op.type as MatchType, value };
  }

  private parsePipeline(allowUnwrap: boolean): { stages: StageExpr[]; unwrap?: Unwrap } {
    const stages: StageExpr[] = [];
    for (;;) {
      const t = this.peek();
      if (LINE_FILTER_OPS.has(t.type)) {
        stages.push(this.parseLineFilter());
        continue;
      }
      if (t.type !== '|') return { stages };
      if (this.isIdent('unwrap', 1)) {
        if (!allowUnwrap) {
          this.next();
          throw this.unexpected();
        }
        this.next();
        return { stages, unwrap: this.parseUnwrap() };
      }
      this.next();
      stages.push(this.parseStage());
    }
  }

  private parseLineFilter(): StageExpr {
    const op = this.next().type as LineFilterOp;
    const values = [this.parseLineFilterValue()];
    while (this.isIdent('or') && (this.peek(1).type === 'STRING' || this.isIdent('ip', 1))) {
      this.next();
      values.push(this.parseLineFilterValue());
    }
    return { type: 'lineFilter', op, values };
  }

  private parseLineFilterValue(): { ip: boolean; value: string } {
    if (this.isIdent('ip')) {
      this.next();
      this.expect('(');
      const value = this.expect('STRING').value as string;
      this.expect(')');
      return { ip: true, value };
    }
    if (this.peek().type !== 'STRING') throw this.unexpected('STRING or ip');
    return { ip: false, value: this.next().value as string };
  }

  private parseStage(): StageExpr {
    const t = this.peek();
    if (t.type === 'IDENTIFIER') {
      switch (t.text) {
        case 'json':
          this.next();
          return { type: 'json', params: this.parseExtractions() };
        case 'logfmt': {
          this.next();
          let strict = false;
          let keepEmpty = false;
          for (;;) {
            if (this.peek().type === '--strict') strict = true;
            else if (this.peek().type === '--keep-empty') keepEmpty = true;
            else break;
            this.next();
          }
          return { type: 'logfmt', strict, keepEmpty, params: this.parseExtractions() };
        }
        case 'regexp':
          this.next();
          return { type: 'regexp', pattern: this.expect('STRING').value as string };
        case 'pattern':
          this.next();
          return { type: 'pattern', pattern: this.expect('STRING').value as string };
        case 'unpack':
          this.next();
          return { type: 'unpack' };
        case 'decolorize':
          this.next();
          return { type: 'decolorize' };
        case 'line_format':
          this.next();
          return { type: 'lineFormat', template: this.expect('STRING').value as string };
        case 'label_format':
          this.next();
          return { type: 'labelFormat', items: this.parseLabelFormatItems() };
        case 'drop':
        case 'keep':
          if (this.peek(1).type === 'IDENTIFIER') {
            this.next();
            return { type: t.text, items: this.parseLabelSelections() };
          }
      }
    }
    return { type: 'labelFilter', filter: this.parseLabelFilter() };
  }

  private parseExtractions(): LabelExtraction[] {
    const params: LabelExtraction[] = [];
    while (this.peek().type === 'IDENTIFIER') {
      const name = this.next().text;
      if (this.peek().type === '=') {
        this.next();
        params.push({ name, expr: this.expect('STRING').value as string });
      } else {
        params.push({ name, expr: name });
      }
      if (this.peek().type !== ',') break;
      this.next();
    }
    return params;
  }

  private parseLabelFormatItems(): LabelFormatItem[] {
    const items: LabelFormatItem[] = [];
    for (;;) {
      const name = this.expect('IDENTIFIER').text;
      this.expect('=');
      const v = this.peek();
      if (v.type === 'IDENTIFIER') items.push({ name, source: this.next().text });
      else if (v.type === 'STRING') items.push({ name, template: this.next().value as string });
      else throw this.unexpected();
      if (this.peek().type !== ',') return items;
      this.next();
    }
  }

  private parseLabelSelections(): LabelSelection[] {
    const items: LabelSelection[] = [];
    for (;;) {
      if (MATCH_OPS.has(this.peek(1).type)) {
        const matcher = this.parseMatcher();
        items.push({ name: matcher.name, matcher });
      } else {
        items.push({ name: this.expect('IDENTIFIER').text });
      }
      if (this.peek().type !== ',') return items;
      this.next();
    }
  }

  private parseLabelFilter(): LabelFilterExpr {
    let left = this.parseLabelFilterAnd();
    while (this.isIdent('or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseLabelFilterAnd() };
    }
    return left;
  }

  private parseLabelFilterAnd(): LabelFilterExpr {
    let left = this.parseLabelFilterPrimary();
    while (this.isIdent('and') || this.peek().type === ',') {
      this.next();
      left = { kind: 'and', left, right: this.parseLabelFilterPrimary() };
    }
    return left;
  }

  private parseLabelFilterPrimary(): LabelFilterExpr {
    if (this.peek().type === '(') {
      this.next();
      const inner = this.parseLabelFilter();
      this.expect(')');
      return inner;
    }
    const name = this.expect('IDENTIFIER').text;
    const opTok = this.peek();
    if (!COMPARE_TOKENS.has(opTok.type) && !MATCH_OPS.has(opTok.type)) throw this.unexpected();
    this.next();
    const v = this.peek();
    if (v.type === 'STRING' && MATCH_OPS.has(opTok.type)) {
      this.next();
      return {
        kind: 'string',
        matcher: { name, type: opTok.type as MatchType, value: v.value as string },
      };
    }
    if (this.isIdent('ip') && (opTok.type === '=' || opTok.type === '!=')) {
      this.next();
      this.expect('(');
      const cidr = this.expect('STRING').value as string;
      this.expect(')');
      return { kind: 'ip', name, op: opTok.type, cidr };
    }
    if (!COMPARE_TOKENS.has(opTok.type)) throw this.unexpected();
    const op: CompareOp = opTok.type === '=' ? '==' : (opTok.type as CompareOp);
    let sign = 1;
    if (v.type === '-' || v.type === '+') {
      sign = v.type === '-' ? -1 : 1;
      this.next();
    }
    const value = this.next();
    if (value.type === 'NUMBER') {
      return { kind: 'number', name, op, value: sign * (value.value as number) };
    }
    if (value.type === 'DURATION') {
      return { kind: 'duration', name, op, value: (sign * Number(value.value as bigint)) / 1e9 };
    }
    if (value.type === 'BYTES') return { kind: 'bytes', name, op, value: value.value as number };
    this.at--;
    throw this.unexpected();
  }

  private parseUnwrap(): Unwrap {
    this.expectIdent('unwrap');
    let conversion: Unwrap['conversion'];
    let label: string;
    const t = this.peek();
    if (
      t.type === 'IDENTIFIER' &&
      ['bytes', 'duration', 'duration_seconds'].includes(t.text) &&
      this.peek(1).type === '('
    ) {
      conversion = this.next().text as Unwrap['conversion'];
      this.next();
      label = this.expect('IDENTIFIER').text;
      this.expect(')');
    } else {
      label = this.expect('IDENTIFIER').text;
    }
    const postFilters: LabelFilterExpr[] = [];
    while (this.peek().type === '|') {
      this.next();
      postFilters.push(this.parseLabelFilter());
    }
    return { label, ...(conversion ? { conversion } : {}), postFilters };
  }

  private parseRangeAggregation(): SampleExpr {
    const op = this.next().text as RangeOp;
    let grouping = this.parseOptionalGrouping();
    this.expect('(');
    const param = this.parseOptionalParam();
    const range = this.parseLogRange();
    this.expect(')');
    grouping ??= this.parseOptionalGrouping();
    return {
      kind: 'range',
      op,
      ...(param !== undefined ? { param } : {}),
      range,
      ...(grouping ? { grouping } : {}),
    };
  }

  /** The leading `N,` of `topk(5, ...)` or `quantile_over_time(0.9, ...)`, if any. */
  private parseOptionalParam(): number | undefined {
    if (this.peek().type !== 'NUMBER' || this.peek(1).type !== ',') return undefined;
    const param = this.next().value as number;
    this.next();
    return param;
  }

  private parseLogRange(): LogRange {
    const parenthesised = this.peek().type === '(';
    if (parenthesised) this.next();
    const matchers = this.parseSelector();
    let rangeNs: bigint | undefined;
    if (this.peek().type === 'RANGE') rangeNs = this.next().value as bigint;
    const { stages, unwrap } = this.parsePipeline(true);
    if (parenthesised) this.expect(')');
    if (rangeNs === undefined) {
      if (this.peek().type !== 'RANGE') throw this.unexpected();
      rangeNs = this.next().value as bigint;
    }
    let offsetNs = 0n;
    if (this.isIdent('offset')) {
      this.next();
      offsetNs = this.expect('DURATION').value as bigint;
    }
    return {
      selector: { kind: 'log', matchers, stages },
      ...(unwrap ? { unwrap } : {}),
      rangeNs,
      offsetNs,
    };
  }

  private parseOptionalGrouping(): Grouping | undefined {
    if (!this.isIdent('by') && !this.isIdent('without')) return undefined;
    const without = this.next().text === 'without';
    return { without, labels: this.parseLabelList() };
  }

  private parseVectorAggregation(): SampleExpr {
    const opTok = this.next();
    const op = opTok.text as VectorOp;
    let grouping = this.parseOptionalGrouping();
    this.expect('(');
    const param = this.parseOptionalParam();
    const inner = this.parseExpr();
    const close = this.peek();
    this.expect(')');
    grouping ??= this.parseOptionalGrouping();
    if (inner.kind === 'log') {
      throw positioned(this.query, close.pos, 'syntax error: unexpected )');
    }
    return {
      kind: 'vectorAgg',
      op,
      ...(param !== undefined ? { param } : {}),
      ...(grouping ? { grouping } : {}),
      expr: inner,
    };
  }

  private parseVector(): SampleExpr {
    this.next();
    this.expect('(');
    let sign = 1;
    if (this.peek().type === '-' || this.peek().type === '+') {
      sign = this.next().type === '-' ? -1 : 1;
    }
    const value = sign * (this.expect('NUMBER').value as number);
    this.expect(')');
    return { kind: 'vector', value };
  }

  private parseLabelReplace(): SampleExpr {
    this.next();
    this.expect('(');
    const inner = this.parseExpr();
    if (inner.kind === 'log') throw this.unexpected();
    const args: string[] = [];
    for (let i = 0; i < 4; i++) {
      this.expect(',');
      args.push(this.expect('STRING').value as string);
    }
    this.expect(')');
    const [dst, replacement, src, regex] = args as [string, string, string, string];
    return { kind: 'labelReplace', expr: inner, dst, replacement, src, regex };
  }
}

function tokenName(t: Token): string {
  if (t.type === '$end') return '$end';
  if (t.type === 'IDENTIFIER') {
    return /^(by|without|bool|on|ignoring|group_left|group_right|offset|unwrap|or|and|unless|json|logfmt|regexp|pattern|unpack|line_format|label_format|drop|keep|decolorize|ip|vector|label_replace)$/.test(
      t.text,
    ) ||
      RANGE_OPS.has(t.text) ||
      VECTOR_OPS.has(t.text)
      ? t.text
      : 'IDENTIFIER';
  }
  return /^[A-Z]+$/.test(t.type) ? t.type : t.text;
}
