import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PromQLEngine, PromQLError, type QueryData } from '../../../src/metrics/promql/index.js';
import { almostEqual } from '../../../src/metrics/promql/math.js';
import { requirePeer } from '../../support/peers.js';
import { freePort } from '../../support/obs-cli.js';
import { startPeer, waitHttp } from '../helpers/spawn.js';
import { DATA_END_MS, DATA_START_MS, generateData, toOpenMetrics } from './differential-data.js';
import { differentialQueries, type DiffQuery } from './differential-queries.js';
import { MemoryQueryable } from './memory-queryable.js';

/**
 * The same generated data in a real Prometheus (backfilled with promtool)
 * and in memory; every generated query, instant at three times and as a
 * range query, must give the same answer from both.
 */
const available = requirePeer('prometheus') && requirePeer('promtool');

type Answer = { ok: true; data: QueryData } | { ok: false; type: string; error: string };

const EPSILON = 1e-9;
const RANGE = { start: DATA_START_MS, end: DATA_END_MS + 600_000, step: 60_000 };
const INSTANTS = [DATA_START_MS + 1_800_000, DATA_START_MS + 4_620_000, DATA_END_MS + 240_000];

function parseValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

function metricKey(m: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(m)
      .sort()
      .map((n) => [n, m[n]]),
  );
}

function sameValue(a: string, b: string): boolean {
  return almostEqual(parseValue(a), parseValue(b), EPSILON);
}

/** Compares two answers; returns a description of the first difference, or undefined. */
function difference(want: Answer, got: Answer, ordered: boolean): string | undefined {
  if (!want.ok || !got.ok) {
    if (want.ok !== got.ok)
      return `status: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
    if (!want.ok && !got.ok && (want.type !== got.type || want.error !== got.error)) {
      return `error: want ${want.type} "${want.error}", got ${got.type} "${got.error}"`;
    }
    return undefined;
  }
  const w = want.data;
  const g = got.data;
  if (w.resultType !== g.resultType) return `resultType ${w.resultType} vs ${g.resultType}`;
  if (w.resultType === 'scalar' || w.resultType === 'string') {
    const gr = (g as typeof w).result;
    if (w.result[0] !== gr[0]) return `time ${w.result[0]} vs ${gr[0]}`;
    const same = w.resultType === 'string' ? w.result[1] === gr[1] : sameValue(w.result[1], gr[1]);
    return same ? undefined : `value ${w.result[1]} vs ${gr[1]}`;
  }
  if (w.resultType === 'vector' && g.resultType === 'vector') {
    if (w.result.length !== g.result.length) {
      return `length ${w.result.length} vs ${g.result.length}: ${JSON.stringify(w.result)} vs ${JSON.stringify(g.result)}`;
    }
    const byKey = new Map(g.result.map((s, i) => [metricKey(s.metric), { s, i }]));
    for (let i = 0; i < w.result.length; i++) {
      const ws = w.result[i]!;
      const hit = byKey.get(metricKey(ws.metric));
      if (!hit) return `missing ${metricKey(ws.metric)} in ${JSON.stringify(g.result)}`;
      if (ordered && hit.i !== i) return `order: ${metricKey(ws.metric)} at ${hit.i}, want ${i}`;
      // The data has float samples only, so every sample carries `value`.
      const wv = 'value' in ws ? ws.value : undefined;
      const gv = 'value' in hit.s ? hit.s.value : undefined;
      if (!wv || !gv || wv[0] !== gv[0] || !sameValue(wv[1], gv[1])) {
        return `${metricKey(ws.metric)}: ${JSON.stringify(ws)} vs ${JSON.stringify(hit.s)}`;
      }
    }
    return undefined;
  }
  if (w.resultType === 'matrix' && g.resultType === 'matrix') {
    if (w.result.length !== g.result.length)
      return `series ${w.result.length} vs ${g.result.length}`;
    const byKey = new Map(g.result.map((s) => [metricKey(s.metric), s]));
    for (const ws of w.result) {
      const gs = byKey.get(metricKey(ws.metric));
      if (!gs) return `missing series ${metricKey(ws.metric)}`;
      const wvs = ws.values ?? [];
      const gvs = gs.values ?? [];
      if (wvs.length !== gvs.length) {
        return `${metricKey(ws.metric)}: ${wvs.length} points vs ${gvs.length}`;
      }
      for (let i = 0; i < wvs.length; i++) {
        const [wt, wv] = wvs[i]!;
        const [gt, gv] = gvs[i]!;
        if (wt !== gt || !sameValue(wv, gv)) {
          return `${metricKey(ws.metric)} point ${i}: [${wt}, ${wv}] vs [${gt}, ${gv}]`;
        }
      }
    }
  }
  return undefined;
}

async function askPrometheus(
  base: string,
  path: string,
  params: Record<string, string>,
): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { method: 'POST', body: new URLSearchParams(params) });
  const body = (await res.json()) as {
    status: string;
    data: QueryData;
    errorType: string;
    error: string;
  };
  if (body.status === 'success') return { ok: true, data: body.data };
  return {
    ok: false,
    type: body.errorType,
    error: body.error.replace(/^invalid parameter "query": /, ''),
  };
}

async function askObs(run: () => Promise<QueryData>): Promise<Answer> {
  try {
    return { ok: true, data: await run() };
  } catch (err) {
    if (!(err instanceof PromQLError)) throw err;
    return { ok: false, type: err.type, error: err.message };
  }
}

describe('differential: obs vs real Prometheus', { skip: !available }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'obs-promql-diff-'));
  const store = new MemoryQueryable();
  const engine = new PromQLEngine();
  let base = '';
  let peer: ReturnType<typeof startPeer> | undefined;

  before(async () => {
    const data = generateData();
    for (const s of data) s.ts.forEach((t, i) => store.add(s.labels, t, s.vs[i]!));
    writeFileSync(join(dir, 'data.om'), toOpenMetrics(data));
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
    const created = spawnSync('promtool', [
      'tsdb',
      'create-blocks-from',
      'openmetrics',
      join(dir, 'data.om'),
      join(dir, 'tsdb'),
    ]);
    assert.equal(created.status, 0, String(created.stderr));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    peer = startPeer('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=100y',
    ]);
    await waitHttp(`${base}/-/ready`);
  });

  after(async () => {
    await peer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const queries: DiffQuery[] = differentialQueries();
  let compared = 0;

  for (const q of queries) {
    it(q.expr, async () => {
      const problems: string[] = [];
      for (const t of INSTANTS) {
        const want = await askPrometheus(base, '/api/v1/query', {
          query: q.expr,
          time: String(t / 1000),
        });
        const got = await askObs(() => engine.instantQuery(store, q.expr, t));
        const diff = difference(want, got, q.ordered);
        if (diff) problems.push(`instant at ${t / 1000}: ${diff}`);
        compared++;
      }
      const want = await askPrometheus(base, '/api/v1/query_range', {
        query: q.expr,
        start: String(RANGE.start / 1000),
        end: String(RANGE.end / 1000),
        step: String(RANGE.step / 1000),
      });
      const got = await askObs(() =>
        engine.rangeQuery(store, q.expr, RANGE.start, RANGE.end, RANGE.step),
      );
      const diff = difference(want, got, false);
      if (diff) problems.push(`range: ${diff}`);
      compared++;
      assert.deepEqual(problems, []);
    });
  }

  after(() =>
    console.log(`promql differential: ${compared} query evaluations compared with Prometheus`),
  );
});
