import type { FastifyInstance } from 'fastify';
import { ApiError, Params, invalidParam } from './http.js';
import { buildInfo } from './build-info.js';
import { handle } from './query-routes.js';
import type { PrometheusApiDeps } from './types.js';

const startTime = new Date();

/** /api/v1/targets, metadata and status/*. */
export function registerStatusRoutes(app: FastifyInstance, deps: PrometheusApiDeps): void {
  app.get('/api/v1/targets', async (req, reply) => {
    await handle(reply, async () => {
      const state = new Params(req).get('state').toLowerCase();
      const t = deps.targets();
      const active = state === '' || state === 'any' || state === 'active';
      const dropped = state === '' || state === 'any' || state === 'dropped';
      return {
        activeTargets: active ? t.activeTargets : [],
        droppedTargets: dropped ? t.droppedTargets : [],
      };
    });
  });

  app.get('/api/v1/metadata', async (req, reply) => {
    await handle(reply, async () => {
      const p = new Params(req);
      const limit = intParam(p, 'limit', -1);
      const perMetric = intParam(p, 'limit_per_metric', -1);
      const metric = p.get('metric');
      const out: Record<string, { type: string; help: string; unit: string }[]> = {};
      const all = deps.store.metadata?.() ?? new Map();
      for (const name of [...all.keys()].sort()) {
        if (metric !== '' && name !== metric) continue;
        if (limit >= 0 && Object.keys(out).length >= limit) break;
        const md = all.get(name)!;
        out[name] = perMetric === 0 ? [] : [{ type: md.type, help: md.help, unit: md.unit }];
      }
      return out;
    });
  });

  app.get('/api/v1/status/config', async (_req, reply) => {
    await handle(reply, async () => ({ yaml: deps.configYaml() }));
  });

  app.get('/api/v1/status/flags', async (_req, reply) => {
    await handle(reply, async () => deps.flags());
  });

  app.get('/api/v1/status/buildinfo', async (_req, reply) => {
    await handle(reply, async () => buildInfo());
  });

  app.get('/api/v1/status/runtimeinfo', async (_req, reply) => {
    await handle(reply, async () => ({
      startTime: startTime.toISOString(),
      CWD: process.cwd(),
      reloadConfigSuccess: true,
      lastConfigTime: startTime.toISOString().replace(/\.\d+Z$/, 'Z'),
      corruptionCount: 0,
      goroutineCount: 0,
      GOMAXPROCS: 1,
      GOMEMLIMIT: 0,
      GOGC: '',
      GODEBUG: '',
      storageRetention: deps.storageRetention ?? '15d',
    }));
  });

  app.get('/api/v1/status/tsdb', async (req, reply) => {
    await handle(reply, async () => {
      const p = new Params(req);
      const s = p.get('limit');
      let limit = 10;
      if (s !== '') {
        limit = Number(s);
        if (!/^[+-]?\d+$/.test(s) || limit < 1) {
          throw new ApiError('bad_data', 'limit must be a positive number');
        }
      }
      return deps.store.tsdbStatus(limit);
    });
  });

  app.get('/api/v1/status/walreplay', async (_req, reply) => {
    await handle(reply, async () => ({ min: 0, max: 0, current: 0 }));
  });
}

function intParam(p: Params, name: string, dflt: number): number {
  const s = p.get(name);
  if (s === '') return dflt;
  if (!/^[+-]?\d+$/.test(s))
    throw invalidParam(name, `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}
