import { isDeepStrictEqual } from 'node:util';
import { exprPos, type Expr } from '../syntax/index.js';
import { EvalError } from './eval-error.js';
import { typeName } from './stdlib.js';

/**
 * Evaluates an Alloy expression. `scope` holds the standard library and
 * the exports of components by path (`loki.process.main` → its exports).
 */
export function evaluate(expr: Expr, scope: Record<string, unknown>): unknown {
  switch (expr.type) {
    case 'literal':
      return expr.value;
    case 'paren':
      return evaluate(expr.inner, scope);
    case 'ident':
      if (!Object.hasOwn(scope, expr.name)) {
        throw new EvalError(expr.pos, `identifier "${expr.name}" does not exist`);
      }
      return scope[expr.name];
    case 'access': {
      const base = evaluate(expr.value, scope);
      if (typeName(base) !== 'object' && typeName(base) !== 'capsule') {
        throw new EvalError(
          exprPos(expr.value),
          `${typeName(base)} does not support field access (.${expr.name})`,
        );
      }
      const obj = base as Record<string, unknown>;
      // An object's own keys only: `{}.constructor` must not reach JavaScript's prototype.
      const has = typeName(base) === 'object' ? Object.hasOwn(obj, expr.name) : expr.name in obj;
      if (!has) {
        throw new EvalError(expr.pos, `field "${expr.name}" does not exist`);
      }
      return obj[expr.name];
    }
    case 'index': {
      const base = evaluate(expr.value, scope);
      const index = evaluate(expr.index, scope);
      if (Array.isArray(base)) {
        if (typeof index !== 'number' || !Number.isInteger(index)) {
          throw new EvalError(exprPos(expr.index), `expected number, got ${typeName(index)}`);
        }
        if (index < 0 || index >= base.length) {
          throw new EvalError(
            exprPos(expr.index),
            `index ${index} is out of range of array with length ${base.length}`,
          );
        }
        return base[index];
      }
      if (typeName(base) === 'object') {
        if (typeof index !== 'string') {
          throw new EvalError(exprPos(expr.index), `expected string, got ${typeName(index)}`);
        }
        return (base as Record<string, unknown>)[index] ?? null;
      }
      throw new EvalError(exprPos(expr.value), `expected object or array, got ${typeName(base)}`);
    }
    case 'call': {
      const fn = evaluate(expr.fn, scope);
      if (typeof fn !== 'function') {
        throw new EvalError(exprPos(expr.fn), `${typeName(fn)} is not a function`);
      }
      const args = expr.args.map((a) => evaluate(a, scope));
      try {
        return (fn as (...a: unknown[]) => unknown)(...args);
      } catch (err) {
        throw new EvalError(exprPos(expr.fn), (err as Error).message);
      }
    }
    case 'array':
      return expr.elements.map((e) => evaluate(e, scope));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const f of expr.fields) out[f.name] = evaluate(f.value, scope);
      return out;
    }
    case 'unary': {
      const v = evaluate(expr.value, scope);
      if (expr.op === '!') {
        if (typeof v !== 'boolean')
          throw new EvalError(expr.pos, `expected bool, got ${typeName(v)}`);
        return !v;
      }
      if (typeof v !== 'number')
        throw new EvalError(expr.pos, `expected number, got ${typeName(v)}`);
      return -v;
    }
    case 'binary':
      return binary(expr, scope);
  }
}

function binary(expr: Extract<Expr, { type: 'binary' }>, scope: Record<string, unknown>): unknown {
  const left = evaluate(expr.left, scope);
  if (expr.op === '||' || expr.op === '&&') {
    if (typeof left !== 'boolean') {
      throw new EvalError(exprPos(expr.left), `expected bool, got ${typeName(left)}`);
    }
    if (expr.op === '||' ? left : !left) return left;
    const right = evaluate(expr.right, scope);
    if (typeof right !== 'boolean') {
      throw new EvalError(exprPos(expr.right), `expected bool, got ${typeName(right)}`);
    }
    return right;
  }
  const right = evaluate(expr.right, scope);
  if (expr.op === '==') return isDeepStrictEqual(left, right);
  if (expr.op === '!=') return !isDeepStrictEqual(left, right);
  if (expr.op === '+' && typeof left === 'string' && typeof right === 'string') return left + right;
  const ordered = ['<', '<=', '>', '>='].includes(expr.op);
  if (ordered && typeof left === 'string' && typeof right === 'string') {
    return compare(expr.op, left < right ? -1 : left > right ? 1 : 0);
  }
  if (typeof left !== 'number') {
    throw new EvalError(exprPos(expr.left), `expected number, got ${typeName(left)}`);
  }
  if (typeof right !== 'number') {
    throw new EvalError(exprPos(expr.right), `expected number, got ${typeName(right)}`);
  }
  switch (expr.op) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return left / right;
    case '%':
      return left % right;
    case '^':
      return left ** right;
    default:
      return compare(expr.op, left - right);
  }
}

function compare(op: string, diff: number): boolean {
  if (op === '<') return diff < 0;
  if (op === '<=') return diff <= 0;
  if (op === '>') return diff > 0;
  return diff >= 0;
}
