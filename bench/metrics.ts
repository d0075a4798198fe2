/**
 * npm run bench:metrics — obs's metrics store + Prometheus API against a real
 * Prometheus (Debian's `prometheus`), both fed the same remote-write bodies in
 * the same run. Each server runs in its own process so RSS is comparable; obs
 * runs from dist/ (the script builds first), not through tsx.
 *
 * Data set A: 5,000 series at 15s over SPAN_H hours (a compressed stand-in for
 * 15 days; bytes per sample are measured on compacted blocks only), a third
 * each counters, random-walk gauges and rarely-flipping 0/1 states, with
 * millisecond scrape jitter. Data set B: 5,000 more series over the last hour,
 * so RSS is read at 10,000 series.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import snappy from 'snappy';
import { procMemMiB, startObs, startPrometheus, type BenchServer } from './obs-server.js';
import { rng } from '../test/support/rng.js';

const SERIES = 5000;
const SPAN_H = Number(process.env.BENCH_SPAN_H ?? 6);
const STEP_MS = 15_000;
const WINDOW = 40; // samples per series per request window (10 min)
const SERIES_PER_REQ = 50; // 50 x 40 = 2,000 samples per request, Prometheus's max_samples_per_send
const INFLIGHT = 4;
const RUNS = 11;
/** Quiet time before RSS at 10k series is read, the same for both servers. */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 10_000);

// ---- protobuf WriteRequest encoding, sized up front so each body is one buffer.
function varintLen(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

class Out {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  varint(v: number): void {
    while (v >= 128) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  bytes(tag: number, b: Buffer): void {
    this.buf[this.pos++] = tag;
    this.varint(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
}

interface ReqSeries {
  labels: [Buffer, Buffer][];
  ts: number[];
  vs: number[];
}

function encode(series: ReqSeries[]): Buffer {
  const sizes = series.map((s) => {
    let n = 0;
    for (const [k, v] of s.labels) {
      const l = 1 + varintLen(k.length) + k.length + 1 + varintLen(v.length) + v.length;
      n += 1 + varintLen(l) + l;
    }
    for (const t of s.ts) {
      const l = 9 + 1 + varintLen(t);
      n += 1 + varintLen(l) + l;
    }
    return n;
  });
  const total = sizes.reduce((a, n) => a + 1 + varintLen(n) + n, 0);
  const o = new Out(Buffer.alloc(total));
  series.forEach((s, i) => {
    o.buf[o.pos++] = 0x0a;
    o.varint(sizes[i]!);
    for (const [k, v] of s.labels) {
      o.buf[o.pos++] = 0x0a;
      o.varint(1 + varintLen(k.length) + k.length + 1 + varintLen(v.length) + v.length);
      o.bytes(0x0a, k);
      o.bytes(0x12, v);
    }
    s.ts.forEach((t, j) => {
      o.buf[o.pos++] = 0x12;
      o.varint(9 + 1 + varintLen(t));
      o.buf[o.pos++] = 0x09;
      o.buf.writeDoubleLE(s.vs[j]!, o.pos);
      o.pos += 8;
      o.buf[o.pos++] = 0x10;
      o.varint(t);
    });
  });
  return o.buf;
}

/** Time-major request bodies: every series' window k before any window k+1 (Prometheus's head needs it). */
function generate(
  name: (i: number) => string,
  offset: number,
  startMs: number,
  samples: number,
  seed: number,
): { bodies: Buffer[]; samples: number } {
  const rnd = rng(seed);
  const labels = Array.from({ length: SERIES }, (_, i): [Buffer, Buffer][] => {
    const id = i + offset;
    return [
      [Buffer.from('__name__'), Buffer.from(name(id))],
      [Buffer.from('id'), Buffer.from(String(id))],
      [Buffer.from('instance'), Buffer.from(`host-${id % 50}:9100`)],
      [Buffer.from('job'), Buffer.from('bench')],
    ];
  });
  const state = Array.from({ length: SERIES }, () => rnd() * 100);
  const bodies: Buffer[] = [];
  for (let w = 0; w < samples; w += WINDOW) {
    for (let s0 = 0; s0 < SERIES; s0 += SERIES_PER_REQ) {
      const batch: ReqSeries[] = [];
      for (let i = s0; i < s0 + SERIES_PER_REQ; i++) {
        const ts: number[] = [];
        const vs: number[] = [];
        for (let k = w; k < Math.min(w + WINDOW, samples); k++) {
          ts.push(startMs + k * STEP_MS + Math.floor(rnd() * 5));
          const kind = (i + offset) % 3;
          if (kind === 0) state[i]! += Math.floor(rnd() * 100);
          else if (kind === 1) state[i] = Math.round((state[i]! + (rnd() - 0.5) * 4) * 100) / 100;
          else if (rnd() < 0.01) state[i] = state[i]! > 50 ? 0 : 100;
          vs.push(kind === 2 ? (state[i]! > 50 ? 1 : 0) : state[i]!);
        }
        batch.push({ labels: labels[i]!, ts, vs });
      }
      bodies.push(snappy.compressSync(encode(batch)) as Buffer);
    }
  }
  return { bodies, samples: SERIES * samples };
}

const metricName = (id: number): string =>
  ['bench_counter_total', 'bench_gauge', 'bench_state'][id % 3]!;

// ---- servers
type Server = BenchServer;

async function ingest(server: Server, bodies: Buffer[]): Promise<number> {
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const res = await fetch(`${server.base}/api/v1/write`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-protobuf',
          'content-encoding': 'snappy',
          'x-prometheus-remote-write-version': '0.1.0',
        },
        body,
      });
      if (res.status !== 204) {
        failures++;
        if (failures < 3) console.error(server.name, res.status, await res.text());
      } else await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: INFLIGHT }, worker));
  if (failures) console.error(`${server.name}: ${failures} failed requests`);
  return performance.now() - started;
}

function dirBytes(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.size;
  return fs.readdirSync(p).reduce((n, f) => n + dirBytes(path.join(p, f)), 0);
}

/** Bytes and samples in compacted blocks (ULID dirs with meta.json), WAL and head excluded. */
function blockStats(dir: string): { bytes: number; samples: number; blocks: number } {
  let bytes = 0;
  let samples = 0;
  let blocks = 0;
  for (const f of fs.readdirSync(dir)) {
    const meta = path.join(dir, f, 'meta.json');
    if (!/^[0-9A-Z]{26}$/.test(f) || !fs.existsSync(meta)) continue;
    blocks++;
    bytes += dirBytes(path.join(dir, f));
    samples += (JSON.parse(fs.readFileSync(meta, 'utf8')) as { stats: { numSamples: number } })
      .stats.numSamples;
  }
  return { bytes, samples, blocks };
}

async function settleBlocks(server: Server): Promise<void> {
  let last = -1;
  for (let i = 0; i < 60; i++) {
    const n = blockStats(server.blocksDir).blocks;
    if (n === last && n > 0) return;
    last = n;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/**
 * Median latency of one query on each server, runs alternating between them
 * so that load from elsewhere on the host hits both alike.
 */
async function timeQueries(servers: Server[], params: string): Promise<number[]> {
  const times: number[][] = servers.map(() => []);
  for (let i = 0; i <= RUNS; i++) {
    for (const [k, server] of servers.entries()) {
      const started = performance.now();
      const res = await fetch(`${server.base}/api/v1/${params}`);
      const body = (await res.json()) as { status: string; error?: string };
      if (body.status !== 'success') throw new Error(`${server.name} ${params}: ${body.error}`);
      if (i > 0) times[k]!.push(performance.now() - started); // the first run warms caches
    }
  }
  return times.map((ts) => ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)]!);
}

async function main(): Promise<void> {
  const samplesPerSeries = (SPAN_H * 3600_000) / STEP_MS;
  const end = Math.floor(Date.now() / STEP_MS) * STEP_MS - 60_000;
  const start = end - SPAN_H * 3600_000;
  console.log(`generating ${SERIES} series x ${samplesPerSeries} samples (${SPAN_H}h at 15s)...`);
  const a = generate(metricName, 0, start, samplesPerSeries, 1);
  const bSamples = 3600_000 / STEP_MS;
  const b = generate(() => 'bench_extra', SERIES, end - 3600_000 + STEP_MS, bSamples, 2);

  const prom = await startPrometheus(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-prom-')), '30d');
  const obs = await startObs();
  const results: Record<string, Record<string, number>> = { obs: {}, prometheus: {} };
  try {
    for (const s of [obs, prom]) {
      const r = results[s.name]!;
      r.idleRss = procMemMiB(s.proc.pid!).rss;
      const ms = await ingest(s, a.bodies);
      r.ingest = a.samples / (ms / 1000);
      console.log(`${s.name}: ingested ${a.samples} samples in ${(ms / 1000).toFixed(1)} s`);
    }
    // RSS at 10k series is read before any query, so query buffers do not
    // count, and SETTLE_MS after each server's last write: the steady figure,
    // once each runtime has had time to give back what the burst grew.
    const reads: Promise<void>[] = [];
    for (const s of [obs, prom]) {
      await ingest(s, b.bodies);
      reads.push(
        new Promise<void>((r) => setTimeout(r, SETTLE_MS)).then(() => {
          results[s.name]!.rss10k = procMemMiB(s.proc.pid!).rss;
        }),
      );
    }
    await Promise.all(reads);
    for (const s of [obs, prom]) {
      await settleBlocks(s);
      const st = blockStats(s.blocksDir);
      results[s.name]!.bytesPerSample = st.bytes / st.samples;
      results[s.name]!.blockSamples = st.samples;
      results[s.name]!.diskMiB = dirBytes(s.blocksDir) / 1048576;
    }
    const t = end / 1000;
    const queries: [string, string][] = [
      ['instant, 1 series', `query?query=bench_gauge{id="4"}&time=${t}`],
      [
        'instant, rate over 1,667 series',
        `query?query=${encodeURIComponent('sum by (instance) (rate(bench_counter_total[5m]))')}&time=${t}`,
      ],
      [
        'instant, regex over all series',
        `query?query=${encodeURIComponent('count({__name__=~"bench_.+"})')}&time=${t}`,
      ],
      [
        `range ${SPAN_H}h, 1 series, 1m step`,
        `query_range?query=${encodeURIComponent('rate(bench_counter_total{id="3"}[5m])')}&start=${t - SPAN_H * 3600}&end=${t}&step=60`,
      ],
      [
        `range ${SPAN_H}h, 1,667 series, 1h step`,
        `query_range?query=${encodeURIComponent('sum by (instance) (rate(bench_counter_total[5m]))')}&start=${t - SPAN_H * 3600}&end=${t}&step=3600`,
      ],
    ];
    for (const [label, q] of queries) {
      const [o, p] = await timeQueries([obs, prom], q);
      results.obs![label] = o!;
      results.prometheus![label] = p!;
    }
    const rows: [string, (n: number) => string, string][] = [
      ['remote-write ingest (samples/s)', (n) => Math.round(n).toLocaleString('en-US'), 'ingest'],
      ['bytes/sample in compacted blocks', (n) => n.toFixed(2), 'bytesPerSample'],
      ['samples in compacted blocks', (n) => n.toLocaleString('en-US'), 'blockSamples'],
      ['data dir, both sets (MiB)', (n) => n.toFixed(1), 'diskMiB'],
      ['RSS idle (MiB)', (n) => n.toFixed(0), 'idleRss'],
      ['RSS at 10k series (MiB)', (n) => n.toFixed(0), 'rss10k'],
      ...queries.map(([label]): [string, (n: number) => string, string] => [
        `median ms: ${label}`,
        (n) => n.toFixed(1),
        label,
      ]),
    ];
    console.log(`\n| metric | obs | prometheus 2.42 | obs/prom |\n|---|---|---|---|`);
    for (const [label, fmt, key] of rows) {
      const o = results.obs![key]!;
      const p = results.prometheus![key]!;
      console.log(`| ${label} | ${fmt(o)} | ${fmt(p)} | ${(o / p).toFixed(2)} |`);
    }
  } finally {
    for (const s of [obs, prom]) {
      s.proc.kill('SIGTERM');
      await new Promise((r) => s.proc.once('exit', r));
      fs.rmSync(s.dir, { recursive: true, force: true });
    }
  }
}

await main();
