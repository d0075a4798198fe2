/**
 * CPU time of one scrape of each exporter (issue 8: under 20 ms with 20
 * containers). Starts a private Docker engine (../shared/tools/dockerd-up.sh)
 * with 20 busybox containers, then times scrapes with process.cpuUsage
 * deltas (user + system of this process; the engine's own work answering the
 * container list is not included). Baseline in the same run: the real
 * node_exporter's CPU per scrape, from its /proc/<pid>/stat over the same
 * number of scrapes.
 *
 *   npm run bench:exporters            # 200 scrapes each
 *   SCRAPES=500 npm run bench:exporters
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createCadvisorSource,
  createNodeExporterSource,
  NODE_COLLECTORS,
} from '../src/exporters/index.js';
import type { MetricsSource } from '../src/metrics/appender.js';
import { freePort } from '../test/support/obs-cli.js';
import { sharedDir } from '../test/support/repo.js';

const SCRAPES = Number(process.env.SCRAPES ?? 200);
const CONTAINERS = 20;
const DIR = '/tmp/obs-dockerd-exporters-bench';
const SOCK = `unix://${DIR}/docker.sock`;

function docker(...args: string[]): string {
  const r = spawnSync('docker', args, {
    env: { ...process.env, DOCKER_HOST: SOCK },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function stats(samplesMs: number[]) {
  const s = [...samplesMs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p90: q(0.9), max: s[s.length - 1]! };
}

async function timeScrapes(source: MetricsSource): Promise<{ ms: number[]; series: number }> {
  let series = 0;
  for (let i = 0; i < 20; i++) await source.collect(); // warm-up: JIT, caches
  const ms: number[] = [];
  for (let i = 0; i < SCRAPES; i++) {
    const before = process.cpuUsage();
    const { body } = await source.collect();
    const d = process.cpuUsage(before);
    ms.push((d.user + d.system) / 1000);
    series = body.split('\n').filter((l) => l && !l.startsWith('#')).length;
  }
  return { ms, series };
}

/** CPU ms per scrape of a real node_exporter process (utime + stime in clock ticks of 10 ms). */
async function realNodeExporter(): Promise<{ perScrapeMs: number } | undefined> {
  if (spawnSync('sh', ['-c', 'command -v prometheus-node-exporter']).status !== 0) return undefined;
  const port = await freePort();
  const child = spawn(
    'prometheus-node-exporter',
    [
      `--web.listen-address=127.0.0.1:${port}`,
      '--collector.disable-defaults',
      ...NODE_COLLECTORS.map((c) => `--collector.${c}`),
    ],
    { stdio: 'ignore' },
  );
  try {
    const url = `http://127.0.0.1:${port}/metrics`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(url)).ok) break;
      } catch {
        if (i > 100) throw new Error('node_exporter did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    for (let i = 0; i < 20; i++) await (await fetch(url)).text();
    const ticks = () => {
      const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(f[11]) + Number(f[12]);
    };
    const before = ticks();
    for (let i = 0; i < SCRAPES; i++) await (await fetch(url)).text();
    return { perScrapeMs: ((ticks() - before) * 10) / SCRAPES };
  } finally {
    child.kill('SIGTERM');
  }
}

async function main() {
  const tools = join(sharedDir(), 'tools');
  const up = spawnSync(join(tools, 'dockerd-up.sh'), [DIR], { encoding: 'utf8' });
  if (up.status !== 0) throw new Error(`dockerd-up.sh: ${up.stderr}`);
  const ids: string[] = [];
  try {
    for (let i = 0; i < CONTAINERS; i++) {
      ids.push(
        docker(
          'run',
          '-d',
          '--network',
          'none',
          '--label',
          `bench.index=${i}`,
          'obs-test/busybox',
          'sh',
          '-c',
          'while :; do sleep 1; done',
        ),
      );
    }
    const node = createNodeExporterSource();
    const cad = createCadvisorSource({ docker: SOCK });
    const rootOnly = createCadvisorSource({ docker: false });
    const results: [string, { ms: number[]; series: number }][] = [
      [`node exporter (${NODE_COLLECTORS.length} collectors)`, await timeScrapes(node)],
      [`cadvisor, root + ${CONTAINERS} containers`, await timeScrapes(cad)],
      ['cadvisor, root cgroup only', await timeScrapes(rootOnly)],
    ];
    node.close();
    cad.close();
    rootOnly.close();
    console.log(`CPU per scrape, ${SCRAPES} scrapes each (node ${process.version}):`);
    for (const [name, r] of results) {
      const s = stats(r.ms);
      console.log(
        `  ${name.padEnd(36)} median ${s.median.toFixed(2)} ms  p90 ${s.p90.toFixed(2)} ms  max ${s.max.toFixed(2)} ms  (${r.series} series)`,
      );
    }
    const real = await realNodeExporter();
    if (real)
      console.log(
        `  ${'baseline: real node_exporter 1.5'.padEnd(36)} mean   ${real.perScrapeMs.toFixed(2)} ms  (its process, same collectors)`,
      );
  } finally {
    if (ids.length)
      spawnSync('docker', ['rm', '-f', ...ids], { env: { ...process.env, DOCKER_HOST: SOCK } });
    spawnSync(join(tools, 'dockerd-down.sh'), [DIR]);
  }
}

await main();
