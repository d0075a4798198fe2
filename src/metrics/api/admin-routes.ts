import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, Params, respondData, respondError } from './http.js';
import { MAX_TIME_MS, MIN_TIME_MS, requireMatch, timeParam } from './params.js';
import type { PrometheusApiDeps } from './types.js';

const DISABLED = new ApiError('unavailable', 'admin APIs disabled');

/** /api/v1/admin/tsdb/*: refused unless --web.enable-admin-api, as Prometheus does. */
export function registerAdminRoutes(app: FastifyInstance, deps: PrometheusApiDeps): void {
  const postPut = (
    url: string,
    h: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  ): void => {
    const wrapped = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      try {
        if (!deps.enableAdminApi) throw DISABLED;
        const data = await h(req, reply);
        if (data === undefined) reply.code(204).send();
        else respondData(reply, data);
      } catch (err) {
        respondError(reply, err);
      }
    };
    app.post(url, wrapped);
    app.put(url, wrapped);
  };

  postPut('/api/v1/admin/tsdb/delete_series', async (req) => {
    const p = new Params(req);
    const sets = requireMatch(p);
    const start = timeParam(p, 'start', MIN_TIME_MS);
    const end = timeParam(p, 'end', MAX_TIME_MS);
    await deps.store.deleteSeries(sets, start, end);
    return undefined;
  });

  postPut('/api/v1/admin/tsdb/clean_tombstones', async () => {
    await deps.store.cleanTombstones();
    return undefined;
  });

  postPut('/api/v1/admin/tsdb/snapshot', async (req) => {
    const s = new Params(req).get('skip_head');
    let skipHead = false;
    if (s !== '') {
      const b = parseGoBool(s);
      if (b === undefined) {
        throw new ApiError(
          'bad_data',
          `unable to parse boolean 'skip_head' argument: strconv.ParseBool: parsing ${JSON.stringify(s)}: invalid syntax`,
        );
      }
      skipHead = b;
    }
    const name = await deps.store.snapshot(path.join(deps.store.dir, 'snapshots'), skipHead);
    return { name };
  });
}

function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}
