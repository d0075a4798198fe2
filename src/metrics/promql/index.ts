/**
 * PromQL as Prometheus 2.52 evaluates it: a parser with Prometheus's error
 * messages and positions (parser.ts, lexer.ts, check.ts), format_query's
 * pretty printer (printer.ts), and an engine (engine.ts, evaluator.ts) that
 * reads samples only through the Queryable seam and answers in the HTTP
 * API's `data` shapes, with --query.lookback-delta, --query.timeout,
 * --query.max-samples and cancellation.
 */
export type { Expr, ValueType } from './ast.js';
export { PromQLError, type PromQLErrorType } from './errors.js';
export { parsePromQL, parseSeriesSelector } from './parser.js';
export { formatQuery } from './printer.js';
export { formatSampleValue } from '../../common/sample-value.js';
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
export { compileLabelMatcher as labelMatcherTest } from '../../common/label-matcher.js';
