import type { ValueType } from './ast.js';

/**
 * A function's signature as Prometheus's parser.Functions has it: `variadic`
 * 0 means exactly `args`; n > 0 up to n optional trailing args of the last
 * type; -1 any number of them.
 */
export interface FunctionSpec {
  args: ValueType[];
  variadic: number;
  returns: ValueType;
}

const v = 'vector';
const m = 'matrix';
const s = 'scalar';
const str = 'string';

function spec(args: ValueType[], returns: ValueType, variadic = 0): FunctionSpec {
  return { args, variadic, returns };
}

const MATH = [
  'abs',
  'acos',
  'acosh',
  'asin',
  'asinh',
  'atan',
  'atanh',
  'ceil',
  'cos',
  'cosh',
  'deg',
  'exp',
  'floor',
  'ln',
  'log10',
  'log2',
  'rad',
  'sgn',
  'sin',
  'sinh',
  'sqrt',
  'tan',
  'tanh',
  'histogram_avg',
  'histogram_count',
  'histogram_sum',
  'histogram_stddev',
  'histogram_stdvar',
];
const OVER_TIME = [
  'avg_over_time',
  'count_over_time',
  'last_over_time',
  'mad_over_time',
  'max_over_time',
  'min_over_time',
  'present_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'sum_over_time',
  'absent_over_time',
  'changes',
  'delta',
  'deriv',
  'idelta',
  'increase',
  'irate',
  'rate',
  'resets',
];
const TIME_PARTS = [
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'days_in_month',
  'hour',
  'minute',
  'month',
  'year',
];

export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ...MATH.map((name): [string, FunctionSpec] => [name, spec([v], v)]),
  ...OVER_TIME.map((name): [string, FunctionSpec] => [name, spec([m], v)]),
  ...TIME_PARTS.map((name): [string, FunctionSpec] => [name, spec([v], v, 1)]),
  ['absent', spec([v], v)],
  ['clamp', spec([v, s, s], v)],
  ['clamp_max', spec([v, s], v)],
  ['clamp_min', spec([v, s], v)],
  ['histogram_fraction', spec([s, s, v], v)],
  ['histogram_quantile', spec([s, v], v)],
  ['holt_winters', spec([m, s, s], v)],
  ['label_join', spec([v, str, str, str], v, -1)],
  ['label_replace', spec([v, str, str, str, str], v)],
  ['pi', spec([], s)],
  ['predict_linear', spec([m, s], v)],
  ['quantile_over_time', spec([s, m], v)],
  ['round', spec([v, s], v, 1)],
  ['scalar', spec([v], s)],
  ['sort', spec([v], v)],
  ['sort_desc', spec([v], v)],
  ['sort_by_label', spec([v, str], v, -1)],
  ['sort_by_label_desc', spec([v, str], v, -1)],
  ['time', spec([], s)],
  ['timestamp', spec([v], v)],
  ['vector', spec([s], v)],
]);
