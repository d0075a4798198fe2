import type { LabelMatcher, Labels } from '../../../src/common/labels.js';
import type { Querier, Queryable, Series } from '../../../src/metrics/queryable.js';
import { writeStaleMarker } from '../../../src/metrics/queryable.js';
import { labelMatcherTest } from '../../../src/metrics/promql/index.js';

interface StoredSeries {
  labels: Labels;
  key: string;
  ts: number[];
  vs: number[];
  stale: boolean[];
}

function matches(labels: Labels, m: LabelMatcher): boolean {
  return labelMatcherTest(m)(labels[m.name] ?? '');
}

function keyOf(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((n) => [n, labels[n]]),
  );
}

/** Test storage: a few series in memory behind the engine's Queryable seam. */
export class MemoryQueryable implements Queryable {
  private series = new Map<string, StoredSeries>();

  clear(): void {
    this.series.clear();
  }

  /** Appends a sample; `stale` writes Prometheus's staleness marker. */
  add(labels: Labels, t: number, v: number | 'stale'): void {
    const key = keyOf(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, key, ts: [], vs: [], stale: [] };
      this.series.set(key, s);
    }
    s.ts.push(t);
    s.vs.push(v === 'stale' ? NaN : v);
    s.stale.push(v === 'stale');
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    const all = [...this.series.values()].sort((a, b) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
    );
    return {
      select: async (matchers: LabelMatcher[]): Promise<Series[]> => {
        const out: Series[] = [];
        for (const s of all) {
          if (!matchers.every((m) => matches(s.labels, m))) continue;
          const idx: number[] = [];
          s.ts.forEach((t, i) => {
            if (t >= mint && t <= maxt) idx.push(i);
          });
          if (idx.length === 0) continue;
          const timestamps = new Float64Array(idx.map((i) => s.ts[i]!));
          const values = new Float64Array(idx.map((i) => s.vs[i]!));
          idx.forEach((i, o) => {
            if (s.stale[i]) writeStaleMarker(values, o);
          });
          out.push({ labels: s.labels, timestamps, values });
        }
        return out;
      },
      labelNames: async () => [],
      labelValues: async () => [],
      close: async () => {},
    };
  }
}
