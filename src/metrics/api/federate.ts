import type { FastifyInstance } from 'fastify';
import { formatGoFloat } from '../../common/go-fmt.js';
import type { Labels } from '../../common/labels.js';
import { isStaleMarker } from '../queryable.js';
import { Params } from './http.js';
import { matcherSetsLoose } from './params.js';
import type { PrometheusApiDeps } from './types.js';

/**
 * /federate: the newest sample within the lookback delta of every series
 * matching any `match[]`, in the text exposition format, grouped by metric
 * name, external labels added (web/federate.go).
 */
export function registerFederate(app: FastifyInstance, deps: PrometheusApiDeps): void {
  app.get('/federate', async (req, reply) => {
    const p = new Params(req);
    let sets;
    try {
      sets = matcherSetsLoose(p.getAll('match[]'));
    } catch (err) {
      reply
        .code(400)
        .type('text/plain; charset=utf-8')
        .send(`${(err as Error).message}\n`);
      return;
    }
    const now = Date.now();
    const mint = now - (deps.lookbackDeltaMs ?? 300_000);
    const external = deps.externalLabels?.() ?? {};
    const latest = new Map<string, { labels: Labels; t: number; v: string }>();
    const q = await deps.store.querier(mint, now);
    try {
      for (const set of sets) {
        for (const s of await q.select(set, { startMs: mint, endMs: now })) {
          const i = s.timestamps.length - 1;
          if (i < 0 || isStaleMarker(s.values, i)) continue;
          const labels: Labels = { ...s.labels };
          for (const [k, v] of Object.entries(external)) if (!(k in labels)) labels[k] = v;
          const key = JSON.stringify(Object.entries(labels).sort());
          latest.set(key, { labels, t: s.timestamps[i]!, v: formatSampleValue(s.values[i]!) });
        }
      }
    } finally {
      await q.close();
    }
    const byName = new Map<string, string[]>();
    for (const { labels, t, v } of latest.values()) {
      const name = labels.__name__ ?? '';
      const pairs = Object.keys(labels)
        .filter((k) => k !== '__name__')
        .sort()
        .map((k) => `${k}="${escapeValue(labels[k]!)}"`);
      const line = `${name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${v} ${t}\n`;
      const lines = byName.get(name) ?? [];
      lines.push(line);
      byName.set(name, lines);
    }
    let body = '';
    for (const name of [...byName.keys()].sort()) {
      body += `# TYPE ${name} untyped\n` + byName.get(name)!.sort().join('');
    }
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(body);
  });
}

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** expfmt's writeFloat: strconv.FormatFloat(v, 'g', -1, 64), but every zero, -0 too, as `0`. */
function formatSampleValue(v: number): string {
  return v === 0 ? '0' : formatGoFloat(v);
}
