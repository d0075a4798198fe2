/**
 * The servers the metrics benches compare: obs's metrics store + engine +
 * Prometheus API in a child process of its own, run from dist/ (the bench
 * scripts build first), so its RSS is measured apart from the bench's data
 * generator; and a real Prometheus (Debian's) fed the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForOk } from '../test/support/obs-cli.js';
import { repoRoot } from '../test/support/repo.js';

export interface BenchServer {
  name: string;
  base: string;
  dir: string;
  proc: ChildProcess;
  blocksDir: string;
}

function waitReady(base: string): Promise<void> {
  return waitForOk(`${base}/-/ready`, 20_000, `${base} to become ready`);
}

export async function startObs(retentionDays = 30): Promise<BenchServer> {
  const root = repoRoot();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-obs-'));
  const dist = (p: string): string => JSON.stringify(path.join(root, 'dist', 'src', p));
  const code = `
    const { openMetricsStore } = await import(${dist('metrics/storage/index.js')});
    const { registerPrometheusApi } = await import(${dist('metrics/api/index.js')});
    const { PromQLEngine } = await import(${dist('metrics/promql/index.js')});
    const Fastify = (await import('fastify')).default;
    const store = await openMetricsStore({ dir: ${JSON.stringify(dir)}, retentionMs: ${retentionDays} * 86400000 });
    const app = Fastify();
    registerPrometheusApi(app, {
      store, engine: new PromQLEngine(),
      targets: () => ({ activeTargets: [], droppedTargets: [] }),
      configYaml: () => '', flags: () => ({}), ready: () => true,
      enableAdminApi: false, enableRemoteWriteReceiver: true, enableLifecycle: false,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    process.stdout.write(app.server.address().port + '\\n');
    // A normal exit on SIGTERM, so --cpu-prof (BENCH_OBS_NODE_ARGS) writes its profile.
    process.once('SIGTERM', () => app.close().then(() => store.close()).then(() => process.exit(0)));
  `;
  // BENCH_OBS_NODE_ARGS: extra node flags for the obs process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_OBS_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, '--input-type=module', '-e', code], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    proc.once('exit', (c) => reject(new Error(`obs exited ${c}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base);
  return { name: 'obs', base, dir, proc, blocksDir: dir };
}

/** VmRSS and VmHWM (peak) of a process in MiB, from /proc. */
export function procMemMiB(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)![1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Resets a process's peak RSS (VmHWM) to its current RSS, so a phase's peak can be read. */
export function resetPeak(pid: number): void {
  fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** A real Prometheus with the remote-write receiver on, its TSDB under `dir`. */
export async function startPrometheus(dir: string, retention: string): Promise<BenchServer> {
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), 'global: {scrape_interval: 15s}\n');
  const port = await freePort();
  const proc = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      `--storage.tsdb.retention.time=${retention}`,
    ],
    { stdio: 'ignore' },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base);
  return { name: 'prometheus', base, dir, proc, blocksDir: path.join(dir, 'data') };
}
