import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LogReader } from '../reader.js';
import { LogqlParseError, LogqlRequestError } from '../logql/index.js';
import { registerIndexRoutes } from './index-routes.js';
import { registerLabelRoutes } from './label-routes.js';
import { paramsOf, type Params } from './params.js';
import { QuerySlots } from './query-slots.js';
import { registerQueryRoutes } from './query-routes.js';

export interface LokiQueryLimits {
  maxEntriesLimitPerQuery: number;
  maxQuerySeries: number;
  queryTimeoutMs: number;
  maxQueryLookbackMs?: number;
  /** Points per series a range query may ask for (Loki: 11000). */
  maxPointsPerSeries?: number;
}

export interface QueryApiDeps {
  reader: LogReader;
  limits: LokiQueryLimits;
  now?: () => bigint;
  /** Queries run at once (Loki's `querier.max_concurrent`); the rest wait. Unset: no bound. */
  maxConcurrent?: number;
}

/** One route's work: it gets the request parameters and returns the JSON body. */
export type RouteHandler = (
  p: Params,
  signal: AbortSignal,
  path: Record<string, string>,
) => Promise<unknown>;

const FORM = 'application/x-www-form-urlencoded';

/**
 * Loki's read API: `/loki/api/v1/query`, `/query_range`, `/labels`,
 * `/label/:name/values`, `/series`, `/index/stats`, `/index/volume` and
 * `/index/volume_range`, GET and form POST, with Loki's JSON and errors.
 */
export function registerLokiQueryApi(app: FastifyInstance, deps: QueryApiDeps): void {
  if (!app.hasContentTypeParser(FORM)) {
    app.addContentTypeParser(FORM, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  }
  const now = deps.now ?? (() => BigInt(Date.now()) * 1000000n);
  const slots = deps.maxConcurrent === undefined ? undefined : new QuerySlots(deps.maxConcurrent);
  const route = (path: string, handler: RouteHandler): void => {
    const run = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      const controller = new AbortController();
      // Time spent waiting for a slot counts, as time in Loki's queue does.
      const timer = setTimeout(() => controller.abort(), deps.limits.queryTimeoutMs);
      try {
        const path = (req.params ?? {}) as Record<string, string>;
        const answer = (): Promise<unknown> =>
          handler(paramsOf(req.url, req.body), controller.signal, path);
        const body = await (slots ? slots.run(controller.signal, answer) : answer());
        return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
      } catch (err) {
        const [status, message] = errorReply(err, controller.signal.aborted);
        return reply
          .code(status)
          .type('text/plain; charset=utf-8')
          .send(message + '\n');
      } finally {
        clearTimeout(timer);
      }
    };
    app.get(path, run);
    app.post(path, run);
  };
  const ctx = { ...deps, now };
  registerQueryRoutes(route, ctx);
  registerLabelRoutes(route, ctx);
  registerIndexRoutes(route, ctx);
}

function errorReply(err: unknown, timedOut: boolean): [number, string] {
  if (err instanceof LogqlParseError) return [400, err.message];
  if (err instanceof LogqlRequestError) return [err.status, err.message];
  if (timedOut) return [504, 'context deadline exceeded'];
  return [500, err instanceof Error ? err.message : String(err)];
}

export type QueryApiContext = QueryApiDeps & { now: () => bigint };
export { compileLogPipeline } from '../logql/index.js';
