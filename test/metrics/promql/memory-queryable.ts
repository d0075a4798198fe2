import type { LabelMatcher, Labels } from '../../../src/common/labels.js';
import type { FloatHistogram, Querier, Queryable, Series } from '../../../src/metrics/queryable.js';
import { writeStaleMarker } from '../../../src/metrics/queryable.js';
import { labelMatcherTest } from '../../../src/metrics/promql/index.js';

interface StoredSeries {
  labels: Labels;
  key: string;
  ts: number[];
  vs: number[];
  stale: boolean[];
  hs: (FloatHistogram | undefined)[];
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
  add(labels: Labels, t: number, v: number | 'stale' | FloatHistogram): void {
    const key = keyOf(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, key, ts: [], vs: [], stale: [], hs: [] };
      this.series.set(key, s);
    }
    s.ts.push(t);
    s.vs.push(typeof v === 'number' ? v : NaN);
    s.stale.push(v === 'stale');
    s.hs.push(typeof v === 'object' ? v : undefined);
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
          const histograms = idx.map((i) => s.hs[i]);
          if (histograms.some((h) => h))
            out.push({ labels: s.labels, timestamps, values, histograms });
          else out.push({ labels: s.labels, timestamps, values });
        }
        return out;
      },
      labelNames: async () => [],
      labelValues: async () => [],
      close: async () => {},
    };
  }
}
