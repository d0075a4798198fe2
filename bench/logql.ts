/**
 * `npm run bench:logql`: the LogQL engine alone, over the in-memory reader
 * (no storage cost), on the kind of corpus `bench:logs` pushes: how much of a
 * query's time the engine itself takes per line.
 *
 * Options: --lines N (default 500000), --runs N per query (5).
 */
import { runQuery } from '../src/logs/logql/index.js';
import { MemoryLogReader } from '../test/support/memory-log-reader.js';
import { rng } from '../test/support/rng.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const LINES = opt('lines', 500_000);
const RUNS = opt('runs', 5);
const S = 1_000_000_000n;
const BASE = 1_762_732_800n * S;
const SPAN = 6n * 3600n * S;

const r = rng(1);
const jobs = ['x', 'api', 'worker', 'proxy', 'billing'];
const envs = ['sandbox', 'dev', 'prod'];
const streams = jobs.flatMap((job) =>
  envs.map((env) => ({
    labels: { job, env, container_name: `${job}-${env}` },
    entries: [] as { timestamp: bigint; line: string }[],
  })),
);
const levels = ['info', 'info', 'info', 'debug', 'warn', 'error'];
const paths = ['/api/v1/items', '/api/v1/orders', '/healthz', '/login'];
for (let i = 0; i < LINES; i++) {
  const s = streams[Math.floor(r() * streams.length)]!;
  const status = r() < 0.05 ? 503 : 200;
  const line = `ts=2026-11-10T00:00:00Z level=${levels[Math.floor(r() * levels.length)]} msg="request served" method=GET path=${paths[Math.floor(r() * paths.length)]} status=${status} duration=${(r() * 900 + 1).toFixed(1)}ms bytes=${Math.floor(r() * 9000)} trace_id=${Math.floor(r() * 2 ** 32).toString(16)}`;
  s.entries.push({ timestamp: BASE + (SPAN * BigInt(i)) / BigInt(LINES), line });
}
const reader = new MemoryLogReader();
reader.push(streams);

// The store's own cost is not measured: time a plain read of everything as the baseline.
async function readAll(): Promise<number> {
  let n = 0;
  for await (const b of reader.selectEntries({
    matchers: [{ type: '=~', name: 'job', value: '.+' }],
    filters: [],
    startNs: BASE,
    endNs: BASE + SPAN,
    direction: 'forward',
  }))
    n += b.length;
  return n;
}

const queries: [string, string, bigint][] = [
  ['read every entry (memory reader)', '', 0n],
  ['| logfmt | status >= 500 (log, limit 100)', '{job=~".+"} | logfmt | status >= 500', 0n],
  ['count by level, 1m step', 'sum by (level) (count_over_time({job=~".+"} | logfmt [1m]))', 60n],
  [
    'quantile_over_time unwrap',
    'quantile_over_time(0.99, {job="x"} | logfmt | unwrap duration(duration) [5m]) by (path)',
    86n,
  ],
  ['topk of rate (pushed down)', 'topk(5, sum by (container_name) (rate({job=~".+"}[5m])))', 86n],
];

console.log(`LogQL engine over the memory reader: ${LINES} lines, ${RUNS} runs, median ms`);
for (const [name, query, step] of queries) {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    if (query === '') await readAll();
    else
      await runQuery(reader, {
        query,
        startNs: BASE,
        endNs: BASE + SPAN,
        ...(step > 0n ? { stepNs: step * S } : {}),
        instant: false,
        direction: 'backward',
        limit: 100,
        maxSeries: 100000,
      });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(`${name.padEnd(48)}${times[Math.floor(times.length / 2)]!.toFixed(1).padStart(10)}`);
}
