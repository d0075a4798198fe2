import { compileGoRegexp } from '../../../common/go-regexp.js';
import type { LineFilterExpr } from '../ast.js';
import { LogqlParseError } from '../errors.js';
import { lineHasIpInRange, parseIpPattern } from '../ip.js';
import { compilePattern, testPattern } from '../pattern.js';
import type { Stage } from './stage.js';

export type LinePredicate = (line: string) => boolean;

/** A line filter as a predicate with Loki 3.0 semantics; `or` alternatives hold when any does. */
export function compileLineFilter(f: LineFilterExpr): LinePredicate {
  const negative = f.op[0] === '!';
  const tests = f.values.map((v) => compileOne(f.op, v.ip, v.value));
  // `!= "" ` keeps nothing: every line contains the empty string.
  const any: LinePredicate = tests.length === 1 ? tests[0]! : (line) => tests.some((t) => t(line));
  return negative ? (line) => !any(line) : any;
}

function compileOne(op: LineFilterExpr['op'], ip: boolean, value: string): LinePredicate {
  if (ip) {
    const range = parseIpPattern(value);
    if (!range) {
      throw new LogqlParseError(`stage '${op} ip("${value}")' : invalid ip range "${value}"`);
    }
    return (line) => lineHasIpInRange(range, line);
  }
  switch (op) {
    case '|=':
    case '!=':
      return (line) => line.includes(value);
    case '|~':
    case '!~': {
      let re: RegExp;
      try {
        re = compileGoRegexp(value).regex;
      } catch (err) {
        throw new LogqlParseError(
          `stage '${op} ${JSON.stringify(value)}' : ${(err as Error).message}`,
        );
      }
      return (line) => re.test(line);
    }
    case '|>':
    case '!>': {
      // A filter pattern needs no named capture (`<_>` alone is fine).
      const nodes = compilePattern(value, false);
      return (line) => testPattern(nodes, line);
    }
  }
}

export function lineFilterStage(f: LineFilterExpr): Stage {
  const test = compileLineFilter(f);
  return { process: (_ts, line) => (test(line) ? line : null) };
}
