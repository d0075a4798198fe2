import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PromQLError, formatQuery, parsePromQL } from '../promql/index.js';
import { ApiError, Params, invalidParam, messageOf, respondData, respondError } from './http.js';
import { MAX_TIME_MS, MIN_TIME_MS, parseDuration, parseTime, timeParam } from './params.js';
import type { PrometheusApiDeps } from './types.js';

const MAX_POINTS = 11000;

/** /api/v1/query, query_range, format_query and query_exemplars. */
export function registerQueryRoutes(app: FastifyInstance, deps: PrometheusApiDeps): void {
  const both = (url: string, h: (req: FastifyRequest, reply: FastifyReply) => Promise<void>) => {
    app.get(url, h);
    app.post(url, h);
  };

  both('/api/v1/query', async (req, reply) => {
    await handle(reply, async () => {
      const p = new Params(req);
      const time = timeParam(p, 'time', Date.now());
      const query = p.get('query');
      parseQuery(query);
      const opts = { timeoutMs: timeoutParam(p) };
      return run(req, (signal) => deps.engine.instantQuery(deps.store, query, time, signal, opts));
    });
  });

  both('/api/v1/query_range', async (req, reply) => {
    await handle(reply, async () => {
      const p = new Params(req);
      const start = parseOr('start', () => parseTime(p.get('start')));
      const end = parseOr('end', () => parseTime(p.get('end')));
      if (end < start) throw invalidParam('end', 'end timestamp must not be before start time');
      const step = parseOr('step', () => parseDuration(p.get('step')));
      if (step <= 0) {
        throw invalidParam(
          'step',
          'zero or negative query resolution step widths are not accepted. Try a positive integer',
        );
      }
      if ((end - start) / step > MAX_POINTS) {
        throw new ApiError(
          'bad_data',
          'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
        );
      }
      const query = p.get('query');
      parseQuery(query);
      const opts = { timeoutMs: timeoutParam(p) };
      return run(req, (signal) =>
        deps.engine.rangeQuery(deps.store, query, start, end, step, signal, opts),
      );
    });
  });

  both('/api/v1/format_query', async (req, reply) => {
    await handle(reply, async () => {
      const query = new Params(req).get('query');
      try {
        return formatQuery(query);
      } catch (err) {
        throw invalidParam('query', err);
      }
    });
  });

  both('/api/v1/query_exemplars', async (req, reply) => {
    await handle(reply, async () => {
      const p = new Params(req);
      const start = timeParam(p, 'start', MIN_TIME_MS);
      const end = timeParam(p, 'end', MAX_TIME_MS);
      if (end < start) throw invalidParam('end', 'end timestamp must not be before start time');
      parseQuery(p.get('query'));
      // obs stores no exemplars; Prometheus answers the same when none were ingested.
      return [];
    });
  });
}

export async function handle(reply: FastifyReply, fn: () => Promise<unknown>): Promise<void> {
  try {
    respondData(reply, await fn());
  } catch (err) {
    respondError(reply, err);
  }
}

function parseOr<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw invalidParam(name, err);
  }
}

function parseQuery(query: string): void {
  try {
    parsePromQL(query);
  } catch (err) {
    throw invalidParam('query', err);
  }
}

function timeoutParam(p: Params): number | undefined {
  const s = p.get('timeout');
  return s === '' ? undefined : parseOr('timeout', () => parseDuration(s));
}

/**
 * Runs a query, cancelling it when the client goes away; the engine applies
 * the smaller of --query.timeout and `timeout` itself. Failures map to
 * Prometheus's errorTypes (bad_data, execution, timeout, canceled...).
 */
async function run(
  req: FastifyRequest,
  exec: (signal: AbortSignal) => Promise<unknown>,
): Promise<unknown> {
  const ctrl = new AbortController();
  const onClose = (): void => {
    if (!req.raw.complete || req.raw.destroyed) ctrl.abort();
  };
  req.raw.socket?.once('close', onClose);
  try {
    return await exec(ctrl.signal);
  } catch (err) {
    if (err instanceof PromQLError) throw new ApiError(err.type, err.message);
    if (ctrl.signal.aborted) throw new ApiError('canceled', 'query was canceled');
    throw new ApiError('execution', messageOf(err));
  } finally {
    req.raw.socket?.off('close', onClose);
  }
}
