import { stringify } from 'yaml';
import type { PrometheusConfig } from './types.js';

const SECRET_KEYS = new Set(['password', 'credentials', 'bearer_token', 'client_secret']);

/**
 * The loaded config as YAML with defaults filled and secrets hidden, as
 * Prometheus serves it on /api/v1/status/config.
 */
export function renderConfigYaml(config: PrometheusConfig): string {
  const { file: _file, ...rest } = config;
  const shown: Record<string, unknown> = { ...rest };
  // Prometheus omits empty lists (omitempty).
  for (const key of ['rule_files', 'scrape_config_files', 'remote_write', 'remote_read']) {
    if ((shown[key] as unknown[]).length === 0) delete shown[key];
  }
  return stringify(hideSecrets(shown), { indentSeq: false, lineWidth: 0 });
}

function hideSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hideSecrets);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      SECRET_KEYS.has(key) && typeof v === 'string' && v !== '' ? '<secret>' : hideSecrets(v);
  }
  return out;
}
