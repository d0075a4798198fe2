import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runObs } from './obs-cli.js';

export interface ObsDirs {
  root: string;
  configDir: string;
  dataDir: string;
  /** The home directory `obs init` saw: the default Alloy file's globs point into it. */
  home: string;
  ports: { ui: number; metrics: number; logs: number };
}

/**
 * A config directory made by `obs init` with free ports in its .env, and an
 * empty data directory, so a test's `obs up` collides with nothing. The
 * config is made with HOME in the temp directory, so the agent's file
 * pipelines watch files the test owns.
 */
export async function makeObsDirs(): Promise<ObsDirs> {
  const root = await mkdtemp(join(tmpdir(), 'obs-e2e-'));
  const configDir = join(root, 'config');
  const home = join(root, 'home');
  await mkdir(home);
  const res = await runObs(['init', configDir], { HOME: home });
  if (res.code !== 0) throw new Error(`obs init failed: ${res.stderr}`);
  const ports = { ui: await freePort(), metrics: await freePort(), logs: await freePort() };
  const envPath = join(configDir, '.env');
  const env = (await readFile(envPath, 'utf8'))
    .replace(/^GRAFANA_PORT=.*$/m, `GRAFANA_PORT=${ports.ui}`)
    .replace(/^PROMETHEUS_PORT=.*$/m, `PROMETHEUS_PORT=${ports.metrics}`)
    .replace(/^LOKI_PORT=.*$/m, `LOKI_PORT=${ports.logs}`);
  await writeFile(envPath, env, { mode: 0o600 });
  for (const rel of ['loki-config.yml', 'prometheus/prometheus.yml']) {
    const path = join(configDir, rel);
    const text = (await readFile(path, 'utf8'))
      .replaceAll(':9004', `:${ports.metrics}`)
      .replace(/http_listen_port: \d+/, `http_listen_port: ${ports.logs}`);
    await writeFile(path, text);
  }
  return { root, configDir, dataDir: join(root, 'data'), home, ports };
}
