/**
 * The agent's figures for issue 7.
 *
 * 1. Throughput: lines per second from files into the embedded log store,
 *    through local.file_match → loki.source.file → loki.process (the
 *    seed's static labels) → loki.write handing batches to the store in
 *    memory (batch_wait 10ms, see `config`). Baseline in the same run: the
 *    store alone, fed the same lines in the same batch sizes (the ceiling
 *    the agent runs against). CPU is
 *    this process's user+system time over the wall time (one JS thread;
 *    the store's DuckDB is limited to one thread). Also the agent alone,
 *    into a sink that acknowledges at once: its own ceiling.
 * 2. Steady state: 1,000 lines/s from 10 containers of a private Docker
 *    engine (about 10 lines/s each) and a child process appending the rest
 *    over 50 files (files only when no engine can be started). The agent,
 *    in a process of its own, ships them to a sink that acknowledges at
 *    once, so only the agent's work is measured: its CPU as % of one core
 *    and its RSS/heap growth over the process before it started (after a
 *    full GC at both ends; RSS also at its peak). Baseline
 *    in the same run: the same agent while nothing is written.
 *
 *   npm run bench:agent                 # 3 runs of 300,000 lines; 20 s steady window
 *   LINES=1000000 STEADY_S=60 CONTAINERS=0 npm run bench:agent
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createAgentRole } from '../src/agent/index.js';
import { checkAlloyConfig } from '../src/agent/runtime/index.js';
import { COMPONENTS } from '../src/agent/components/registry.js';
import type { LogSink, LogStream } from '../src/logs/index.js';
import { createLogsRole, loadLokiConfig } from '../src/logs/index.js';
import { median } from './stats.js';

const LINES = Number(process.env.LINES ?? 300_000);
const RUNS = Number(process.env.RUNS ?? 3);
const FILES = 10;
const STEADY_FILES = 50;
const STEADY_RATE = 1000;
const CONTAINERS = Number(process.env.CONTAINERS ?? 10);
/** Each container prints about 10 lines/s; the files carry the rest of STEADY_RATE. */
const CONTAINER_RATE = 10;
const DOCKERD_DIR = '/tmp/obs-dockerd-bench-agent';
const STEADY_S = Number(process.env.STEADY_S ?? 20);
const SLICE_S = 5;
const PUSH_URL = 'http://127.0.0.1:3100/loki/api/v1/push';

function dockerPipeline(host: string): string {
  return `discovery.docker "bench" {
  host = "${host}"
}
discovery.relabel "bench" {
  targets = discovery.docker.bench.targets
  rule {
    source_labels = ["__meta_docker_container_name"]
    regex         = "/(.*)"
    target_label  = "container_name"
  }
}
loki.source.docker "bench" {
  host       = "${host}"
  targets    = discovery.relabel.bench.output
  labels     = { job = "dockerlogs" }
  forward_to = [loki.process.main.receiver]
}
`;
}

/**
 * `batchWait` unset keeps loki.write's default (1s, as Alloy): the steady
 * phase measures that. The throughput phase sets it short: full batches
 * leave at once either way, and only the last, partial one would wait —
 * a second of latency, not throughput, at the end of a one-second run.
 */
function config(dir: string, dockerHost?: string, batchWait?: string): string {
  return `${dockerHost ? dockerPipeline(dockerHost) : ''}local.file_match "bench" {
  path_targets = [{ __path__ = "${dir}/*.log", job = "tool_sink" }]
  sync_period  = "1s"
}
loki.source.file "bench" {
  targets    = local.file_match.bench.targets
  forward_to = [loki.process.main.receiver]
}
loki.process "main" {
  stage.static_labels {
    values = { env = "sandbox", host = "bench" }
  }
  forward_to = [loki.write.default.receiver]
}
loki.write "default" {
  endpoint {
    url = "${PUSH_URL}"${
      batchWait
        ? `
    batch_wait = "${batchWait}"`
        : ''
    }
  }
}
`;
}

function line(file: number, i: number): string {
  return `2024-03-01T10:00:00.000Z level=info file=${file} seq=${i} msg="request served" path=/api/v1/items status=200 dur_ms=${i % 97}`;
}

/** A sink that counts what it accepted and resolves `done` at `target` lines. */
function counting(inner: LogSink | undefined, target: number) {
  let count = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const sink: LogSink = {
    async push(streams: LogStream[]) {
      if (inner) await inner.push(streams);
      for (const s of streams) count += s.entries.length;
      if (count >= target) resolveDone();
    },
  };
  return { sink, done, count: () => count };
}

/**
 * The logs role as `obs up` embeds it, with ingestion limits raised so the
 * benchmark measures throughput rather than Loki's default 4 MB/s rate limit.
 */
async function logsRole(dir: string) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'loki-config.yml');
  writeFileSync(
    file,
    [
      'auth_enabled: false',
      'common:',
      `  path_prefix: ${dir}`,
      'limits_config:',
      '  ingestion_rate_mb: 4096',
      '  ingestion_burst_size_mb: 8192',
      '  per_stream_rate_limit: 4GB',
      '  per_stream_rate_limit_burst: 8GB',
      '',
    ].join('\n'),
  );
  const role = await createLogsRole(
    { logger: pino({ level: 'warn' }), dataDir: dir, listenHost: '127.0.0.1' },
    { config: await loadLokiConfig(file), port: 0 },
  );
  await role.start();
  return role;
}

/** Stops a logs role; a failure there is the store's, reported but not fatal to the figures. */
async function stopLogs(role: { stop(): Promise<void> }): Promise<void> {
  try {
    await role.stop();
  } catch (err) {
    console.error(`warning: stopping the logs role failed: ${(err as Error).message}`);
  }
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function throughputRun(): Promise<{
  agent: number;
  agentCpu: number;
  store: number;
  agentAlone: number;
}> {
  const root = mkdtempSync(join(tmpdir(), 'obs-bench-agent-'));
  const logs = join(root, 'logs');
  mkdirSync(logs);
  const perFile = Math.ceil(LINES / FILES);
  const total = perFile * FILES;
  for (let f = 0; f < FILES; f++) {
    const lines: string[] = [];
    for (let i = 0; i < perFile; i++) lines.push(line(f, i));
    writeFileSync(join(logs, `f${f}.log`), lines.join('\n') + '\n');
  }
  // Baseline: the store alone, same lines, batches of 1,000 per stream.
  const baseStore = await logsRole(join(root, 'base'));
  let t0 = performance.now();
  const pushes: Promise<void>[] = [];
  for (let f = 0; f < FILES; f++) {
    for (let i = 0; i < perFile; i += 1000) {
      const entries = [];
      for (let k = i; k < Math.min(perFile, i + 1000); k++) {
        entries.push({ timestamp: BigInt(Date.now()) * 1_000_000n + BigInt(k), line: line(f, k) });
      }
      pushes.push(
        baseStore.sink.push([
          {
            labels: { env: 'sandbox', host: 'bench', job: 'tool_sink', filename: `f${f}` },
            entries,
          },
        ]),
      );
    }
  }
  await Promise.all(pushes);
  const store = total / ((performance.now() - t0) / 1000);
  await stopLogs(baseStore);

  const logStore = await logsRole(join(root, 'store'));
  const counter = counting(logStore.sink, total);
  const role = await createAgentRole(
    { logger: pino({ level: 'warn' }), dataDir: join(root, 'agent'), listenHost: '127.0.0.1' },
    {
      config: checkAlloyConfig('bench.alloy', config(logs, undefined, '10ms'), COMPONENTS),
      inProcessLogs: { pushUrl: PUSH_URL, sink: counter.sink },
    },
  );
  t0 = performance.now();
  const c0 = cpuMs();
  await role.start();
  await counter.done;
  const wall = performance.now() - t0;
  const cpu = cpuMs() - c0;
  await role.stop();
  await stopLogs(logStore);

  // The agent's own ceiling: the same files into a sink that acknowledges at once.
  const nullCounter = counting(undefined, total);
  const alone = await createAgentRole(
    { logger: pino({ level: 'warn' }), dataDir: join(root, 'agent2'), listenHost: '127.0.0.1' },
    {
      config: checkAlloyConfig('bench.alloy', config(logs, undefined, '10ms'), COMPONENTS),
      inProcessLogs: { pushUrl: PUSH_URL, sink: nullCounter.sink },
    },
  );
  t0 = performance.now();
  await alone.start();
  await nullCounter.done;
  const agentAlone = total / ((performance.now() - t0) / 1000);
  await alone.stop();
  rmSync(root, { recursive: true, force: true });
  return { agent: total / (wall / 1000), agentCpu: cpu / wall, store, agentAlone };
}

const WRITER = `
const fs = require('node:fs');
const [dir, files, rate] = process.argv.slice(1);
const fds = [];
for (let f = 0; f < +files; f++) fds.push(fs.openSync(dir + '/s' + f + '.log', 'a'));
let seq = 0;
const perTick = +rate / 10;
setInterval(() => {
  for (let k = 0; k < perTick; k++) {
    const f = seq % +files;
    fs.writeSync(fds[f], 'level=info file=' + f + ' seq=' + (seq++) + ' msg="steady state line for the agent benchmark"\\n');
  }
}, 100);
`;

interface CpuWindow {
  median: number;
  min: number;
  max: number;
}

interface SteadyResult {
  idleCpu: CpuWindow;
  busyCpu: CpuWindow;
  rss0MiB: number;
  rssMiB: number;
  rssPeakMiB: number;
  heapMiB: number;
  received: number;
  containers: number;
}

function docker(host: string, ...args: string[]): string {
  const r = spawnSync('docker', args, {
    env: { ...process.env, DOCKER_HOST: host },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * A private Docker engine (../shared/tools/dockerd-up.sh) with the steady
 * phase's containers created, not started; undefined when none can be had.
 */
function dockerEngine(): string | undefined {
  if (CONTAINERS === 0) return undefined;
  let root = process.cwd();
  while (!existsSync(join(root, 'package.json'))) root = dirname(root);
  const up = spawnSync(join(root, '..', 'shared', 'tools', 'dockerd-up.sh'), [DOCKERD_DIR], {
    encoding: 'utf8',
  });
  const host = /DOCKER_HOST=(\S+)/.exec(up.stdout ?? '')?.[1];
  if (up.status !== 0 || !host) {
    console.error(`no Docker engine (${up.stderr?.trim().split('\n').pop()}); files only`);
    return undefined;
  }
  for (let c = 0; c < CONTAINERS; c++) {
    docker(host, 'rm', '-f', `obs-bench-agent-c${c}`);
    docker(
      host,
      'create',
      '--network',
      'none',
      '--name',
      `obs-bench-agent-c${c}`,
      'obs-test/busybox',
      'sh',
      '-c',
      `i=0; while :; do echo "level=info container=${c} seq=$i msg=steady"; i=$((i+1)); sleep 0.1; done`,
    );
  }
  return host;
}

function dockerEngineDown(host: string): void {
  for (let c = 0; c < CONTAINERS; c++) docker(host, 'rm', '-f', `obs-bench-agent-c${c}`);
  let root = process.cwd();
  while (!existsSync(join(root, 'package.json'))) root = dirname(root);
  spawnSync(join(root, '..', 'shared', 'tools', 'dockerd-down.sh'), [DOCKERD_DIR]);
  rmSync(DOCKERD_DIR, { recursive: true, force: true });
}

async function steady(): Promise<SteadyResult> {
  const root = mkdtempSync(join(tmpdir(), 'obs-bench-agent-steady-'));
  const logs = join(root, 'logs');
  mkdirSync(logs);
  for (let f = 0; f < STEADY_FILES; f++) writeFileSync(join(logs, `s${f}.log`), '');
  // The child runs with --expose-gc: memory is compared after full collections,
  // so garbage not yet collected does not count as the agent's.
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  let rssPeak = rss0;
  const counter = counting(undefined, Number.POSITIVE_INFINITY);
  const dockerHost = process.env.BENCH_DOCKER_HOST;
  const containers = dockerHost ? CONTAINERS : 0;
  const fileRate = STEADY_RATE - containers * CONTAINER_RATE;
  const role = await createAgentRole(
    { logger: pino({ level: 'warn' }), dataDir: join(root, 'agent'), listenHost: '127.0.0.1' },
    {
      config: checkAlloyConfig('bench.alloy', config(logs, dockerHost), COMPONENTS),
      inProcessLogs: { pushUrl: PUSH_URL, sink: counter.sink },
    },
  );
  await role.start();
  // A window is measured as 5 s slices; the median slice resists the
  // machine's load spikes, and the spread says how noisy the run was.
  const window = async () => {
    const slices: number[] = [];
    for (let i = 0; i < Math.max(1, Math.round(STEADY_S / SLICE_S)); i++) {
      const c0 = cpuMs();
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, (STEADY_S * 1000) / Math.round(STEADY_S / SLICE_S)));
      slices.push((cpuMs() - c0) / (performance.now() - t0));
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }
    return { median: median(slices), min: Math.min(...slices), max: Math.max(...slices) };
  };
  await new Promise((r) => setTimeout(r, 2000));
  const idleCpu = await window();
  const writer = spawn(
    process.execPath,
    ['-e', WRITER, logs, String(STEADY_FILES), String(fileRate)],
    {
      stdio: 'inherit',
    },
  );
  for (let c = 0; c < containers; c++) docker(dockerHost!, 'start', `obs-bench-agent-c${c}`);
  await new Promise((r) => setTimeout(r, 3000));
  const before = counter.count();
  const busyCpu = await window();
  const received = (counter.count() - before) / STEADY_S;
  gc();
  const rssMiB = (process.memoryUsage().rss - rss0) / 2 ** 20;
  const rssPeakMiB = Math.max(rssMiB, (rssPeak - rss0) / 2 ** 20);
  const heapMiB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  const rss0MiB = rss0 / 2 ** 20;
  writer.kill();
  for (let c = 0; c < containers; c++)
    docker(dockerHost!, 'stop', '-t', '0', `obs-bench-agent-c${c}`);
  await role.stop();
  rmSync(root, { recursive: true, force: true });
  return { idleCpu, busyCpu, rss0MiB, rssMiB, rssPeakMiB, heapMiB, received, containers };
}

/** The steady phase runs in a fresh process of its own, so its memory figures are the agent's. */
function steadyInChild(dockerHost: string | undefined): Promise<SteadyResult> {
  const args = [...process.execArgv, '--expose-gc', fileURLToPath(import.meta.url)];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      BENCH_AGENT_PHASE: 'steady',
      ...(dockerHost ? { BENCH_DOCKER_HOST: dockerHost } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!) as SteadyResult)
        : reject(new Error(`steady phase exited with ${code}`)),
    );
  });
}

if (process.env.BENCH_AGENT_PHASE === 'steady') {
  console.log(JSON.stringify(await steady()));
} else {
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(`machine: ${cpus().length} CPUs, load average ${load()} at start`);
  const results = [];
  for (let r = 0; r < RUNS; r++) results.push(await throughputRun());
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const pct = (n: number, digits = 1) => `${(n * 100).toFixed(digits)}%`;
  console.log(
    `throughput, ${LINES.toLocaleString('en-US')} lines over ${FILES} files, median of ${RUNS}:`,
  );
  console.log(
    `  agent files -> store : ${fmt(median(results.map((r) => r.agent)))} lines/s  (CPU ${pct(median(results.map((r) => r.agentCpu)), 0)} of one core)`,
  );
  console.log(`  baseline store alone : ${fmt(median(results.map((r) => r.store)))} lines/s`);
  console.log(
    `  agent, null sink     : ${fmt(median(results.map((r) => r.agentAlone)))} lines/s (the agent's own ceiling)`,
  );
  const dockerHost = dockerEngine();
  let s: SteadyResult;
  try {
    s = await steadyInChild(dockerHost);
  } finally {
    if (dockerHost) dockerEngineDown(dockerHost);
  }
  console.log(
    `steady state, ${STEADY_RATE} lines/s over ${STEADY_FILES} files and ${s.containers} containers, ${STEADY_S} s window:`,
  );
  console.log(`  delivered            : ${fmt(s.received)} lines/s`);
  const cpu = (w: CpuWindow) =>
    `${pct(w.median, 2)} of one core (median ${SLICE_S} s slice; ${pct(w.min, 2)}-${pct(w.max, 2)})`;
  console.log(`  agent CPU            : ${cpu(s.busyCpu)}`);
  console.log(`  baseline, idle       : ${cpu(s.idleCpu)} (same agent, nothing written)`);
  console.log(
    `  agent memory         : RSS +${s.rssMiB.toFixed(1)} MiB after GC (peak +${s.rssPeakMiB.toFixed(1)} MiB), heap +${s.heapMiB.toFixed(1)} MiB over the process before the agent started (${s.rss0MiB.toFixed(0)} MiB)`,
  );
  console.log(`machine load average ${load()} at the end`);
}
