export type { Expr, ValueType } from './ast.js';
export { PromQLError, type PromQLErrorType } from './errors.js';
export { parsePromQL, parseSeriesSelector } from './parser.js';
export { formatQuery } from './printer.js';
export { formatSampleValue } from './format-value.js';
export {
  PromQLEngine,
  type EngineOptions,
  type QueryData,
  type QueryOptions,
  type HistogramJson,
  type HistogramPair,
  type MatrixSeries,
  type VectorSample,
  type SamplePair,
} from './engine.js';
export { matcherTest as labelMatcherTest } from './matcher.js';
