/**
 * npm run bench:promql — obs's real metrics store + PromQL engine + API (a
 * child process from dist/, see obs-server.ts) against a real Prometheus
 * (Debian's `prometheus`, 2.42), both fed the same remote-write bodies in
 * time order in the same run, with the queries of issue 6:
 *   1. sum by (job) (rate(x[5m])) over 1,000 counters, 1h step across BENCH_DAYS (15) days
 *   2. histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m]))) over 1 day at a 5m step
 *   3. a regex selector across 100,000 series
 * Latency is the median of RUNS HTTP round trips, alternating between the two
 * servers; peak RSS is each server's VmHWM over the query set (reset before it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import snappy from 'snappy';
import type { Labels } from '../src/common/labels.js';
import { encodeWriteRequest } from '../src/metrics/remote/sender/index.js';
import { procMemMiB, resetPeak, startObs, startPrometheus } from './obs-server.js';
import { median } from './stats.js';

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

const TOTAL = (DAYS * 86_400_000) / STEP_MS + 1;
const DAY_FIRST = (DAY_START_MS - START_MS) / STEP_MS;

/**
 * A series whose samples sit at START_MS + i*STEP_MS for i in [first, first + n);
 * `fill(from, out)` writes values from index `from` on, called in time order,
 * so 15 days of counters are generated slice by slice instead of held.
 */
interface GenSeries {
  labels: Labels;
  first: number;
  n: number;
  fill(from: number, out: Float64Array): void;
}

function counter(seed: number): (from: number, out: Float64Array) => void {
  let acc = 1000 + (seed % 97);
  return (from, out) => {
    for (let k = 0; k < out.length; k++) {
      acc += (((from + k) * 2654435761 + seed * 40503) >>> 0) % 17;
      out[k] = acc;
    }
  };
}

function buildData(): GenSeries[] {
  const out: GenSeries[] = [];
  for (let s = 0; s < COUNTERS; s++) {
    out.push({
      labels: { __name__: 'x', job: `job${s % 16}`, instance: `host${s}` },
      first: 0,
      n: TOTAL,
      fill: counter(s),
    });
  }
  const dayN = TOTAL - DAY_FIRST;
  for (let inst = 0; inst < HIST_INSTANCES; inst++) {
    const base = new Float64Array(dayN);
    counter(10_000 + inst)(0, base);
    BUCKETS.forEach((le, b) => {
      const share = (b + 1) / BUCKETS.length;
      out.push({
        labels: { __name__: 'h_bucket', instance: `host${inst}`, le },
        first: DAY_FIRST,
        n: dayN,
        fill: (from, o) => {
          for (let k = 0; k < o.length; k++) o[k] = Math.floor(base[from + k]! * share * share);
        },
      });
    });
  }
  for (let id = 0; id < REGEX_SERIES; id++) {
    out.push({
      labels: { __name__: 'y', id: String(id), group: `g${id % 100}` },
      first: TOTAL - 2,
      n: 2,
      fill: (from, o) => {
        for (let k = 0; k < o.length; k++) o[k] = id + from + k;
      },
    });
  }
  return out;
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

/** POSTs one snappy body to every server at once; both take it or the bench stops. */
async function post(bases: string[], body: Buffer): Promise<void> {
  await Promise.all(
    bases.map(async (base) => {
      const res = await fetch(`${base}/api/v1/write`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-protobuf',
          'Content-Encoding': 'snappy',
          'X-Prometheus-Remote-Write-Version': '0.1.0',
        },
        body,
      });
      if (!res.ok) throw new Error(`remote write to ${base}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }),
  );
}

/**
 * Time slices of 30 minutes across all series, in time order, so every sample
 * lands inside both heads' appendable windows; each body goes to every server.
 */
async function remoteWrite(bases: string[], data: GenSeries[]): Promise<number> {
  const sliceMs = 1_800_000;
  let sent = 0;
  const inflight = new Set<Promise<void>>();
  for (let t = START_MS; t <= END_MS; t += sliceMs) {
    let batch: { labels: Labels; timestamps: number[]; values: Float64Array }[] = [];
    let inBatch = 0;
    const flush = (): void => {
      const body = snappy.compressSync(Buffer.from(encodeWriteRequest(batch))) as Buffer;
      batch = [];
      inBatch = 0;
      const p = post(bases, body).finally(() => inflight.delete(p));
      inflight.add(p);
    };
    for (const s of data) {
      const a = Math.max(0, Math.ceil((t - START_MS) / STEP_MS) - s.first);
      const b = Math.min(s.n - 1, Math.floor((t + sliceMs - 1 - START_MS) / STEP_MS) - s.first);
      if (b < a) continue;
      const timestamps: number[] = [];
      for (let i = a; i <= b; i++) timestamps.push(START_MS + (s.first + i) * STEP_MS);
      const values = new Float64Array(b - a + 1);
      s.fill(a, values);
      batch.push({ labels: s.labels, timestamps, values });
      inBatch += b - a + 1;
      sent += b - a + 1;
      if (inBatch >= 10_000) {
        flush();
        if (inflight.size >= 4) await Promise.race(inflight);
      }
    }
    if (inBatch > 0) flush();
    await Promise.all(inflight);
  }
  return sent;
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

  const data = buildData();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-bench-promql-'));
  const prom = await startPrometheus(dir, '100y');
  const obs = await startObs(100 * 365);
  const servers = [
    { name: 'prometheus', base: prom.base, pid: prom.proc.pid! },
    { name: 'obs', base: obs.base, pid: obs.proc.pid! },
  ];
  try {
    const t0 = Date.now();
    const sent = await remoteWrite(
      servers.map((s) => s.base),
      data,
    );
    console.log(
      `remote-wrote ${sent} samples (${DAYS}d) into Prometheus and obs in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
    );
    // Let both finish cutting blocks out of their heads before measuring.
    await new Promise((r) => setTimeout(r, 5000));
    const before = servers.map((s) => procMemMiB(s.pid));
    for (const s of servers) resetPeak(s.pid);
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
      const ms: number[][] = servers.map(() => []);
      const bodies: string[] = servers.map(() => '');
      // The first run of each warms caches and is not counted; runs alternate servers.
      for (let r = 0; r <= RUNS; r++) {
        for (const [k, s] of servers.entries()) {
          const t = performance.now();
          const res = await fetch(`${s.base}/api/v1/${endpoint}`, {
            method: 'POST',
            body: new URLSearchParams(params),
          });
          bodies[k] = await res.text();
          if (r > 0) ms[k]!.push(performance.now() - t);
        }
      }
      const diff = firstDifference(JSON.parse(bodies[0]!).data, JSON.parse(bodies[1]!).data);
      const same = diff === undefined ? 'yes' : `NO (${diff.slice(0, 200)})`;
      const p = median(ms[0]!);
      const o = median(ms[1]!);
      rows.push(
        `${q.name.padEnd(72)} prometheus ${p.toFixed(1).padStart(8)} ms   obs ${o.toFixed(1).padStart(8)} ms   ratio ${(o / p).toFixed(2)}   same result: ${same}`,
      );
    }
    console.log(rows.join('\n'));
    const after = servers.map((s) => procMemMiB(s.pid));
    const [pb, ob] = before;
    const [pa, oa] = after;
    console.log(
      `RSS after ingest (MiB): prometheus ${pb!.rss.toFixed(0)} (ingest peak ${pb!.peak.toFixed(0)}), ` +
        `obs ${ob!.rss.toFixed(0)} (ingest peak ${ob!.peak.toFixed(0)})`,
    );
    console.log(
      `peak RSS during the query set (MiB): prometheus ${pa!.peak.toFixed(0)}, obs ${oa!.peak.toFixed(0)}, ` +
        `ratio ${(oa!.peak / pa!.peak).toFixed(2)}`,
    );
  } finally {
    for (const proc of [prom.proc, obs.proc]) {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(obs.dir, { recursive: true, force: true });
  }
}

await main();
