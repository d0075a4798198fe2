/**
 * `npm run bench:logs`: issue 3's and 4's figures for the logs role. Starts
 * `obs run logs` in a child process (so RSS is the role's own), pushes
 * generated logfmt/JSON lines (~170 bytes, 45 streams, spread over 6 hours)
 * in batches of 1000 over 4 connections, then times the named queries
 * through the Loki HTTP API and prints them beside real Loki 3.0.0's.
 *
 * Options: --lines N (default 2000000), --runs N per query (5), --keep (leave the data dir),
 * --active (also time the queries while the day is still written, before and after a compactor
 * run, with compaction_interval 15s and 1000 more lines pushed every half second),
 * --concurrent N (N loops run the queries while the lines are pushed, with compaction_interval
 * 15s; reports how many ran and which failed: loads, compaction and queries share DuckDB's memory).
 * The role is started by bin/obs, as `obs run logs` ships.
 * OBS_BENCH_ROLE_NODE_FLAGS: more node flags for the role's process (as NODE_OPTIONS, e.g.
 * --cpu-prof); the role also inherits this process's environment.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../test/support/obs-cli.js';
import { procWords } from '../test/support/proc.js';
import { repoRoot } from '../test/support/repo.js';
import { median } from './stats.js';
import { rng } from '../test/support/rng.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const LINES = opt('lines', 2_000_000);
const ACTIVE = args.includes('--active');
const ACTIVE_INTERVAL_S = 15;
const CONCURRENT = opt('concurrent', 0);
const RUNS = opt('runs', 5);
const BATCH = 1000;
const CONNECTIONS = 4;
const SPAN_NS = 6n * 3_600_000_000_000n;

const root = repoRoot();

// ---- corpus ----

const JOBS = ['x', 'api', 'worker', 'proxy', 'billing'] as const;
const ENVS = ['sandbox', 'dev', 'prod'] as const;
const STREAMS = JOBS.flatMap((job) =>
  ENVS.flatMap((env) =>
    [1, 2, 3].map((n) => ({
      job,
      env,
      container_name: `${job}-${env}-${n}`,
      host: `${env}-0${n}`,
    })),
  ),
);
const PATHS = [
  '/api/v1/items',
  '/api/v1/orders',
  '/api/v1/users',
  '/healthz',
  '/api/v1/cart',
  '/login',
];
const LEVELS = ['info', 'info', 'info', 'info', 'debug', 'warn', 'error'];
const MSGS = ['request served', 'cache miss', 'upstream slow', 'job finished', 'retrying'];

function makeLine(r: () => number, i: number, job: string, tsMs: number): string {
  const level = LEVELS[Math.floor(r() * LEVELS.length)]!;
  const status = r() < 0.05 ? 500 + Math.floor(r() * 4) : r() < 0.1 ? 404 : 200;
  const dur = (r() * r() * 900 + 1).toFixed(1);
  const trace =
    Math.floor(r() * 2 ** 32)
      .toString(16)
      .padStart(8, '0') +
    Math.floor(r() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  const path = PATHS[Math.floor(r() * PATHS.length)]!;
  const msg = i % 199_999 === 7 ? 'rare-token seen' : MSGS[Math.floor(r() * MSGS.length)]!;
  const ts = new Date(tsMs).toISOString();
  if (job === 'worker' || job === 'billing') {
    return JSON.stringify({
      ts,
      level,
      msg,
      queue: path.slice(1).replaceAll('/', '.'),
      status,
      duration_ms: Number(dur),
      user: `u${Math.floor(r() * 500)}`,
      trace_id: trace,
    });
  }
  return `ts=${ts} level=${level} msg="${msg}" method=${r() < 0.8 ? 'GET' : 'POST'} path=${path} status=${status} duration=${dur}ms bytes=${Math.floor(r() * 9000)} user=u${Math.floor(r() * 500)} trace_id=${trace}`;
}

interface Batch {
  body: string;
  lines: number;
  bytes: number;
}

function makeBatch(b: number, startNs: bigint): Batch {
  const r = rng(b + 1);
  const byStream = new Map<number, [string, string][]>();
  let bytes = 0;
  for (let k = 0; k < BATCH; k++) {
    const i = b * BATCH + k;
    const s = Math.floor(r() * STREAMS.length);
    const ts = startNs + (SPAN_NS * BigInt(i)) / BigInt(LINES) + BigInt(Math.floor(r() * 1000));
    const line = makeLine(r, i, STREAMS[s]!.job, Number(ts / 1_000_000n));
    bytes += line.length;
    let v = byStream.get(s);
    if (!v) byStream.set(s, (v = []));
    v.push([ts.toString(), line]);
  }
  const streams = [...byStream].map(([s, values]) => ({ stream: STREAMS[s], values }));
  return { body: JSON.stringify({ streams }), lines: BATCH, bytes };
}

// ---- the role in a child process ----

/** Resident memory (MiB): in all, anonymous (heaps, buffers) and file-backed (code, mapped files). */
interface Rss {
  total: number;
  anon: number;
  file: number;
}

function rssOf(pid: number): Rss {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]) / 1024;
  return { total: kib('VmRSS'), anon: kib('RssAnon'), file: kib('RssFile') };
}

/** CPU seconds a process has used (user + system), from /proc/PID/stat. */
function cpuSecondsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
}

/**
 * Compiles the project into node_modules/.cache (tsc, as `npm run build`
 * does, without touching dist/ that other work may be using) beside a copy
 * of bin/obs, so that the role runs as shipped: started by its launcher
 * (node flags and environment of `obs run logs`), no tsx loader in its
 * memory or CPU figures. Returns the launcher.
 */
function compile(): string {
  const out = path.join(root, 'node_modules', '.cache', 'obs-bench-logs');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const dist = path.join(out, 'dist');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--outDir', dist], {
    cwd: root,
    encoding: 'utf8',
  });
  const main = path.join(dist, 'src', 'cli', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`tsc produced no ${main}:\n${r.stdout}${r.stderr}`);
  const launcher = path.join(out, 'bin', 'obs');
  fs.mkdirSync(path.dirname(launcher), { recursive: true });
  fs.copyFileSync(path.join(root, 'bin', 'obs'), launcher);
  return launcher;
}

/** The role's process as it runs: malloc environment and node flags, read back from /proc. */
function roleLaunch(pid: number): string {
  const env = procWords(pid, 'environ').filter(
    (w) => w.startsWith('MALLOC_') || w.startsWith('NODE_OPTIONS='),
  );
  const flags = procWords(pid, 'cmdline')
    .slice(1)
    .filter((w) => w.startsWith('--'));
  return [...env, 'node', ...flags].join(' ');
}

function startRole(launcher: string, config: string, port: number): ChildProcess {
  const extra = process.env.OBS_BENCH_ROLE_NODE_FLAGS;
  return spawn(
    launcher,
    [
      'run',
      'logs',
      `-config.file=${config}`,
      '-server.http-listen-address=127.0.0.1',
      `-server.http-listen-port=${port}`,
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      // Node flags for the role alone (e.g. --cpu-prof), not for this driver.
      env: extra ? { ...process.env, NODE_OPTIONS: extra } : process.env,
    },
  );
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('logs role did not become ready');
}

// ---- measurement ----

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-bench-logs-'));
  const config = path.join(dir, 'loki.yml');
  fs.writeFileSync(
    config,
    [
      'auth_enabled: false',
      'common:',
      `  path_prefix: ${dir}/data`,
      'limits_config:',
      '  ingestion_rate_mb: 1024',
      '  ingestion_burst_size_mb: 1024',
      '  discover_service_name: []',
      '  max_query_series: 100000',
      '  query_timeout: 5m',
      ...(ACTIVE || CONCURRENT > 0
        ? ['compactor:', `  compaction_interval: ${ACTIVE_INTERVAL_S}s`]
        : []),
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const launcher = compile();
  const child = startRole(launcher, config, port);
  const pid = child.pid!;
  // The largest sample since the last reset, with its split into anonymous and file-backed pages.
  const noSample: Rss = { total: 0, anon: 0, file: 0 };
  let peak = noSample;
  const sampler = setInterval(() => {
    const now = rssOf(pid);
    if (now.total > peak.total) peak = now;
  }, 50);
  let inner: NodeJS.Timeout | undefined;
  try {
    await waitReady(url);
    const launched = roleLaunch(pid);
    const count = async (name: string, labels = '(?:\\{[^}]*\\})?'): Promise<number> => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const m = new RegExp(`^${name}${labels} (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) : NaN;
    };
    /** A metric in bytes, in MiB. */
    const metric = async (name: string, labels?: string): Promise<number> =>
      (await count(name, labels)) / 2 ** 20;
    // The role's own view while it ingests and answers: V8 heap committed and DuckDB's memory.
    let maxHeap = 0;
    let maxDuck = 0;
    // The same per query, with V8's young generation (its two semi-spaces are all resident once grown).
    const each = { heap: 0, young: 0, duck: 0 };
    inner = setInterval(() => {
      metric('nodejs_heap_size_total_bytes').then(
        (v) => ((maxHeap = Math.max(maxHeap, v)), (each.heap = Math.max(each.heap, v))),
        () => 0,
      );
      metric('nodejs_heap_space_size_total_bytes', '\\{space="new"\\}').then(
        (v) => (each.young = Math.max(each.young, v)),
        () => 0,
      );
      metric('obs_logs_store_duckdb_memory_bytes').then(
        (v) => ((maxDuck = Math.max(maxDuck, v)), (each.duck = Math.max(each.duck, v))),
        () => 0,
      );
    }, 250);
    const idleRss = rssOf(pid).total;
    const endNs = BigInt(Date.now() - 10 * 60_000) * 1_000_000n;
    const startNs = endNs - SPAN_NS;

    // Queries over the whole 6 hours.
    const s = startNs.toString();
    const e = (endNs + 1n).toString();
    const q = (query: string, extra = ''): string =>
      `/loki/api/v1/query_range?query=${encodeURIComponent(query)}&start=${s}&end=${e}&limit=100${extra}`;
    const queries: { name: string; path: string; loki?: number }[] = [
      { name: 'needle |= "rare-token"', path: q('{job=~".+"} |= "rare-token"'), loki: 621 },
      { name: 'regex |~', path: q('{job=~".+"} |~ "status=50[23] .*user=u4[0-9]{2}"'), loki: 881 },
      {
        name: '| logfmt | status >= 500',
        path: q('{job=~".+"} | logfmt | status >= 500'),
        loki: 281,
      },
      {
        name: '| json | line_format',
        path: q('{job="worker"} | json | line_format "{{.level}} {{.msg}}"'),
        loki: 644,
      },
      {
        name: 'label values',
        path: `/loki/api/v1/label/container_name/values?start=${s}&end=${e}`,
        loki: 2,
      },
      {
        name: 'series',
        path: `/loki/api/v1/series?match[]=${encodeURIComponent('{env="sandbox"}')}&start=${s}&end=${e}`,
        loki: 6,
      },
      {
        name: 'count by level, 1m step',
        path: q('sum by (level) (count_over_time({job=~".+"} | logfmt [1m]))', '&step=60'),
        loki: 217,
      },
      {
        name: 'sum by container rate 5m',
        path: q('sum by (container_name) (rate({env="sandbox"} |= "error" [5m]))'),
        loki: 472,
      },
      {
        name: 'topk',
        path: q('topk(5, sum by (container_name) (rate({job=~".+"}[5m])))'),
        loki: 460,
      },
      {
        name: 'quantile_over_time unwrap',
        path: q(
          'quantile_over_time(0.99, {job="x"} | logfmt | unwrap duration(duration) [5m]) by (path)',
        ),
        loki: 302,
      },
    ];
    // Ingest: bodies are generated first so the client's work is not timed.
    const batches = Math.ceil(LINES / BATCH);
    const bodies: string[] = [];
    let bytes = 0;
    for (let b = 0; b < batches; b++) {
      const batch = makeBatch(b, startNs);
      bodies.push(batch.body);
      bytes += batch.bytes;
    }
    let next = 0;
    // With --concurrent N: N loops run the queries, each from its own start, until ingest ends.
    let ingesting = true;
    const during = { run: 0, failed: new Map<string, number>() };
    const loops = Array.from({ length: CONCURRENT }, async (_, loop) => {
      for (let i = loop; ingesting; i++) {
        const query = queries[i % queries.length]!;
        const res = await fetch(url + query.path);
        const text = await res.text();
        during.run++;
        if (!res.ok) {
          const key = `${query.name}: HTTP ${res.status} ${text.slice(0, 80)}`;
          during.failed.set(key, (during.failed.get(key) ?? 0) + 1);
        }
      }
    });
    const roleCpu0 = cpuSecondsOf(pid);
    const clientCpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        for (;;) {
          const b = next++;
          if (b >= batches) return;
          const res = await fetch(`${url}/loki/api/v1/push`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: bodies[b],
          });
          bodies[b] = '';
          if (res.status !== 204) throw new Error(`push: ${res.status} ${await res.text()}`);
        }
      }),
    );
    const ingestS = (performance.now() - t0) / 1000;
    ingesting = false;
    await Promise.all(loops);
    const reruns = await count('obs_logs_store_memory_reruns_total');
    const roleCpu = cpuSecondsOf(pid) - roleCpu0;
    const clientUsage = process.cpuUsage(clientCpu0);
    const clientCpu = (clientUsage.user + clientUsage.system) / 1e6;
    const ingestRss = peak.total;
    const ingestInner = [maxHeap, maxDuck];
    const timed = async (path: string, runs: number): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const res = await fetch(url + path);
        const text = await res.text();
        if (!res.ok) {
          process.stderr.write(`${path}: HTTP ${res.status} ${text.slice(0, 200)}\n`);
          return NaN;
        }
        times.push(performance.now() - t);
      }
      return median(times);
    };

    // The day still being written: before and after the compactor's run.
    let nextBatch = batches;
    let trickled = 0;
    const active: { name: string; before: number; after: number }[] = [];
    if (ACTIVE) {
      let pushing = Promise.resolve();
      const trickle = setInterval(() => {
        const batch = makeBatch(nextBatch++, startNs);
        trickled += batch.lines;
        pushing = pushing.then(async () => {
          await fetch(`${url}/loki/api/v1/push`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: batch.body,
          });
        });
      }, 500);
      const names = ['needle', 'regex', 'count by level', 'sum by container', 'topk', 'quantile'];
      const picked = queries.filter((x) => names.some((n) => x.name.startsWith(n)));
      for (const x of picked)
        active.push({ name: x.name, before: await timed(x.path, 3), after: 0 });
      await new Promise((r) => setTimeout(r, (2 * ACTIVE_INTERVAL_S + 5) * 1000));
      for (const [i, x] of picked.entries()) active[i]!.after = await timed(x.path, 3);
      clearInterval(trickle);
      await pushing;
    }
    await fetch(`${url}/flush`, { method: 'POST' });
    const disk = dirBytes(path.join(dir, 'data'));
    const afterIngestRss = rssOf(pid).total;
    maxHeap = 0;
    maxDuck = 0;
    const heapMiB = await metric('nodejs_heap_size_used_bytes');
    const heapTotalMiB = await metric('nodejs_heap_size_total_bytes');
    const duckMiB = await metric('obs_logs_store_duckdb_memory_bytes');
    const externalMiB = await metric('nodejs_external_memory_bytes');
    peak = noSample;

    const results: {
      name: string;
      ms: number;
      loki?: number;
      ok: boolean;
      peak: Rss;
      inner: typeof each;
    }[] = [];
    let queryRss = 0;
    for (const query of queries) {
      const times: number[] = [];
      let ok = true;
      peak = noSample;
      Object.assign(each, { heap: 0, young: 0, duck: 0 });
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        const res = await fetch(url + query.path);
        const text = await res.text();
        times.push(performance.now() - t);
        if (!res.ok) {
          ok = false;
          process.stderr.write(`${query.name}: HTTP ${res.status} ${text.slice(0, 200)}\n`);
          break;
        }
      }
      queryRss = Math.max(queryRss, peak.total);
      results.push({
        name: query.name,
        ms: median(times),
        loki: query.loki,
        ok,
        peak,
        inner: { ...each },
      });
    }

    const queryInner = [maxHeap, maxDuck];
    // Pushes keep flowing while a heavy query scans everything.
    const heavy = fetch(url + q('{job=~".+"} |~ "(?i)no-such-thing"', '&limit=5000'));
    const pushLat: number[] = [];
    for (let i = 0; i < 20; i++) {
      const batch = makeBatch(nextBatch++, startNs);
      const t = performance.now();
      await fetch(`${url}/loki/api/v1/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: batch.body,
      });
      pushLat.push(performance.now() - t);
    }
    await heavy;

    const fmt = (n: number, d = 0): string => n.toFixed(d).padStart(10);
    const out: string[] = [];
    out.push(
      `obs logs benchmark: ${LINES} lines (avg ${(bytes / LINES).toFixed(0)} B), ${STREAMS.length} streams, 6h, batches of ${BATCH} over ${CONNECTIONS} connections; role compiled, started by bin/obs as ${launched} (node ${process.version}); ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)}`,
    );
    out.push(
      `${'figure'.padEnd(34)}${'obs'.padStart(10)}${'Loki 3.0'.padStart(10)}  target; for queries also obs's max RSS (MiB)`,
    );
    out.push(
      `${'ingest lines/s'.padEnd(34)}${fmt(LINES / ingestS)}${fmt(160_000)}  >= 160000 (aim 320000)`,
    );
    if (CONCURRENT > 0) {
      const failed = [...during.failed.values()].reduce((a, b) => a + b, 0);
      out.push(
        `${`queries run / failed during ingest`.padEnd(34)}${fmt(during.run)}${fmt(failed)}  (${CONCURRENT} query loops)`,
      );
      for (const [what, n] of during.failed) out.push(`  ${n} x ${what}`);
      out.push(
        `${'  reruns at the burst memory limit'.padEnd(34)}${fmt(reruns)}  (obs_logs_store_memory_reruns_total)`,
      );
    }
    out.push(
      `${'  CPU cores used by role / client'.padEnd(34)}${fmt(roleCpu / ingestS, 2)}${fmt(clientCpu / ingestS, 2)}  (during ingest; the client pushes the bodies)`,
    );
    out.push(
      `${'disk bytes/line after flush'.padEnd(34)}${fmt(disk / (LINES + trickled), 1)}${fmt(38.7, 1)}  <= 38.7`,
    );
    out.push(`${'RSS idle (MiB)'.padEnd(34)}${fmt(idleRss)}${fmt(73)}`);
    out.push(`${'RSS max during ingest (MiB)'.padEnd(34)}${fmt(ingestRss)}${fmt(380)}  < 200`);
    out.push(
      `${'  JS heap committed / DuckDB max'.padEnd(34)}${fmt(ingestInner[0]!)}${fmt(ingestInner[1]!)}  (during ingest)`,
    );
    out.push(`${'RSS after ingest (MiB)'.padEnd(34)}${fmt(afterIngestRss)}${fmt(380)}  < 200`);
    out.push(
      `${'  of which JS heap / external (MiB)'.padEnd(34)}${fmt(heapMiB)}${fmt(externalMiB)}  (after ingest)`,
    );
    out.push(
      `${'  JS heap committed / DuckDB (MiB)'.padEnd(34)}${fmt(heapTotalMiB)}${fmt(duckMiB)}  (after ingest)`,
    );
    out.push(`${'RSS max while querying (MiB)'.padEnd(34)}${fmt(queryRss)}${fmt(670)}  < 200`);
    out.push(
      `${'  JS heap committed / DuckDB max'.padEnd(34)}${fmt(queryInner[0]!)}${fmt(queryInner[1]!)}  (while querying)`,
    );
    for (const r of results) {
      const target =
        r.loki === undefined
          ? ''
          : r.name.startsWith('needle') || r.name.startsWith('regex')
            ? `<= ${(r.loki / 5).toFixed(0)} (aim ${(r.loki / 10).toFixed(0)})`
            : `<= ${(r.loki / 2).toFixed(0)}`;
      out.push(
        `${(r.name + ' (ms, median)').padEnd(34)}${r.ok ? fmt(r.ms, 1) : '     error'}${fmt(r.loki ?? NaN)}  ${target.padEnd(20)} RSS ${r.peak.total.toFixed(0)}`,
      );
    }
    out.push(
      `${'peak RSS split (MiB)'.padEnd(34)}${'file'.padStart(10)}${'anon'.padStart(10)}  of anon, max over the query's runs: V8 committed (young) / DuckDB buffers`,
    );
    for (const r of results) {
      // A query answered within one sampling interval has no figures of its own.
      const split =
        r.peak.total === 0
          ? `${''.padStart(20)}  (no sample)`
          : `${fmt(r.peak.file)}${fmt(r.peak.anon)}  ${r.inner.heap.toFixed(0)} (${r.inner.young.toFixed(0)}) / ${r.inner.duck.toFixed(0)}`;
      out.push(`${('  ' + r.name).padEnd(34)}${split}`);
    }
    if (ACTIVE) {
      out.push(
        `${'day still written (ms, median)'.padEnd(34)}${'before'.padStart(10)}${'after'.padStart(10)}  the compactor's run (interval ${ACTIVE_INTERVAL_S}s; ${trickled} lines pushed meanwhile)`,
      );
      for (const x of active) {
        out.push(`${('  ' + x.name).padEnd(34)}${fmt(x.before, 1)}${fmt(x.after, 1)}`);
      }
    }
    out.push(
      `${'push latency under heavy scan (ms)'.padEnd(34)}${fmt(median(pushLat), 1)}${''.padStart(10)}  (median of 20 pushes of 1000 lines)`,
    );
    console.log(out.join('\n'));
  } finally {
    clearInterval(sampler);
    clearInterval(inner);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    if (!args.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`data kept in ${dir}`);
  }
}

await main();
