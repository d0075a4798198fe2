import type { Labels } from '../../common/labels.js';
import { LogqlRequestError, parseMatchers, stepTimes } from '../logql/index.js';
import { formatSampleValue } from '../../common/sample-value.js';
import { sampleTime } from './format.js';
import type { QueryApiContext, RouteHandler } from './index.js';
import { parseBounds, parseStep, type Params } from './params.js';

/** `/index/stats`, `/index/volume` and `/index/volume_range`. */
export function registerIndexRoutes(
  route: (path: string, h: RouteHandler) => void,
  ctx: QueryApiContext,
): void {
  route('/loki/api/v1/index/stats', async (p, signal) => {
    const { startNs, endNs } = parseBounds(p, ctx.now());
    const matchers = parseMatchers(required(p, 'query'));
    const streams = await ctx.reader.aggregateBuckets({
      matchers,
      filters: [],
      startNs,
      endNs,
      originNs: startNs - 1n,
      bucketNs: endNs - startNs + 1n,
      signal,
    });
    let entries = 0;
    let bytes = 0;
    for (const s of streams) {
      for (const b of s.buckets.values()) {
        entries += b.count;
        bytes += b.bytes;
      }
    }
    // obs keeps no chunks; each stream counts as one.
    return { streams: streams.length, chunks: streams.length, bytes, entries };
  });

  route('/loki/api/v1/index/volume', async (p, signal) => {
    const { startNs, endNs } = parseBounds(p, ctx.now());
    const volumes = await volume(ctx, p, startNs, endNs, endNs - startNs + 1n, signal);
    return {
      status: 'success',
      data: {
        resultType: 'vector',
        result: volumes.map((v) => ({
          metric: v.labels,
          value: [sampleTime(endNs), formatSampleValue(v.total)],
        })),
      },
    };
  });

  route('/loki/api/v1/index/volume_range', async (p, signal) => {
    const { startNs, endNs } = parseBounds(p, ctx.now());
    const stepNs = parseStep(p, startNs, endNs);
    const volumes = await volume(ctx, p, startNs, endNs, stepNs, signal);
    const steps = stepTimes(startNs, endNs, stepNs);
    return {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: volumes.map((v) => ({
          metric: v.labels,
          values: steps.flatMap((t) => {
            const b = v.byStep.get(t);
            return b === undefined ? [] : [[sampleTime(t), formatSampleValue(b)]];
          }),
        })),
      },
    };
  });
}

function required(p: Params, name: string): string {
  const v = p.get(name);
  if (!v) throw new LogqlRequestError(`missing ${name} parameter`);
  return v;
}

/**
 * Bytes per series grouped by `targetLabels` (or the selector's label names),
 * largest first, at most `limit` (100) of them; per step for volume_range.
 */
async function volume(
  ctx: QueryApiContext,
  p: Params,
  startNs: bigint,
  endNs: bigint,
  bucketNs: bigint,
  signal: AbortSignal,
): Promise<{ labels: Labels; total: number; byStep: Map<bigint, number> }[]> {
  const matchers = parseMatchers(required(p, 'query'));
  const limit = Number(p.get('limit') ?? '100') || 100;
  const target = (p.get('targetLabels') ?? '').split(',').filter((s) => s !== '');
  const byLabels = p.get('aggregateBy') === 'labels';
  const groupBy = target.length > 0 ? target : matchers.map((m) => m.name);
  const origin = startNs - 1n;
  const streams = await ctx.reader.aggregateBuckets({
    matchers,
    filters: [],
    startNs,
    endNs,
    originNs: origin,
    bucketNs,
    signal,
  });
  const groups = new Map<string, { labels: Labels; total: number; byStep: Map<bigint, number> }>();
  for (const s of streams) {
    const entries = byLabels
      ? groupBy.filter((n) => n in s.labels).map((n) => [[n, s.labels[n]!]])
      : [groupBy.filter((n) => n in s.labels).map((n) => [n, s.labels[n]!])];
    for (const pairs of entries) {
      const labels: Labels = Object.fromEntries(pairs);
      const key = JSON.stringify(labels);
      let g = groups.get(key);
      if (!g) {
        g = { labels, total: 0, byStep: new Map() };
        groups.set(key, g);
      }
      for (const [k, b] of s.buckets) {
        g.total += b.bytes;
        const t = origin + BigInt(k + 1) * bucketNs;
        g.byStep.set(t, (g.byStep.get(t) ?? 0) + b.bytes);
      }
    }
  }
  return [...groups.values()].sort((a, b) => b.total - a.total).slice(0, limit);
}
