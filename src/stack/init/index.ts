import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CONFIG_FILES, SEED } from '../defaults.js';
import {
  envFile,
  GITIGNORE,
  grafanaDashboardsYaml,
  grafanaDatasourcesYaml,
  lokiConfigYaml,
  prometheusYaml,
} from './templates.js';

export interface InitResult {
  written: string[];
  kept: string[];
}

/**
 * Writes a config directory in the seed's layout. Files that already exist
 * are kept as they are: init never overwrites what a user may have edited.
 */
export async function initConfigDir(dir: string, alloyConfig: string): Promise<InitResult> {
  const ports = { ui: SEED.ports.ui, metrics: SEED.ports.metrics, logs: SEED.ports.logs };
  const password = randomBytes(18).toString('base64url');
  const files: [string, string, number][] = [
    [CONFIG_FILES.env, envFile(password, ports), 0o600],
    [CONFIG_FILES.gitignore, GITIGNORE, 0o644],
    [CONFIG_FILES.loki, lokiConfigYaml(ports), 0o644],
    [CONFIG_FILES.prometheus, prometheusYaml(ports), 0o644],
    [CONFIG_FILES.alloy, alloyConfig, 0o644],
    [CONFIG_FILES.grafanaDatasources, grafanaDatasourcesYaml(ports), 0o644],
    [CONFIG_FILES.grafanaDashboards, grafanaDashboardsYaml(), 0o644],
  ];
  const result: InitResult = { written: [], kept: [] };
  await mkdir(join(dir, CONFIG_FILES.grafanaDashboardsDir), { recursive: true });
  for (const [rel, text, mode] of files) {
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    try {
      await writeFile(path, text, { flag: 'wx', mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        result.kept.push(rel);
        continue;
      }
      throw err;
    }
    // The umask may have taken bits away; it must not have added any.
    await chmod(path, mode);
    result.written.push(rel);
  }
  return result;
}
