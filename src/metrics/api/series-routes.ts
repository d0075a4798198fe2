import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sortLabels, type LabelMatcher, type Labels } from '../../common/labels.js';
import { ApiError, Params, respondData, respondError } from './http.js';
import {
  MAX_TIME_MS,
  MIN_TIME_MS,
  limitParam,
  matcherSets,
  requireMatch,
  timeParam,
} from './params.js';
import type { PrometheusApiDeps } from './types.js';
import { seriesKey } from '../storage/index.js';

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TRUNCATED = 'results truncated due to limit';

/** /api/v1/series, /api/v1/labels and /api/v1/label/<name>/values. */
export function registerSeriesRoutes(app: FastifyInstance, deps: PrometheusApiDeps): void {
  const both = (url: string, h: (req: FastifyRequest, reply: FastifyReply) => Promise<void>) => {
    app.get(url, h);
    app.post(url, h);
  };

  both('/api/v1/series', async (req, reply) => {
    try {
      const p = new Params(req);
      if (p.getAll('match[]').length === 0) {
        throw new ApiError('bad_data', 'no match[] parameter provided');
      }
      const start = timeParam(p, 'start', MIN_TIME_MS);
      const end = timeParam(p, 'end', MAX_TIME_MS);
      const sets = requireMatch(p);
      const limit = limitParam(p);
      const q = await deps.store.querier(start, end);
      try {
        const seen = new Map<string, Labels>();
        for (const set of sets) {
          for (const s of await q.select(set, { startMs: start, endMs: end, func: 'series' })) {
            seen.set(seriesKey(s.labels), s.labels);
          }
        }
        const keys = [...seen.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        let data = keys.map((k) => sortLabels(seen.get(k)!));
        const warnings: string[] = [];
        if (limit > 0 && data.length > limit) {
          data = data.slice(0, limit);
          warnings.push(TRUNCATED);
        }
        respondData(reply, data, warnings);
      } finally {
        await q.close();
      }
    } catch (err) {
      respondError(reply, err);
    }
  });

  both('/api/v1/labels', async (req, reply) => {
    try {
      const p = new Params(req);
      const start = timeParam(p, 'start', MIN_TIME_MS);
      const end = timeParam(p, 'end', MAX_TIME_MS);
      const sets = matcherSets(p.getAll('match[]'));
      const limit = limitParam(p);
      const names = await collect(deps, start, end, sets, (q, m) => q.labelNames(m));
      respondLimited(reply, names, limit);
    } catch (err) {
      respondError(reply, err);
    }
  });

  app.get<{ Params: { name: string } }>('/api/v1/label/:name/values', async (req, reply) => {
    try {
      const name = req.params.name;
      if (!LABEL_NAME_RE.test(name)) {
        throw new ApiError('bad_data', `invalid label name: ${JSON.stringify(name)}`);
      }
      const p = new Params(req);
      const start = timeParam(p, 'start', MIN_TIME_MS);
      const end = timeParam(p, 'end', MAX_TIME_MS);
      const sets = matcherSets(p.getAll('match[]'));
      const limit = limitParam(p);
      const values = await collect(deps, start, end, sets, (q, m) => q.labelValues(name, m));
      respondLimited(reply, values, limit);
    } catch (err) {
      respondError(reply, err);
    }
  });
}

type Q = Awaited<ReturnType<PrometheusApiDeps['store']['querier']>>;

async function collect(
  deps: PrometheusApiDeps,
  start: number,
  end: number,
  sets: LabelMatcher[][],
  fn: (q: Q, m?: LabelMatcher[]) => Promise<string[]>,
): Promise<string[]> {
  const q = await deps.store.querier(start, end);
  try {
    if (sets.length === 0) return await fn(q);
    const all = new Set<string>();
    for (const set of sets) for (const v of await fn(q, set)) all.add(v);
    return [...all].sort();
  } finally {
    await q.close();
  }
}

function respondLimited(reply: FastifyReply, data: string[], limit: number): void {
  if (limit > 0 && data.length > limit) respondData(reply, data.slice(0, limit), [TRUNCATED]);
  else respondData(reply, data);
}
