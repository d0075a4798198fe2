import { COMPARISON_OPS, SET_OPS, VALUE_TYPE_NAMES, type Expr, type ValueType } from './ast.js';
import { parseError } from './errors.js';
import { FUNCTIONS } from './functions-spec.js';
import { matchesEmpty } from '../../common/label-matcher.js';

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

/**
 * Prometheus's checkAST: the type checks that run after a successful parse,
 * depth first, reporting the first problem with its position. It also
 * settles set operators on many-to-many matching and drops matching between
 * non-vectors, as Prometheus does.
 */
export function checkAST(input: string, root: Expr): void {
  const fail = (pos: number | undefined, msg: string): never => {
    throw parseError(input, pos ?? 0, msg);
  };
  const expectType = (e: Expr, want: ValueType, context: string): void => {
    const got = check(e);
    if (got !== want) {
      fail(
        e.pos,
        `expected type ${VALUE_TYPE_NAMES[want]} in ${context}, got ${VALUE_TYPE_NAMES[got]}`,
      );
    }
  };
  const check = (e: Expr): ValueType => {
    switch (e.kind) {
      case 'number':
      case 'string':
        break;
      case 'paren':
        check(e.expr);
        break;
      case 'unary': {
        const t = check(e.expr);
        if (t !== 'scalar' && t !== 'vector') {
          fail(
            e.pos,
            `unary expression only allowed on expressions of type scalar or instant vector, got "${VALUE_TYPE_NAMES[t]}"`,
          );
        }
        break;
      }
      case 'vectorSelector': {
        if (e.name !== undefined) {
          for (const m of e.matchers.slice(0, -1)) {
            if (m.name === '__name__') {
              fail(e.pos, `metric name must not be set twice: "${e.name}" or "${m.value}"`);
            }
          }
          break;
        }
        if (e.matchers.every(matchesEmpty)) {
          fail(e.pos, 'vector selector must contain at least one non-empty matcher');
        }
        break;
      }
      case 'matrixSelector':
        check(e.selector);
        break;
      case 'subquery': {
        const t = check(e.expr);
        if (t !== 'vector')
          fail(e.pos, `subquery is only allowed on instant vector, got ${t} instead`);
        break;
      }
      case 'call': {
        const spec = FUNCTIONS.get(e.func)!;
        const n = spec.args.length;
        const got = e.args.length;
        if (spec.variadic === 0) {
          if (n !== got)
            fail(e.pos, `expected ${n} argument(s) in call to "${e.func}", got ${got}`);
        } else {
          const min = n - 1;
          if (min > got) {
            fail(e.pos, `expected at least ${min} argument(s) in call to "${e.func}", got ${got}`);
          } else if (spec.variadic > 0 && min + spec.variadic < got) {
            fail(
              e.pos,
              `expected at most ${min + spec.variadic} argument(s) in call to "${e.func}", got ${got}`,
            );
          }
        }
        e.args.forEach((arg, i) => {
          if (i >= n && spec.variadic === 0) return;
          expectType(arg, spec.args[Math.min(i, n - 1)]!, `call to function "${e.func}"`);
        });
        break;
      }
      case 'aggregate':
        expectType(e.expr, 'vector', 'aggregation expression');
        if (e.op === 'topk' || e.op === 'bottomk' || e.op === 'quantile') {
          expectType(e.param!, 'scalar', 'aggregation parameter');
        }
        if (e.op === 'count_values') expectType(e.param!, 'string', 'aggregation parameter');
        break;
      case 'binary': {
        const lt = check(e.lhs);
        const rt = check(e.rhs);
        const m = e.matching;
        if (e.returnBool && !COMPARISON_OPS.has(e.op)) {
          fail(e.opPos, 'bool modifier can only be used on comparison operators');
        }
        if (COMPARISON_OPS.has(e.op) && !e.returnBool && lt === 'scalar' && rt === 'scalar') {
          fail(e.opPos, 'comparisons between scalars must use BOOL modifier');
        }
        if (m && SET_OPS.has(e.op) && m.card === 'one-to-one') m.card = 'many-to-many';
        if (m?.on) {
          for (const l of m.include) {
            if (m.labels.includes(l)) {
              fail(e.opPos, `label "${l}" must not occur in ON and GROUP clause at once`);
            }
          }
        }
        if (lt !== 'scalar' && lt !== 'vector') {
          fail(e.lhs.pos, 'binary expression must contain only scalar and instant vector types');
        }
        if (rt !== 'scalar' && rt !== 'vector') {
          fail(e.rhs.pos, 'binary expression must contain only scalar and instant vector types');
        }
        if ((lt !== 'vector' || rt !== 'vector') && m) {
          if (m.labels.length > 0)
            fail(e.pos, 'vector matching only allowed between instant vectors');
          e.matching = undefined;
        } else if (m && SET_OPS.has(e.op)) {
          if (m.card === 'one-to-many' || m.card === 'many-to-one') {
            fail(e.pos, `no grouping allowed for "${e.op}" operation`);
          }
        }
        if ((lt === 'scalar' || rt === 'scalar') && SET_OPS.has(e.op)) {
          fail(e.pos, `set operator "${e.op}" not allowed in binary scalar expression`);
        }
        break;
      }
    }
    return typeOf(e);
  };
  check(root);
}
