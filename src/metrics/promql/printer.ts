import { formatPromDuration } from '../../common/duration.js';
import type { AggregateExpr, AtModifier, BinaryExpr, Expr, VectorSelector } from './ast.js';
import { formatGoFloat } from '../../common/go-fmt.js';
import { goQuote } from '../../common/go-quote.js';
import { parsePromQL } from './parser.js';

function atString(at: AtModifier | undefined): string {
  if (!at) return '';
  if (at.kind === 'start') return ' @ start()';
  if (at.kind === 'end') return ' @ end()';
  return ` @ ${(at.ms / 1000).toFixed(3)}`;
}

function offsetString(ms: number): string {
  if (ms > 0) return ` offset ${formatPromDuration(ms)}`;
  if (ms < 0) return ` offset -${formatPromDuration(-ms)}`;
  return '';
}

function selectorBody(vs: VectorSelector): string {
  const parts: string[] = [];
  for (const m of vs.matchers) {
    if (m.name === '__name__' && m.type === '=' && m.value === vs.name && m.value !== '') continue;
    parts.push(`${m.name}${m.type}${goQuote(m.value)}`);
  }
  const name = vs.name ?? '';
  if (parts.length === 0) return name;
  parts.sort();
  return `${name}{${parts.join(',')}}`;
}

function aggregatePrefix(e: AggregateExpr): string {
  if (e.without) return `${e.op} without (${e.grouping.join(', ')}) `;
  if (e.grouping.length > 0) return `${e.op} by (${e.grouping.join(', ')}) `;
  return e.op;
}

function matchingString(e: BinaryExpr): string {
  const vm = e.matching;
  if (!vm || (vm.labels.length === 0 && !vm.on)) return '';
  let s = ` ${vm.on ? 'on' : 'ignoring'} (${vm.labels.join(', ')})`;
  if (vm.card === 'many-to-one' || vm.card === 'one-to-many') {
    s += ` group_${vm.card === 'many-to-one' ? 'left' : 'right'} (${vm.include.join(', ')})`;
  }
  return s;
}

/** An expression as Prometheus's Expr.String() prints it. */
export function exprString(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return formatGoFloat(e.value);
    case 'string':
      return goQuote(e.value);
    case 'vectorSelector':
      return selectorBody(e) + atString(e.at) + offsetString(e.offsetMs);
    case 'matrixSelector':
      return `${selectorBody(e.selector)}[${formatPromDuration(e.rangeMs)}]${atString(e.selector.at)}${offsetString(e.selector.offsetMs)}`;
    case 'subquery':
      return `${exprString(e.expr)}${subquerySuffix(e)}`;
    case 'call':
      return `${e.func}(${e.args.map(exprString).join(', ')})`;
    case 'aggregate': {
      const param = e.param ? `${exprString(e.param)}, ` : '';
      return `${aggregatePrefix(e)}(${param}${exprString(e.expr)})`;
    }
    case 'binary':
      return `${exprString(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${matchingString(e)} ${exprString(e.rhs)}`;
    case 'unary':
      return `${e.op}${exprString(e.expr)}`;
    case 'paren':
      return `(${exprString(e.expr)})`;
  }
}

function subquerySuffix(e: Extract<Expr, { kind: 'subquery' }>): string {
  const step = e.stepMs > 0 ? formatPromDuration(e.stepMs) : '';
  return `[${formatPromDuration(e.rangeMs)}:${step}]${atString(e.at)}${offsetString(e.offsetMs)}`;
}

const MAX_LINE = 100;

function indent(level: number): string {
  return '  '.repeat(level);
}

/** Prometheus's Pretty(level): one line when it fits in 100 characters, else split per node. */
export function prettyExpr(e: Expr, level = 0): string {
  const flat = exprString(e);
  const fits = flat.length <= MAX_LINE;
  switch (e.kind) {
    case 'aggregate': {
      if (fits) return indent(level) + flat;
      let s = `${indent(level)}${aggregatePrefix(e)}(\n`;
      if (e.param) s += `${prettyExpr(e.param, level + 1)},\n`;
      return `${s}${prettyExpr(e.expr, level + 1)}\n${indent(level)})`;
    }
    case 'binary': {
      if (fits) return indent(level) + flat;
      return `${prettyExpr(e.lhs, level + 1)}\n${indent(level)}${e.op}${e.returnBool ? ' bool' : ''}${matchingString(e)}\n${prettyExpr(e.rhs, level + 1)}`;
    }
    case 'call': {
      if (fits) return indent(level) + flat;
      const args = e.args.map((a) => prettyExpr(a, level + 1)).join(',\n');
      return `${indent(level)}${e.func}(\n${args}\n${indent(level)})`;
    }
    case 'paren':
      if (fits) return indent(level) + flat;
      return `${indent(level)}(\n${prettyExpr(e.expr, level + 1)}\n${indent(level)})`;
    case 'subquery':
      // Prometheus prints an unsplit subquery without its indent; kept for identical output.
      if (fits) return flat;
      return prettyExpr(e.expr, level) + subquerySuffix(e);
    case 'unary':
      return `${indent(level)}${e.op}${prettyExpr(e.expr, level).trim()}`;
    default:
      return indent(level) + flat;
  }
}

/** What /api/v1/format_query answers for an expression. */
export function formatQuery(expr: string): string {
  return prettyExpr(parsePromQL(expr));
}
