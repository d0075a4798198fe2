import { Document, isPair, isScalar, isSeq, visit } from 'yaml';
import type { PrometheusConfig } from './types.js';

const SECRET_KEYS = new Set(['password', 'credentials', 'bearer_token', 'client_secret']);

const HTTP_CLIENT_ORDER = [
  'basic_auth',
  'authorization',
  'oauth2',
  'tls_config',
  'proxy_url',
  'no_proxy',
  'proxy_from_environment',
  'proxy_connect_header',
  'follow_redirects',
  'enable_http2',
];

/** Prometheus's struct field order, which its YAML output follows. */
const SCRAPE_ORDER = [
  'job_name',
  'honor_labels',
  'honor_timestamps',
  'track_timestamps_staleness',
  'params',
  'scrape_interval',
  'scrape_timeout',
  'scrape_protocols',
  'scrape_classic_histograms',
  'metrics_path',
  'scheme',
  'enable_compression',
  'body_size_limit',
  'sample_limit',
  'target_limit',
  'label_limit',
  'label_name_length_limit',
  'label_value_length_limit',
  'native_histogram_bucket_limit',
  'native_histogram_min_bucket_factor',
  'keep_dropped_targets',
  ...HTTP_CLIENT_ORDER,
  'relabel_configs',
  'metric_relabel_configs',
  'file_sd_configs',
  'http_sd_configs',
  'static_configs',
];
const RELABEL_ORDER = [
  'source_labels',
  'separator',
  'regex',
  'modulus',
  'target_label',
  'replacement',
  'action',
];
const REMOTE_WRITE_ORDER = [
  'url',
  'remote_timeout',
  'headers',
  'write_relabel_configs',
  'name',
  'send_exemplars',
  'send_native_histograms',
  ...HTTP_CLIENT_ORDER,
  'queue_config',
  'metadata_config',
];

/**
 * The loaded config as YAML with defaults filled and secrets hidden, as
 * Prometheus serves it on /api/v1/status/config: its key order, false
 * `honor_labels` omitted, `source_labels` in flow style.
 */
export function renderConfigYaml(config: PrometheusConfig): string {
  const shown: Record<string, unknown> = {
    global: config.global,
    ...(config.alerting ? { alerting: config.alerting } : {}),
    ...(config.rule_files.length ? { rule_files: config.rule_files } : {}),
    ...(config.scrape_config_files.length
      ? { scrape_config_files: config.scrape_config_files }
      : {}),
    ...(config.scrape_configs.length
      ? {
          scrape_configs: config.scrape_configs.map((sc) => {
            const job = ordered(sc as unknown as Record<string, unknown>, SCRAPE_ORDER);
            if (job.honor_labels === false) delete job.honor_labels;
            for (const key of ['relabel_configs', 'metric_relabel_configs']) {
              if (Array.isArray(job[key]))
                job[key] = (job[key] as Record<string, unknown>[]).map((r) =>
                  ordered(r, RELABEL_ORDER),
                );
            }
            return job;
          }),
        }
      : {}),
    ...(config.storage ? { storage: config.storage } : {}),
    ...(config.tracing ? { tracing: config.tracing } : {}),
    ...(config.remote_write.length
      ? {
          remote_write: config.remote_write.map((rw) => {
            const out = ordered(rw as unknown as Record<string, unknown>, REMOTE_WRITE_ORDER);
            if (Array.isArray(out.write_relabel_configs)) {
              out.write_relabel_configs = (
                out.write_relabel_configs as Record<string, unknown>[]
              ).map((r) => ordered(r, RELABEL_ORDER));
            }
            return out;
          }),
        }
      : {}),
    ...(config.remote_read.length ? { remote_read: config.remote_read } : {}),
  };
  const doc = new Document(hideSecrets(shown));
  visit(doc, {
    Pair(_key, pair) {
      if (
        isPair(pair) &&
        isScalar(pair.key) &&
        pair.key.value === 'source_labels' &&
        isSeq(pair.value)
      ) {
        pair.value.flow = true;
      }
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 0, flowCollectionPadding: false });
}

function ordered(obj: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of order) if (obj[key] !== undefined) out[key] = obj[key];
  for (const [key, value] of Object.entries(obj))
    if (!(key in out) && value !== undefined) out[key] = value;
  return out;
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
