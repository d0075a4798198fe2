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
