import type { CompareOp, LabelFilterExpr } from '../ast.js';
import { ipInRange, parseIpPattern } from '../ip.js';
import type { LabelsBuilder } from '../labels-builder.js';
import { compileLokiLabelRegex } from '../label-regex.js';
import { compileLabelMatcher } from '../../../common/label-matcher.js';
import { LogqlParseError } from '../errors.js';
import {
  goDurationError,
  goFloatError,
  parseBytesOrError,
  parseGoDurationSeconds,
  parseGoFloat,
} from '../units.js';
import type { Stage } from './stage.js';

const LABEL_FILTER_ERROR = 'LabelFilterErr';

type Filter = (lbs: LabelsBuilder) => boolean;

/** `| status >= 500 and method="GET"`: Loki's label filters, including their error rules. */
export function labelFilterStage(expr: LabelFilterExpr): Stage {
  const f = compileLabelFilter(expr);
  return { process: (_ts, line, lbs) => (f(lbs) ? line : null) };
}

export function compileLabelFilter(expr: LabelFilterExpr): Filter {
  switch (expr.kind) {
    case 'and': {
      const l = compileLabelFilter(expr.left);
      const r = compileLabelFilter(expr.right);
      // Both sides run, so that an error on the right is still recorded.
      return (lbs) => {
        const a = l(lbs);
        const b = r(lbs);
        return a && b;
      };
    }
    case 'or': {
      const l = compileLabelFilter(expr.left);
      const r = compileLabelFilter(expr.right);
      return (lbs) => l(lbs) || r(lbs);
    }
    case 'string': {
      const m = expr.matcher;
      const test =
        m.type === '=~' || m.type === '!~'
          ? negateIf(m.type === '!~', compileLokiLabelRegex(m.value))
          : compileLabelMatcher(m);
      const name = expr.matcher.name;
      return (lbs) => test(lbs.get(name) ?? '');
    }
    case 'ip': {
      const range = parseIpPattern(expr.cidr);
      if (!range) throw new LogqlParseError(`invalid ip range "${expr.cidr}"`);
      const want = expr.op === '=';
      return (lbs) => {
        const v = lbs.get(expr.name);
        if (v === undefined) return false;
        return ipInRange(range, v) === want;
      };
    }
    case 'number':
      return numericFilter(expr.name, expr.op, expr.value, (v) => {
        const n = parseGoFloat(v);
        return n === undefined ? goFloatError(v) : n;
      });
    case 'duration':
      return numericFilter(expr.name, expr.op, expr.value, (v) => {
        const n = parseGoDurationSeconds(v);
        return n === undefined ? goDurationError(v) : n;
      });
    case 'bytes':
      return numericFilter(expr.name, expr.op, expr.value, parseBytesOrError);
  }
}

function numericFilter(
  name: string,
  op: CompareOp,
  want: number,
  convert: (v: string) => number | string,
): Filter {
  const cmp = comparator(op);
  return (lbs) => {
    const v = lbs.get(name);
    if (v === undefined) return false;
    const n = convert(v);
    if (typeof n === 'string') {
      lbs.setErr(LABEL_FILTER_ERROR, n);
      return true;
    }
    return cmp(n, want);
  };
}

function comparator(op: CompareOp): (a: number, b: number) => boolean {
  switch (op) {
    case '==':
      return (a, b) => a === b;
    case '!=':
      return (a, b) => a !== b;
    case '>':
      return (a, b) => a > b;
    case '>=':
      return (a, b) => a >= b;
    case '<':
      return (a, b) => a < b;
    case '<=':
      return (a, b) => a <= b;
  }
}

function negateIf(negate: boolean, f: (v: string) => boolean): (v: string) => boolean {
  return negate ? (v) => !f(v) : f;
}
