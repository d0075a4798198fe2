import type { SeriesEntry } from './series-index.js';

export interface TsdbStat {
  name: string;
  value: number;
}

/** The data of /api/v1/status/tsdb, in Prometheus's field names. */
export interface TsdbStatus {
  headStats: {
    numSeries: number;
    numLabelPairs: number;
    chunkCount: number;
    minTime: number;
    maxTime: number;
  };
  seriesCountByMetricName: TsdbStat[];
  labelValueCountByLabelName: TsdbStat[];
  memoryInBytesByLabelName: TsdbStat[];
  seriesCountByLabelValuePair: TsdbStat[];
}

/** Cardinality statistics over the head's series, top `limit` of each, as Prometheus. */
export function buildTsdbStatus(
  entries: SeriesEntry[],
  limit: number,
  head: { chunkCount: number; minTime: number; maxTime: number },
): TsdbStatus {
  const byMetric = new Map<string, number>();
  const valuesByName = new Map<string, Set<string>>();
  const bytesByName = new Map<string, number>();
  const byPair = new Map<string, number>();
  for (const e of entries) {
    const metric = e.labels.__name__;
    if (metric !== undefined) byMetric.set(metric, (byMetric.get(metric) ?? 0) + 1);
    for (const [name, value] of Object.entries(e.labels)) {
      let set = valuesByName.get(name);
      if (!set) valuesByName.set(name, (set = new Set()));
      if (!set.has(value)) {
        set.add(value);
        bytesByName.set(name, (bytesByName.get(name) ?? 0) + Buffer.byteLength(value));
      }
      const pair = `${name}=${value}`;
      byPair.set(pair, (byPair.get(pair) ?? 0) + 1);
    }
  }
  const top = (m: Map<string, number>): TsdbStat[] =>
    [...m]
      .map(([name, value]) => ({ name, value }))
      .sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : 1))
      .slice(0, limit);
  const empty = entries.length === 0;
  return {
    headStats: {
      numSeries: entries.length,
      numLabelPairs: byPair.size,
      chunkCount: head.chunkCount,
      // Prometheus reports math.MaxInt64 / MinInt64 bounds for an empty head.
      minTime: empty ? 9223372036854776000 : head.minTime,
      maxTime: empty ? -9223372036854776000 : head.maxTime,
    },
    seriesCountByMetricName: top(byMetric),
    labelValueCountByLabelName: top(new Map([...valuesByName].map(([k, v]) => [k, v.size]))),
    memoryInBytesByLabelName: top(bytesByName),
    seriesCountByLabelValuePair: top(byPair),
  };
}
