import { access, mkdir } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { loadProvisioning, type Provisioning } from '../ui/index.js';
import { CONFIG_FILES, DEFAULT_CONFIG_DIR, SEED } from './defaults.js';
import { loadEnvFile, type StackEnv } from './env-file.js';
import { initConfigDir } from './init/index.js';
import type { Doors, LokiConfigView } from './modules.js';

/** Everything `obs up` reads from the config directory, each file in its real format. */
export interface StackConfig {
  dir: string;
  /** True when no config directory was found and obs made its built-in one. */
  builtIn: boolean;
  env: StackEnv;
  loki?: LokiConfigView;
  prometheus?: unknown;
  prometheusFile: string;
  alloy?: unknown;
  provisioning: Provisioning;
}

/**
 * The config directory to use: the one given, else ./infra/logging when it
 * exists, else undefined (the caller then makes the built-in default).
 */
export async function findConfigDir(given: string | undefined): Promise<string | undefined> {
  if (given !== undefined) return resolve(given);
  const local = resolve(DEFAULT_CONFIG_DIR);
  return (await exists(local)) ? local : undefined;
}

/** Where data lives: --data-dir, else $OBS_HOME, else ~/.local/share/obs. */
export function resolveDataDir(given: string | undefined): string {
  if (given !== undefined) return resolve(given);
  if (process.env.OBS_HOME) return resolve(process.env.OBS_HOME);
  return join(homedir(), '.local', 'share', 'obs');
}

export function defaultAlloyText(doors: Doors): string {
  if (!doors.agent) return '// The agent module is not built: no log pipelines.\n';
  return doors.agent.defaultAlloyConfig({ home: homedir(), hostname: hostname() });
}

/**
 * The built-in configuration, used when the user has no config directory:
 * the same files `obs init` writes, kept under the data directory so the
 * generated admin password stays the same across restarts.
 */
export async function builtInConfigDir(dataDir: string, doors: Doors): Promise<string> {
  const dir = join(dataDir, 'default-config');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await initConfigDir(dir, defaultAlloyText(doors));
  return dir;
}

/** Loads and validates every file; the first problem is thrown as a ConfigError. */
export async function loadStackConfig(
  dir: string,
  builtIn: boolean,
  doors: Doors,
): Promise<StackConfig> {
  if (!(await exists(dir))) {
    throw new Error(`config directory ${dir} does not exist; create it with: obs init ${dir}`);
  }
  const file = (rel: string) => join(dir, rel);
  const ports = { ui: SEED.ports.ui, metrics: SEED.ports.metrics, logs: SEED.ports.logs };
  await requireFile(file(CONFIG_FILES.env), dir);
  const env = await loadEnvFile(file(CONFIG_FILES.env), ports);
  const config: StackConfig = {
    dir,
    builtIn,
    env,
    prometheusFile: file(CONFIG_FILES.prometheus),
    provisioning: await loadProvisioning(file('grafana/provisioning')),
  };
  if (doors.logs) {
    await requireFile(file(CONFIG_FILES.loki), dir);
    config.loki = await doors.logs.loadLokiConfig(file(CONFIG_FILES.loki), { expandEnv: false });
  }
  if (doors.metrics) {
    await requireFile(config.prometheusFile, dir);
    config.prometheus = await doors.metrics.loadPrometheusConfig(config.prometheusFile);
  }
  if (doors.agent) {
    await requireFile(file(CONFIG_FILES.alloy), dir);
    config.alloy = await doors.agent.loadAlloyConfig(file(CONFIG_FILES.alloy));
  }
  return config;
}

async function requireFile(path: string, dir: string): Promise<void> {
  if (!(await exists(path))) {
    throw new Error(
      `${path} is missing; \`obs init ${dir}\` writes the files that are missing and keeps the others`,
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
