import type { Labels } from '../../../src/common/labels.js';

/** One generated series: labels and samples at `stepMs` from `startMs`, with gaps. */
export interface GeneratedSeries {
  labels: Labels;
  ts: number[];
  vs: number[];
}

/** A deterministic generator (LCG), so both engines see the same data every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export const DATA_START_MS = 1_700_000_000_000;
export const DATA_STEP_MS = 15_000;
export const DATA_POINTS = 480;
export const DATA_END_MS = DATA_START_MS + (DATA_POINTS - 1) * DATA_STEP_MS;

/**
 * Two hours of data at 15s: counters with resets, float gauges, a classic
 * histogram, and gauges with gaps longer than the lookback delta.
 *
 * Counters start well above zero: Prometheus 2.52 (obs's reference) clamps
 * rate() extrapolation at a counter's zero point after the 1.1×-interval
 * check, 2.42 (the peer here) before it, so near a counter's zero point the
 * two versions legitimately differ (the 2.52 conformance file covers it).
 */
export function generateData(): GeneratedSeries[] {
  const rand = rng(42);
  const out: GeneratedSeries[] = [];
  const times = Array.from({ length: DATA_POINTS }, (_, i) => DATA_START_MS + i * DATA_STEP_MS);
  for (const job of ['api', 'web', 'db']) {
    for (const instance of ['a', 'b']) {
      for (const code of ['200', '500']) {
        let v = 1000 + Math.floor(rand() * 100);
        const vs = times.map(() => {
          v =
            rand() < 0.004 ? Math.floor(v / 2) : v + Math.floor(rand() * (code === '200' ? 20 : 3));
          return v;
        });
        out.push({
          labels: { __name__: 'http_requests_total', job, instance, code },
          ts: [...times],
          vs,
        });
      }
    }
  }
  for (const instance of ['a', 'b']) {
    for (const sensor of ['cpu', 'board']) {
      let v = 40 + rand() * 10;
      const vs = times.map(() => {
        v += (rand() - 0.5) * 2;
        return Math.round(v * 1000) / 1000;
      });
      out.push({ labels: { __name__: 'node_temp', instance, sensor }, ts: [...times], vs });
    }
  }
  for (const job of ['api', 'web']) {
    const bounds = ['0.1', '0.5', '1', '+Inf'];
    const counts = [500, 500, 500, 500];
    const series = bounds.map(() => [] as number[]);
    let sum = 1000;
    const sums: number[] = [];
    for (let i = 0; i < times.length; i++) {
      const n = Math.floor(rand() * 10);
      for (let k = 0; k < n; k++) {
        const obs = rand() * 1.5;
        sum += obs;
        bounds.forEach((b, j) => {
          if (b === '+Inf' || obs <= Number(b)) counts[j]!++;
        });
      }
      bounds.forEach((_, j) => series[j]!.push(counts[j]!));
      sums.push(Math.round(sum * 1000) / 1000);
    }
    bounds.forEach((le, j) =>
      out.push({
        labels: { __name__: 'request_duration_seconds_bucket', job, le },
        ts: [...times],
        vs: series[j]!,
      }),
    );
    out.push({
      labels: { __name__: 'request_duration_seconds_sum', job },
      ts: [...times],
      vs: sums,
    });
    out.push({
      labels: { __name__: 'request_duration_seconds_count', job },
      ts: [...times],
      vs: series[3]!,
    });
  }
  for (const id of ['1', '2']) {
    const ts: number[] = [];
    const vs: number[] = [];
    times.forEach((t, i) => {
      // Gaps of 10 minutes every half hour, longer than the 5m lookback.
      if (i % 120 >= 80) return;
      ts.push(t);
      vs.push(Math.round(rand() * 1000) / 10);
    });
    out.push({ labels: { __name__: 'sparse_gauge', id }, ts, vs });
  }
  return out;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The data as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`. */
export function toOpenMetrics(series: GeneratedSeries[]): string {
  const byName = new Map<string, GeneratedSeries[]>();
  for (const s of series) {
    const name = s.labels['__name__']!;
    byName.set(name, [...(byName.get(name) ?? []), s]);
  }
  const lines: string[] = [];
  for (const [name, list] of byName) {
    lines.push(`# TYPE ${name} gauge`);
    for (const s of list) {
      const labels = Object.entries(s.labels)
        .filter(([n]) => n !== '__name__')
        .map(([n, v]) => `${n}="${escapeLabel(v)}"`)
        .join(',');
      s.ts.forEach((t, i) => lines.push(`${name}{${labels}} ${s.vs[i]} ${t / 1000}`));
    }
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}
