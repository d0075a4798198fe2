import { formatLabels, type LabelMatcher, type Labels } from '../../common/labels.js';
import type { StreamBuckets } from '../reader.js';
import { LogqlRequestError, parseMatchers } from '../logql/index.js';
import { formatSampleValue } from '../../common/sample-value.js';
import { sampleTime } from './format.js';
import type { QueryApiContext, RouteHandler } from './index.js';
import { NS_PER_MS, parseBounds, parseStep, type Params } from './params.js';
import { volumeGrid } from './volume-buckets.js';

/** `/index/stats`, `/index/volume` and `/index/volume_range`. */
export function registerIndexRoutes(
  route: (path: string, h: RouteHandler) => void,
  ctx: QueryApiContext,
): void {
  route('/loki/api/v1/index/stats', async (p, signal) => {
    const { startNs, endNs } = parseBounds(p, ctx.now());
    const matchers = parseMatchers(required(p, 'query'));
    const streams = await wholeRange(ctx, matchers, startNs, endNs, signal);
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
    const matchers = parseMatchers(required(p, 'query'));
    const streams = await wholeRange(ctx, matchers, startNs, endNs, signal);
    const volumes = topVolumes(p, groupVolumes(p, matchers, streams).get(0));
    return {
      status: 'success',
      data: {
        resultType: 'vector',
        result: volumes.map(([, v]) => ({
          metric: v.labels,
          value: [sampleTime(endNs), formatSampleValue(v.bytes)],
        })),
      },
    };
  });

  route('/loki/api/v1/index/volume_range', async (p, signal) => {
    const { startNs, endNs } = parseBounds(p, ctx.now());
    const stepNs = parseStep(p, startNs, endNs);
    const matchers = parseMatchers(required(p, 'query'));
    const grid = volumeGrid(startNs, endNs, stepNs);
    const first = grid.buckets[0];
    const last = grid.buckets[grid.buckets.length - 1];
    if (!first || !last) return { status: 'success', data: { resultType: 'vector', result: [] } };
    // Store bucket k is (origin + k·step, origin + (k+1)·step]: the origin 1 ns before the grid's.
    const streams = await ctx.reader.aggregateBuckets({
      matchers,
      filters: [],
      startNs: first.fromMs * NS_PER_MS,
      endNs: (last.throughMs + 1n) * NS_PER_MS,
      originNs: grid.originMs * NS_PER_MS - 1n,
      bucketNs: grid.stepMs * NS_PER_MS,
      signal,
    });
    const byBucket = groupVolumes(p, matchers, streams);
    // Loki's querier answers each step on its own: the top `limit` of each.
    const series = new Map<string, { labels: Labels; samples: [bigint, number][] }>();
    grid.buckets.forEach((b, k) => {
      for (const [name, v] of topVolumes(p, byBucket.get(k))) {
        let s = series.get(name);
        if (!s) series.set(name, (s = { labels: v.labels, samples: [] }));
        s.samples.push([b.throughMs, v.bytes]);
      }
    });
    // Series ordered by their first sample, largest first, then by name (toPrometheusData).
    const sorted = [...series].sort(
      ([an, a], [bn, b]) => b.samples[0]![1] - a.samples[0]![1] || compare(an, bn),
    );
    const sample = ([t, v]: [bigint, number]): [number, string] => [
      Number(t) / 1000,
      formatSampleValue(v),
    ];
    // A vector while no series has two samples, as Loki's toPrometheusData decides.
    if (sorted.every(([, s]) => s.samples.length <= 1)) {
      return {
        status: 'success',
        data: {
          resultType: 'vector',
          result: sorted.map(([, s]) => ({ metric: s.labels, value: sample(s.samples[0]!) })),
        },
      };
    }
    return {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: sorted.map(([, s]) => ({ metric: s.labels, values: s.samples.map(sample) })),
      },
    };
  });
}

/** Every stream's entries and bytes over [startNs, endNs], as one bucket each. */
function wholeRange(
  ctx: QueryApiContext,
  matchers: LabelMatcher[],
  startNs: bigint,
  endNs: bigint,
  signal: AbortSignal,
): Promise<StreamBuckets[]> {
  return ctx.reader.aggregateBuckets({
    matchers,
    filters: [],
    startNs,
    endNs,
    originNs: startNs - 1n,
    bucketNs: endNs - startNs + 1n,
    signal,
  });
}

function required(p: Params, name: string): string {
  const v = p.get(name);
  if (!v) throw new LogqlRequestError(`missing ${name} parameter`);
  return v;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Volume {
  labels: Labels;
  bytes: number;
}

/**
 * Per store bucket, bytes per group: grouped by `targetLabels` (or the
 * selector's label names), or with `aggregateBy=labels` per label name.
 * Groups are keyed by their labels as Loki names them.
 */
function groupVolumes(
  p: Params,
  matchers: LabelMatcher[],
  streams: StreamBuckets[],
): Map<number, Map<string, Volume>> {
  const target = (p.get('targetLabels') ?? '').split(',').filter((s) => s !== '');
  const byLabels = p.get('aggregateBy') === 'labels';
  const groupBy = target.length > 0 ? target : matchers.map((m) => m.name);
  const out = new Map<number, Map<string, Volume>>();
  for (const s of streams) {
    const present = groupBy.filter((n) => n in s.labels);
    const groups: Labels[] = byLabels
      ? present.map((n) => ({ [n]: s.labels[n]! }))
      : [Object.fromEntries(present.map((n) => [n, s.labels[n]!]))];
    for (const labels of groups) {
      const name = formatLabels(labels);
      for (const [k, b] of s.buckets) {
        let bucket = out.get(k);
        if (!bucket) out.set(k, (bucket = new Map()));
        const v = bucket.get(name);
        if (v) v.bytes += b.bytes;
        else bucket.set(name, { labels, bytes: b.bytes });
      }
    }
  }
  return out;
}

/** The largest `limit` (100) groups, ties by name, as Loki's volume answers rank them. */
function topVolumes(p: Params, groups: Map<string, Volume> | undefined): [string, Volume][] {
  const limit = Number(p.get('limit') ?? '100') || 100;
  return [...(groups ?? [])]
    .sort(([an, a], [bn, b]) => b.bytes - a.bytes || compare(an, bn))
    .slice(0, limit);
}
