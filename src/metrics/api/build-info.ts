import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Prometheus release whose API obs answers as; Grafana picks features by it. */
export const PROMETHEUS_COMPAT_VERSION = '2.52.0';

let cached: string | undefined;

/** obs's own version, from the package.json above this file (src or dist). */
export function obsVersion(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      cached = (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
      return cached;
    }
    const up = path.dirname(dir);
    if (up === dir) return (cached = '0.0.0');
    dir = up;
  }
}

export function buildInfo(): Record<string, string> {
  return {
    version: PROMETHEUS_COMPAT_VERSION,
    revision: `obs-${obsVersion()}`,
    branch: 'obs',
    buildUser: 'obs',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
  };
}
