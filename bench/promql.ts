/**
 * npm run bench:promql — the PromQL engine against a real Prometheus
 * (Debian's `prometheus`, 2.42) on the same data in the same run, with the
 * queries of issue 6:
 *   1. sum by (job) (rate(x[5m])) over 1,000 counters, 1h step across BENCH_DAYS (15) days
 *   2. histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m]))) over 1 day at a 5m step
 *   3. a regex selector across 100,000 series
 * Prometheus gets the data by remote write; obs's engine reads the same
 * samples from an in-memory columnar Queryable that honours the range hints
 * (so this measures the engine, not a storage layout). Latency is the median
 * of RUNS runs: HTTP round trip for Prometheus, engine call plus JSON for obs.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import snappy from 'snappy';
import type { LabelMatcher, Labels } from '../src/common/labels.js';
import { labelMatcherTest, PromQLEngine } from '../src/metrics/promql/index.js';
import type { Querier, Queryable, SelectHints, Series } from '../src/metrics/queryable.js';
import { encodeWriteRequest } from '../src/metrics/remote/sender/index.js';

const DAYS = Number(process.env.BENCH_DAYS ?? 15);
const COUNTERS = 1000;
const HIST_INSTANCES = 10;
const BUCKETS = [
  '0.005',
  '0.01',
  '0.025',
  '0.05',
  '0.1',
  '0.25',
  '0.5',
  '1',
  '2.5',
  '5',
  '10',
  '+Inf',
];
const REGEX_SERIES = 100_000;
const STEP_MS = 15_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const END_MS = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const START_MS = END_MS - DAYS * 86_400_000;
const DAY_START_MS = END_MS - 86_400_000;

/** A series whose samples sit at START_MS + i*STEP_MS for i in [first, first + values.length). */
interface MemSeries {
  labels: Labels;
  first: number;
  values: Float64Array;
}

function counterValues(seed: number, n: number): Float64Array {
  const v = new Float64Array(n);
  let acc = 1000 + (seed % 97);
  for (let i = 0; i < n; i++) {
    acc += ((i * 2654435761 + seed * 40503) >>> 0) % 17;
    v[i] = acc;
  }
  return v;
}

function buildData(): MemSeries[] {
  const total = (DAYS * 86_400_000) / STEP_MS + 1;
  const out: MemSeries[] = [];
  for (let s = 0; s < COUNTERS; s++) {
    out.push({
      labels: { __name__: 'x', job: `job${s % 16}`, instance: `host${s}` },
      first: 0,
      values: counterValues(s, total),
    });
  }
  const dayFirst = (DAY_START_MS - START_MS) / STEP_MS;
  const dayN = total - dayFirst;
  for (let inst = 0; inst < HIST_INSTANCES; inst++) {
    const base = counterValues(10_000 + inst, dayN);
    BUCKETS.forEach((le, b) => {
      const values = new Float64Array(dayN);
      const share = (b + 1) / BUCKETS.length;
      for (let i = 0; i < dayN; i++) values[i] = Math.floor(base[i]! * share * share);
      out.push({
        labels: { __name__: 'h_bucket', instance: `host${inst}`, le },
        first: dayFirst,
        values,
      });
    });
  }
  for (let id = 0; id < REGEX_SERIES; id++) {
    out.push({
      labels: { __name__: 'y', id: String(id), group: `g${id % 100}` },
      first: total - 2,
      values: new Float64Array([id, id + 1]),
    });
  }
  return out;
}

/**
 * The bench data behind the engine's Queryable seam, with postings (label
 * name → value → series) as any real store has, so a matcher is tested once
 * per distinct label value; returns only the windows the hints ask for.
 */
class MemQueryable implements Queryable {
  private readonly postings = new Map<string, Map<string, number[]>>();
  /** Position of each series in label order, since selections come sorted by labels. */
  private readonly rank: Int32Array;

  constructor(private readonly series: MemSeries[]) {
    const key = (l: Labels): string =>
      Object.keys(l)
        .sort()
        .map((n) => `${n}\xff${l[n]}\xfe`)
        .join('');
    const keys = series.map((s) => key(s.labels));
    const order = series.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1));
    this.rank = new Int32Array(series.length);
    order.forEach((id, r) => (this.rank[id] = r));
    series.forEach((s, id) => {
      for (const [name, value] of Object.entries(s.labels)) {
        let values = this.postings.get(name);
        if (!values) this.postings.set(name, (values = new Map()));
        const list = values.get(value);
        if (list) list.push(id);
        else values.set(value, [id]);
      }
    });
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    return {
      select: async (matchers: LabelMatcher[], hints?: SelectHints) =>
        this.select(matchers, mint, maxt, hints),
      labelNames: async () => [],
      labelValues: async () => [],
      close: async () => {},
    };
  }

  /** Series ids matching one matcher that does not match the empty string. */
  private matching(m: LabelMatcher): Set<number> {
    const test = labelMatcherTest(m);
    const out = new Set<number>();
    for (const [value, ids] of this.postings.get(m.name) ?? []) {
      if (test(value)) for (const id of ids) out.add(id);
    }
    return out;
  }

  private select(
    matchers: LabelMatcher[],
    mint: number,
    maxt: number,
    hints?: SelectHints,
  ): Series[] {
    const positive = matchers.filter((m) => !labelMatcherTest(m)(''));
    const rest = matchers.filter((m) => labelMatcherTest(m)(''));
    let ids: number[] | undefined;
    for (const m of positive) {
      const set = this.matching(m);
      ids = ids ? ids.filter((id) => set.has(id)) : [...set];
    }
    const rank = this.rank;
    const sorted = (ids ?? this.series.map((_, i) => i)).sort((a, b) => rank[a]! - rank[b]!);
    const out: Series[] = [];
    for (const id of sorted) {
      const s = this.series[id]!;
      if (!rest.every((m) => labelMatcherTest(m)(s.labels[m.name] ?? ''))) continue;
      const series = windowSeries(s, mint, maxt, hints);
      if (series) out.push(series);
    }
    return out;
  }
}

/** All sample times of the data set, so unfiltered selections are zero-copy views. */
const GRID = Float64Array.from(
  { length: (DAYS * 86_400_000) / STEP_MS + 1 },
  (_, i) => START_MS + i * STEP_MS,
);

function windowSeries(
  s: MemSeries,
  mint: number,
  maxt: number,
  hints?: SelectHints,
): Series | undefined {
  const lo = Math.max(0, Math.ceil((mint - START_MS) / STEP_MS) - s.first);
  const hi = Math.min(s.values.length - 1, Math.floor((maxt - START_MS) / STEP_MS) - s.first);
  if (hi < lo) return undefined;
  const step = hints?.stepMs ?? 0;
  const range = hints?.rangeMs ?? 0;
  if (!(step > 0 && range > 0 && range < step)) {
    return {
      labels: s.labels,
      timestamps: GRID.subarray(s.first + lo, s.first + hi + 1),
      values: s.values.subarray(lo, hi + 1),
    };
  }
  const idx: number[] = [];
  for (let w = mint; w <= maxt; w += step) {
    const a = Math.max(lo, Math.ceil((w - START_MS) / STEP_MS) - s.first);
    const b = Math.min(hi, Math.floor((w + range - START_MS) / STEP_MS) - s.first);
    for (let i = a; i <= b; i++) idx.push(i);
  }
  const timestamps = new Float64Array(idx.length);
  const values = new Float64Array(idx.length);
  for (let o = 0; o < idx.length; o++) {
    timestamps[o] = GRID[s.first + idx[o]!]!;
    values[o] = s.values[idx[o]!]!;
  }
  return { labels: s.labels, timestamps, values };
}

/** The first difference between two API `data` objects, for the report. */
function firstDifference(a: unknown, b: unknown, at = 'data'): string | undefined {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    if (a === b) return undefined;
    // Sums over series in a different order differ in the last bits; that is not a difference.
    const x = Number(a);
    const y = Number(b);
    if (typeof a === 'string' && Math.abs(x - y) <= 1e-12 * Math.max(Math.abs(x), Math.abs(y))) {
      return undefined;
    }
    return `${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${at}.${k}`,
    );
    if (d) return d;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function remoteWrite(base: string, data: MemSeries[]): Promise<number> {
  // Time slices of 30 minutes across all series, in time order, so every
  // sample lands inside Prometheus's head appendable window.
  const sliceMs = 1_800_000;
  let sent = 0;
  const inflight = new Set<Promise<void>>();
  for (let t = START_MS; t <= END_MS; t += sliceMs) {
    let batch: { labels: Labels; timestamps: number[]; values: Float64Array }[] = [];
    let inBatch = 0;
    const flush = async (): Promise<void> => {
      const body = snappy.compressSync(Buffer.from(encodeWriteRequest(batch)));
      batch = [];
      inBatch = 0;
      const res = await fetch(`${base}/api/v1/write`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-protobuf',
          'Content-Encoding': 'snappy',
          'X-Prometheus-Remote-Write-Version': '0.1.0',
        },
        body,
      });
      if (!res.ok) throw new Error(`remote write: ${res.status} ${await res.text()}`);
    };
    for (const s of data) {
      const a = Math.max(0, Math.ceil((t - START_MS) / STEP_MS) - s.first);
      const b = Math.min(
        s.values.length - 1,
        Math.floor((t + sliceMs - 1 - START_MS) / STEP_MS) - s.first,
      );
      if (b < a) continue;
      const timestamps: number[] = [];
      for (let i = a; i <= b; i++) timestamps.push(START_MS + (s.first + i) * STEP_MS);
      batch.push({ labels: s.labels, timestamps, values: s.values.slice(a, b + 1) });
      inBatch += b - a + 1;
      sent += b - a + 1;
      if (inBatch >= 10_000) {
        const p = flush().finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= 4) await Promise.race(inflight);
      }
    }
    if (inBatch > 0) {
      const p = flush().finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.all(inflight);
  }
  return sent;
}

/** VmHWM of a process, from /proc. */
function procPeakMiB(pid: number): string {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmHWM:\s+(\d+)/.exec(status)?.[1];
  return kb ? (Number(kb) / 1024).toFixed(0) : '?';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface BenchQuery {
  name: string;
  expr: string;
  range?: { start: number; end: number; step: number };
  time?: number;
}

async function main(): Promise<void> {
  const queries: BenchQuery[] = [
    {
      name: `sum by (job) (rate(x[5m])), ${COUNTERS} series, 1h step, ${DAYS}d`,
      expr: 'sum by (job) (rate(x[5m]))',
      range: { start: START_MS, end: END_MS, step: 3_600_000 },
    },
    {
      name: 'histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m]))), 1d at 5m',
      expr: 'histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))',
      range: { start: DAY_START_MS, end: END_MS, step: 300_000 },
    },
    {
      name: `regex selector over ${REGEX_SERIES} series`,
      expr: 'count(y{id=~".*7", group=~"g1.*"})',
      time: END_MS,
    },
  ];

  console.log(`generating ${DAYS}d of data...`);
  const data = buildData();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-bench-promql-'));
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), 'global: {scrape_interval: 15s}\n');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const prom = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--storage.tsdb.retention.time=100y',
    ],
    { stdio: 'ignore' },
  );
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/-/ready`)).ok) break;
      } catch {
        // not up yet
      }
      if (i > 200) throw new Error('prometheus did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const t0 = Date.now();
    const sent = await remoteWrite(base, data);
    console.log(
      `remote-wrote ${sent} samples into Prometheus in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
    );

    const store = new MemQueryable(data);
    const engine = new PromQLEngine();
    const rssBefore = process.memoryUsage().rss / 1024 / 1024;
    const rows: string[] = [];
    for (const q of queries) {
      const params: Record<string, string> = q.range
        ? {
            query: q.expr,
            start: String(q.range.start / 1000),
            end: String(q.range.end / 1000),
            step: String(q.range.step / 1000),
          }
        : { query: q.expr, time: String(q.time! / 1000) };
      const endpoint = q.range ? 'query_range' : 'query';
      const promMs: number[] = [];
      const obsMs: number[] = [];
      let promBody = '';
      let obsBody = '';
      for (let r = 0; r < RUNS; r++) {
        let t = performance.now();
        const res = await fetch(`${base}/api/v1/${endpoint}`, {
          method: 'POST',
          body: new URLSearchParams(params),
        });
        promBody = await res.text();
        promMs.push(performance.now() - t);
        t = performance.now();
        const result = q.range
          ? await engine.rangeQuery(store, q.expr, q.range.start, q.range.end, q.range.step)
          : await engine.instantQuery(store, q.expr, q.time!);
        obsBody = JSON.stringify({ status: 'success', data: result });
        obsMs.push(performance.now() - t);
      }
      const diff = firstDifference(JSON.parse(promBody).data, JSON.parse(obsBody).data);
      const same = diff === undefined ? 'yes' : `NO (${diff.slice(0, 200)})`;
      const p = median(promMs);
      const o = median(obsMs);
      rows.push(
        `${q.name.padEnd(72)} prometheus ${p.toFixed(1).padStart(8)} ms   obs ${o.toFixed(1).padStart(8)} ms   ratio ${(o / p).toFixed(2)}   same result: ${same}`,
      );
    }
    console.log(rows.join('\n'));
    const obsPeak = process.resourceUsage().maxRSS / 1024;
    console.log(
      `peak RSS: prometheus ${procPeakMiB(prom.pid!)} MiB (its TSDB head); obs bench process ${obsPeak.toFixed(0)} MiB, ` +
        `of which ${rssBefore.toFixed(0)} MiB before the first query (the raw Float64Array test data, ` +
        "which obs's store keeps compressed)",
    );
  } finally {
    prom.kill('SIGTERM');
    await new Promise((r) => prom.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
