import { parseLogQL } from './engine.js';
import { LogqlParseError } from './errors.js';
import { streamPipeline, type StreamPipeline } from './pipeline.js';

/**
 * The pipeline `/loki/api/v1/tail` runs over live entries: matchers and
 * line filters for the feed, and `process` for the rest. Metric queries are
 * refused, as Loki's tail refuses them.
 */
export function compileLogPipeline(query: string): StreamPipeline {
  const expr = parseLogQL(query);
  if (expr.kind !== 'log') {
    throw new LogqlParseError('tail requires a log query, not a metric query');
  }
  return streamPipeline(expr.matchers, expr.stages);
}
