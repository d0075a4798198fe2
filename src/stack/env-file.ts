import { readFile, stat } from 'node:fs/promises';
import { ConfigError } from '../common/config-error.js';

/**
 * The config directory's `.env` (docker compose's dotenv format): Grafana's
 * admin credentials and port overrides. It holds a password, so it must not
 * be readable by group or others, as the seed requires (mode 600).
 */
export interface StackEnv {
  values: Record<string, string>;
  adminUser: string;
  adminPassword: string;
  ports: { ui: number; metrics: number; logs: number };
}

const PORT_KEYS = { GRAFANA_PORT: 'ui', PROMETHEUS_PORT: 'metrics', LOKI_PORT: 'logs' } as const;

export async function loadEnvFile(
  file: string,
  defaults: { ui: number; metrics: number; logs: number },
): Promise<StackEnv> {
  const info = await stat(file);
  if ((info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8);
    throw new ConfigError(
      file,
      undefined,
      undefined,
      `holds the Grafana admin password but is readable by group or others (mode ${mode})`,
      `chmod 600 ${file}`,
    );
  }
  const { values, lines } = parseDotenv(file, await readFile(file, 'utf8'));
  const ports = { ...defaults };
  for (const [key, role] of Object.entries(PORT_KEYS)) {
    const raw = values[key];
    if (raw === undefined) continue;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigError(
        file,
        lines.get(key),
        key,
        `not a TCP port: ${JSON.stringify(raw)}`,
        `set ${key} to a number from 1 to 65535`,
      );
    }
    ports[role] = port;
  }
  const adminPassword = values.GRAFANA_ADMIN_PASSWORD ?? '';
  if (adminPassword === '') {
    throw new ConfigError(
      file,
      undefined,
      'GRAFANA_ADMIN_PASSWORD',
      'missing or empty: the UI requires a login',
      'set GRAFANA_ADMIN_PASSWORD=<a long random string> (obs init writes one)',
    );
  }
  return { values, adminUser: values.GRAFANA_ADMIN_USER || 'admin', adminPassword, ports };
}

/** KEY=VALUE lines; `#` comments, `export ` prefixes and quoted values as docker compose reads them. */
function parseDotenv(
  file: string,
  text: string,
): { values: Record<string, string>; lines: Map<string, number> } {
  const values: Record<string, string> = {};
  const lines = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) {
      throw new ConfigError(
        file,
        i + 1,
        undefined,
        `not a KEY=VALUE line: ${JSON.stringify(raw)}`,
        'write each setting as KEY=VALUE',
      );
    }
    let value = m[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    values[m[1]!] = value;
    lines.set(m[1]!, i + 1);
  });
  return { values, lines };
}
