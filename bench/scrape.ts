/**
 * npm run bench:scrape — obs's scraping against a real Prometheus in the same
 * run: both scrape the same real prometheus-node-exporter every second and
 * report scrape_duration_seconds (fetch, parse, relabel, append), whose
 * medians are compared (each warm, one at a time so neither waits on the
 * exporter for the other); plus obs's exposition parser alone on that body.
 * Run it on a quiet machine: scrape durations follow the exporter's and the
 * scheduler's noise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import {
  createMetricsRole,
  loadPrometheusConfig,
  parseMetricsFlags,
} from '../src/metrics/index.js';
import { parseExposition } from '../src/metrics/scrape/index.js';
import { freePort, waitForOk } from '../test/support/obs-cli.js';
import { median } from './stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
/** Scrapes before the measured window, so both run warm (V8's JIT, Go's caches). */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 20);

async function durations(port: number): Promise<number[]> {
  const q = encodeURIComponent(`scrape_duration_seconds{job="node"}[${SECONDS}s]`);
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${q}`);
  const body = (await res.json()) as { data: { result: { values: [number, string][] }[] } };
  return (body.data.result[0]?.values ?? []).map(([, v]) => Number(v));
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-bench-scrape-'));
  const children: ChildProcess[] = [];
  const logger = pino({ level: 'silent' });
  try {
    const nePort = await freePort();
    children.push(
      spawn('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${nePort}`], {
        stdio: 'ignore',
      }),
    );
    await waitForOk(`http://127.0.0.1:${nePort}/metrics`, 20_000, 'node_exporter');
    const cfgFile = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(
      cfgFile,
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: node\n    static_configs: [{targets: ['127.0.0.1:${nePort}']}]\n`,
    );
    // One scraper at a time, so neither waits on node_exporter for the other.
    const role = await createMetricsRole(
      { logger, dataDir: path.join(dir, 'obs'), listenHost: '127.0.0.1' },
      {
        config: await loadPrometheusConfig(cfgFile),
        flags: parseMetricsFlags([]),
        port: 0,
        sources: [],
      },
    );
    await role.start();
    process.stderr.write(`obs scraping node_exporter for ${WARMUP_SECONDS + SECONDS}s...\n`);
    await new Promise((r) => setTimeout(r, (WARMUP_SECONDS + SECONDS) * 1000));
    const ours = await durations(role.port);
    await role.stop();

    const promPort = await freePort();
    const prom = spawn(
      'prometheus',
      [
        `--config.file=${cfgFile}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        `--storage.tsdb.path=${path.join(dir, 'prom')}`,
      ],
      { stdio: 'ignore' },
    );
    children.push(prom);
    await waitForOk(`http://127.0.0.1:${promPort}/-/ready`, 20_000, 'Prometheus');
    process.stderr.write(`Prometheus scraping node_exporter for ${WARMUP_SECONDS + SECONDS}s...\n`);
    await new Promise((r) => setTimeout(r, (WARMUP_SECONDS + SECONDS) * 1000));
    const theirs = await durations(promPort);
    prom.kill('SIGKILL');

    const body = await (await fetch(`http://127.0.0.1:${nePort}/metrics`)).text();
    const parseMs: number[] = [];
    let samples = 0;
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      samples = parseExposition(body, 'prometheus').samples.length;
      parseMs.push(performance.now() - t0);
    }
    const ms = (s: number): string => `${(s * 1000).toFixed(2)} ms`;
    process.stdout.write(
      [
        `node_exporter body: ${body.length} bytes, ${samples} samples`,
        `scrape_duration_seconds median over the last ${SECONDS}s at 1s, after ${WARMUP_SECONDS}s of warm-up, one scraper at a time: obs ${ms(median(ours))} (${ours.length} scrapes), Prometheus 2.42 ${ms(median(theirs))} (${theirs.length} scrapes)`,
        `obs exposition parse alone: median ${median(parseMs).toFixed(2)} ms (${Math.round(samples / (median(parseMs) / 1000))} samples/s)`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const c of children) c.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
