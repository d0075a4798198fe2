/**
 * The LogQL engine (Loki 3.0 semantics). A query is parsed into a typed AST
 * (parser.ts, Loki's messages and positions), validated as Loki validates
 * it, then run against a LogReader: selectors, leading line filters and
 * count/bytes aggregations are pushed into storage; parsers, label filters
 * and formatting run here as a chain of stages (stages/); metric queries are
 * evaluated step by step (metric/). Where Loki 3.0.0's answers carry quirks of
 * its query frontend (split-query merge, sharded averages, simplified label
 * regexes), they are reproduced and marked as such.
 */
export type * from './ast.js';
export { parseLogQL, runQuery, stepTimes, type QueryRequest, type QueryResult } from './engine.js';
export {
  LogqlParseError,
  LogqlPipelineError,
  LogqlRequestError,
  LogqlTimeoutError,
} from './errors.js';
export type { LogQueryStats, LogStreamResult } from './log-query.js';
export { compileLineFilter } from './stages/line-filter.js';
export { streamPipeline, type StreamPipeline } from './pipeline.js';
export { compileLogPipeline } from './tail-pipeline.js';
export { parseMatchers } from './selector.js';
