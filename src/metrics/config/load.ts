import { readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../../common/config-error.js';
import { formatPromDuration, parsePromDuration } from '../../common/duration.js';
import { compileRelabel, withRelabelDefaults, type RelabelConfig } from '../../common/relabel.js';
import { loadYaml, type YamlSchema } from '../../common/yaml-schema.js';
import { lineOfPath } from './locate.js';
import { PROMETHEUS_SCHEMA, SCRAPE_CONFIGS_FILE_SCHEMA, UNSUPPORTED_SD } from './schema.js';
import type {
  AlertingConfig,
  AlertmanagerConfig,
  GlobalConfig,
  HttpClientConfig,
  PrometheusConfig,
  RemoteReadConfig,
  RemoteWriteConfig,
  ScrapeConfig,
  ScrapeProtocol,
  StaticConfig,
} from './types.js';
import { parseBase2Bytes } from './units.js';

/** Prometheus 2.52's defaults (config.DefaultGlobalConfig and friends). */
export const PROMETHEUS_DEFAULTS = {
  scrapeInterval: '1m',
  scrapeTimeout: '10s',
  evaluationInterval: '1m',
  scrapeProtocols: [
    'OpenMetricsText1.0.0',
    'OpenMetricsText0.0.1',
    'PrometheusText0.0.4',
  ] as ScrapeProtocol[],
  metricsPath: '/metrics',
  scheme: 'http',
  remoteTimeout: '30s',
  queue: {
    capacity: 10000,
    max_shards: 50,
    min_shards: 1,
    max_samples_per_send: 2000,
    batch_send_deadline: '5s',
    min_backoff: '30ms',
    max_backoff: '5s',
  },
} as const;

export const SCRAPE_PROTOCOL_HEADERS: Record<ScrapeProtocol, string> = {
  PrometheusProto:
    'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
  'PrometheusText0.0.4': 'text/plain;version=0.0.4',
  'OpenMetricsText0.0.1': 'application/openmetrics-text;version=0.0.1',
  'OpenMetricsText1.0.0': 'application/openmetrics-text;version=1.0.0',
};

const RETENTION_FIX = 'use --storage.tsdb.retention.time, as Prometheus does';
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// Prometheus's patRulePath: a `*` only in the last path element.
const GLOB_PATH = /^[^*]*(\*[^/]*)?$/;
const RESERVED_HEADERS = new Set([
  'host',
  'content-encoding',
  'content-length',
  'content-type',
  'user-agent',
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'www-authenticate',
  'accept-encoding',
  'x-prometheus-remote-write-version',
  'x-prometheus-remote-read-version',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
]);

/** Reads, validates and fills the defaults of a prometheus.yml as Prometheus 2.52 does. */
export async function loadPrometheusConfig(file: string): Promise<PrometheusConfig> {
  const abs = resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    throw new ConfigError(
      abs,
      undefined,
      undefined,
      `cannot read the config file: ${(err as Error).message}`,
      'check --config.file',
    );
  }
  return parsePrometheusConfig(text, abs);
}

/** As loadPrometheusConfig, from text; `file` names it in errors and anchors relative paths. */
export function parsePrometheusConfig(text: string, file: string): PrometheusConfig {
  const raw = loadStrict(text, file, PROMETHEUS_SCHEMA) as Record<string, any>;
  const ctx = new Context(text, file);
  const global = normalizeGlobal(ctx, raw.global ?? {});
  const dir = dirname(file);

  const ruleFiles: string[] = (raw.rule_files ?? []).map((rf: string, i: number) => {
    if (!GLOB_PATH.test(rf)) ctx.fail(['rule_files', i], `invalid rule file path "${rf}"`);
    return joinDir(dir, rf);
  });
  const scrapeConfigFiles: string[] = (raw.scrape_config_files ?? []).map(
    (sf: string, i: number) => {
      if (!GLOB_PATH.test(sf)) {
        ctx.fail(['scrape_config_files', i], `invalid scrape config file path "${sf}"`);
      }
      return joinDir(dir, sf);
    },
  );

  const jobs = new Set<string>();
  const scrapeConfigs: ScrapeConfig[] = [];
  (raw.scrape_configs ?? []).forEach((sc: Record<string, any> | null, i: number) => {
    const path = ['scrape_configs', i];
    if (sc === null) ctx.fail(path, 'empty or null scrape config section');
    const job = normalizeScrape(ctx, path, sc!, global, dir);
    if (jobs.has(job.job_name)) {
      ctx.fail(
        [...path, 'job_name'],
        `found multiple scrape configs with job name "${job.job_name}"`,
        'give every scrape config its own job_name',
      );
    }
    jobs.add(job.job_name);
    scrapeConfigs.push(job);
  });
  for (const pattern of scrapeConfigFiles) {
    for (const extra of expandGlob(pattern)) {
      const extraText = readFileSync(extra, 'utf8');
      const extraRaw = loadStrict(extraText, extra, SCRAPE_CONFIGS_FILE_SCHEMA) as Record<
        string,
        any
      >;
      const extraCtx = new Context(extraText, extra);
      (extraRaw.scrape_configs ?? []).forEach((sc: Record<string, any>, i: number) => {
        const path = ['scrape_configs', i];
        const job = normalizeScrape(extraCtx, path, sc, global, dirname(extra));
        if (jobs.has(job.job_name)) {
          extraCtx.fail(
            [...path, 'job_name'],
            `found multiple scrape configs with job name "${job.job_name}", first found in main config file`,
          );
        }
        jobs.add(job.job_name);
        scrapeConfigs.push(job);
      });
    }
  }

  const rwNames = new Set<string>();
  const remoteWrite = (raw.remote_write ?? []).map((rw: Record<string, any> | null, i: number) => {
    const path = ['remote_write', i];
    if (rw === null) ctx.fail(path, 'empty or null remote write config section');
    const out = normalizeRemoteWrite(ctx, path, rw!, dir);
    if (out.name && rwNames.has(out.name)) {
      ctx.fail(
        [...path, 'name'],
        `found multiple remote write configs with job name "${out.name}"`,
      );
    }
    if (out.name) rwNames.add(out.name);
    return out;
  });
  const rrNames = new Set<string>();
  const remoteRead = (raw.remote_read ?? []).map((rr: Record<string, any> | null, i: number) => {
    const path = ['remote_read', i];
    if (rr === null) ctx.fail(path, 'empty or null remote read config section');
    const out = normalizeRemoteRead(ctx, path, rr!, dir);
    if (out.name && rrNames.has(out.name)) {
      ctx.fail([...path, 'name'], `found multiple remote read configs with job name "${out.name}"`);
    }
    if (out.name) rrNames.add(out.name);
    return out;
  });
  // Valid, but obs's queries never read remote storage: saying so beats answering without it.
  if (remoteRead.length > 0) {
    ctx.fail(
      ['remote_read'],
      'remote_read is not implemented by obs',
      'remove it, and add the remote store to Grafana as a data source of its own',
    );
  }

  const config: PrometheusConfig = {
    global,
    rule_files: ruleFiles,
    scrape_config_files: scrapeConfigFiles,
    scrape_configs: scrapeConfigs,
    remote_write: remoteWrite,
    remote_read: remoteRead,
    file,
  };
  if (raw.alerting) config.alerting = normalizeAlerting(ctx, raw.alerting, dir);
  if (raw.storage) config.storage = raw.storage;
  if (raw.tracing) {
    if (!raw.tracing.endpoint) ctx.fail(['tracing'], 'tracing endpoint must be set');
    config.tracing = { client_type: 'grpc', ...raw.tracing };
  }
  return config;
}

/** Schema validation, with Prometheus's advice for retention keys. */
function loadStrict(text: string, file: string, schema: YamlSchema): unknown {
  try {
    return loadYaml({ file, text }, schema);
  } catch (err) {
    if (err instanceof ConfigError && err.key !== undefined && /retention/i.test(err.key)) {
      throw new ConfigError(
        file,
        err.line,
        err.key,
        'retention cannot be set in prometheus.yml; Prometheus takes it only from the command line',
        RETENTION_FIX,
      );
    }
    throw err;
  }
}

class Context {
  constructor(
    private readonly text: string,
    readonly file: string,
  ) {}

  fail(path: (string | number)[], problem: string, fix?: string): never {
    const key = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
    throw new ConfigError(
      this.file,
      lineOfPath(this.text, path),
      key.replace(/^\./, '') || undefined,
      problem,
      fix,
    );
  }

  durationMs(path: (string | number)[], value: string): number {
    const ms = parsePromDuration(value);
    if (ms === undefined) this.fail(path, `not a valid duration: ${JSON.stringify(value)}`);
    return ms;
  }
}

function normalizeGlobal(ctx: Context, g: Record<string, any>): GlobalConfig {
  const interval = g.scrape_interval ?? PROMETHEUS_DEFAULTS.scrapeInterval;
  const intervalMs = ctx.durationMs(['global', 'scrape_interval'], interval);
  const timeoutMs =
    g.scrape_timeout === undefined
      ? Math.min(parsePromDuration(PROMETHEUS_DEFAULTS.scrapeTimeout)!, intervalMs)
      : ctx.durationMs(['global', 'scrape_timeout'], g.scrape_timeout);
  if (timeoutMs > intervalMs) {
    ctx.fail(
      ['global', 'scrape_timeout'],
      'global scrape timeout greater than scrape interval',
      'make scrape_timeout at most scrape_interval',
    );
  }
  const out: GlobalConfig = {
    scrape_interval: formatPromDuration(intervalMs),
    scrape_timeout: formatPromDuration(timeoutMs),
    evaluation_interval: formatPromDuration(
      ctx.durationMs(
        ['global', 'evaluation_interval'],
        g.evaluation_interval ?? PROMETHEUS_DEFAULTS.evaluationInterval,
      ),
    ),
  };
  if (g.scrape_protocols !== undefined) {
    out.scrape_protocols = validateProtocols(
      ctx,
      ['global', 'scrape_protocols'],
      g.scrape_protocols,
      'for global config',
    );
  }
  for (const key of [
    'rule_query_offset',
    'query_log_file',
    'sample_limit',
    'target_limit',
    'label_limit',
    'label_name_length_limit',
    'label_value_length_limit',
    'keep_dropped_targets',
  ] as const) {
    if (g[key] !== undefined) (out as any)[key] = g[key];
  }
  if (g.body_size_limit !== undefined) {
    checkBytes(ctx, ['global', 'body_size_limit'], g.body_size_limit);
    out.body_size_limit = g.body_size_limit;
  }
  if (g.external_labels) {
    const labels: Record<string, string> = {};
    for (const [name, value] of Object.entries(g.external_labels as Record<string, string>)) {
      if (!LABEL_NAME.test(name)) {
        ctx.fail(['global', 'external_labels', name], `"${name}" is not a valid label name`);
      }
      // Prometheus expands ${VAR} in external label values from the environment.
      labels[name] = String(value).replace(/\$(?:\{(\w+)\}|(\w+)|(\$))/g, (_m, a, b, dollar) =>
        dollar ? '$' : (process.env[a ?? b] ?? ''),
      );
    }
    out.external_labels = labels;
  }
  return out;
}

function validateProtocols(
  ctx: Context,
  path: (string | number)[],
  protocols: string[],
  where: string,
): ScrapeProtocol[] {
  if (protocols.length === 0) ctx.fail(path, `scrape_protocols cannot be empty ${where}`);
  const seen = new Set<string>();
  for (const p of protocols) {
    if (seen.has(p.toLowerCase())) {
      ctx.fail(
        path,
        `duplicated protocol in scrape_protocols, got [${protocols.join(' ')}] ${where}`,
      );
    }
    seen.add(p.toLowerCase());
    if (!(p in SCRAPE_PROTOCOL_HEADERS)) {
      ctx.fail(
        path,
        `scrape_protocols: unknown scrape protocol ${p}, supported: [${Object.keys(SCRAPE_PROTOCOL_HEADERS).sort().join(' ')}] ${where}`,
      );
    }
  }
  return protocols as ScrapeProtocol[];
}

function checkBytes(ctx: Context, path: (string | number)[], value: string): void {
  if (parseBase2Bytes(String(value)) === undefined) {
    ctx.fail(path, `not a valid size: ${JSON.stringify(value)}`, 'use a size such as 10MB or 1GiB');
  }
}

function normalizeScrape(
  ctx: Context,
  path: (string | number)[],
  sc: Record<string, any>,
  global: GlobalConfig,
  dir: string,
): ScrapeConfig {
  const job = sc.job_name ?? '';
  if (job === '') ctx.fail(path, 'job_name is empty', 'give the scrape config a job_name');
  for (const sd of UNSUPPORTED_SD) {
    if (sc[sd] !== undefined) {
      ctx.fail(
        [...path, sd],
        `${sd} is a Prometheus service discovery that obs does not implement`,
        'list the targets in static_configs, write them to a file read by file_sd_configs, or serve them to http_sd_configs',
      );
    }
  }
  const intervalMs = ctx.durationMs(
    [...path, 'scrape_interval'],
    sc.scrape_interval ?? global.scrape_interval,
  );
  let timeoutMs: number;
  if (sc.scrape_timeout !== undefined) {
    timeoutMs = ctx.durationMs([...path, 'scrape_timeout'], sc.scrape_timeout);
    if (timeoutMs > intervalMs) {
      ctx.fail(
        [...path, 'scrape_timeout'],
        `scrape timeout greater than scrape interval for scrape config with job name "${job}"`,
        'make scrape_timeout at most scrape_interval',
      );
    }
  } else {
    timeoutMs = Math.min(parsePromDuration(global.scrape_timeout)!, intervalMs);
  }
  const protocols =
    sc.scrape_protocols !== undefined
      ? validateProtocols(
          ctx,
          [...path, 'scrape_protocols'],
          sc.scrape_protocols,
          `for scrape config with job name "${job}"`,
        )
      : (global.scrape_protocols ?? [...PROMETHEUS_DEFAULTS.scrapeProtocols]);

  const out: ScrapeConfig = {
    job_name: job,
    honor_labels: sc.honor_labels ?? false,
    honor_timestamps: sc.honor_timestamps ?? true,
    track_timestamps_staleness: sc.track_timestamps_staleness ?? false,
    scrape_interval: formatPromDuration(intervalMs),
    scrape_timeout: formatPromDuration(timeoutMs),
    scrape_protocols: protocols,
    metrics_path: sc.metrics_path ?? PROMETHEUS_DEFAULTS.metricsPath,
    scheme: sc.scheme ?? PROMETHEUS_DEFAULTS.scheme,
    enable_compression: sc.enable_compression ?? true,
    ...normalizeHttpClient(ctx, path, sc, dir, true),
  };
  if (sc.params) out.params = sc.params;
  if (sc.scrape_classic_histograms !== undefined)
    out.scrape_classic_histograms = sc.scrape_classic_histograms;
  if (sc.body_size_limit !== undefined)
    checkBytes(ctx, [...path, 'body_size_limit'], sc.body_size_limit);
  const bodyLimit = sc.body_size_limit ?? global.body_size_limit;
  if (bodyLimit !== undefined) out.body_size_limit = bodyLimit;
  for (const key of [
    'sample_limit',
    'target_limit',
    'label_limit',
    'label_name_length_limit',
    'label_value_length_limit',
    'keep_dropped_targets',
  ] as const) {
    const value = sc[key] || global[key];
    if (value) out[key] = value;
  }
  for (const key of [
    'native_histogram_bucket_limit',
    'native_histogram_min_bucket_factor',
  ] as const) {
    if (sc[key] !== undefined) out[key] = sc[key];
  }
  const relabels = normalizeRelabels(
    ctx,
    [...path, 'relabel_configs'],
    sc.relabel_configs,
    'target relabeling rule in scrape config',
  );
  const metricRelabels = normalizeRelabels(
    ctx,
    [...path, 'metric_relabel_configs'],
    sc.metric_relabel_configs,
    'metric relabeling rule in scrape config',
  );
  Object.assign(out, sdConfigs(ctx, path, sc, dir, relabels === undefined));
  if (relabels) out.relabel_configs = relabels;
  if (metricRelabels) out.metric_relabel_configs = metricRelabels;
  return out;
}

function sdConfigs(
  ctx: Context,
  path: (string | number)[],
  raw: Record<string, any>,
  dir: string,
  checkTargets: boolean,
): Pick<ScrapeConfig, 'static_configs' | 'file_sd_configs' | 'http_sd_configs'> {
  const out: Pick<ScrapeConfig, 'static_configs' | 'file_sd_configs' | 'http_sd_configs'> = {};
  if (raw.static_configs) {
    out.static_configs = (raw.static_configs as (StaticConfig | null)[]).map((sc, i) => {
      const targets = sc?.targets ?? [];
      targets.forEach((t, j) => {
        // Prometheus's checkStaticTargets: a URL where a host:port belongs.
        if (checkTargets && t.includes('/')) {
          ctx.fail(
            [...path, 'static_configs', i, 'targets', j],
            `"${t}" is not a valid hostname`,
            'give host:port only; set the scheme and metrics_path on the scrape config',
          );
        }
      });
      const labels = sc?.labels ?? {};
      for (const name of Object.keys(labels)) {
        if (!LABEL_NAME.test(name)) {
          ctx.fail(
            [...path, 'static_configs', i, 'labels', name],
            `"${name}" is not a valid label name`,
          );
        }
      }
      return sc?.labels ? { targets, labels } : { targets };
    });
  }
  if (raw.file_sd_configs) {
    out.file_sd_configs = (raw.file_sd_configs as any[]).map((f, i) => {
      const files: string[] = f?.files ?? [];
      files.forEach((name, j) => {
        if (!/^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/.test(name)) {
          ctx.fail(
            [...path, 'file_sd_configs', i, 'files', j],
            `path name "${name}" is not valid for file discovery`,
            'name .json, .yml or .yaml files; a * may appear in the last path element',
          );
        }
      });
      return {
        files: files.map((name) => joinDir(dir, name)),
        refresh_interval: f?.refresh_interval ?? '5m',
      };
    });
  }
  if (raw.http_sd_configs) {
    out.http_sd_configs = (raw.http_sd_configs as Record<string, any>[]).map((h, i) => {
      const at = [...path, 'http_sd_configs', i];
      let url: URL | undefined;
      try {
        url = new URL(String(h?.url ?? ''));
      } catch {
        ctx.fail(at, 'URL is missing', 'give the url of an HTTP SD endpoint');
      }
      if (url!.protocol !== 'http:' && url!.protocol !== 'https:') {
        ctx.fail([...at, 'url'], "URL scheme must be 'http' or 'https'");
      }
      return {
        url: String(h.url),
        refresh_interval: h.refresh_interval ?? '1m',
        ...normalizeHttpClient(ctx, at, h, dir, true),
      };
    });
  }
  return out;
}

function normalizeRelabels(
  ctx: Context,
  path: (string | number)[],
  rules: (RelabelConfig | null)[] | undefined,
  what: string,
): RelabelConfig[] | undefined {
  if (rules === undefined) return undefined;
  return rules.map((rule, i) => {
    if (rule === null) ctx.fail([...path, i], `empty or null ${what}`);
    try {
      compileRelabel([rule!]);
    } catch (err) {
      ctx.fail([...path, i], (err as Error).message);
    }
    return withRelabelDefaults(rule!);
  });
}

function normalizeHttpClient(
  ctx: Context,
  path: (string | number)[],
  raw: Record<string, any>,
  dir: string,
  defaultHttp2: boolean,
): HttpClientConfig {
  const out: HttpClientConfig = {
    follow_redirects: raw.follow_redirects ?? true,
    enable_http2: raw.enable_http2 ?? defaultHttp2,
  };
  if (raw.oauth2 !== undefined) {
    ctx.fail(
      [...path, 'oauth2'],
      'oauth2 is not implemented by obs',
      'use authorization or basic_auth',
    );
  }
  const basic = raw.basic_auth;
  const hasBearer = raw.bearer_token !== undefined || raw.bearer_token_file !== undefined;
  if (basic && hasBearer) {
    ctx.fail(
      path,
      'at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured',
    );
  }
  if (raw.bearer_token !== undefined && raw.bearer_token_file !== undefined) {
    ctx.fail(path, 'at most one of bearer_token & bearer_token_file must be configured');
  }
  if (basic) {
    if (basic.password !== undefined && basic.password_file !== undefined) {
      ctx.fail(
        [...path, 'basic_auth'],
        'at most one of basic_auth password & password_file must be configured',
      );
    }
    out.basic_auth = { ...basic };
    if (basic.password_file) out.basic_auth!.password_file = joinDir(dir, basic.password_file);
    if (basic.username_file) out.basic_auth!.username_file = joinDir(dir, basic.username_file);
  }
  if (raw.authorization) {
    const auth = raw.authorization;
    if (hasBearer)
      ctx.fail(path, 'authorization is not compatible with bearer_token & bearer_token_file');
    if (auth.credentials !== undefined && auth.credentials_file !== undefined) {
      ctx.fail(
        [...path, 'authorization'],
        'at most one of authorization credentials & credentials_file must be configured',
      );
    }
    if (basic)
      ctx.fail(path, 'at most one of basic_auth, oauth2 & authorization must be configured');
    const type = String(auth.type ?? 'Bearer').trim();
    if (type.toLowerCase() === 'basic') {
      ctx.fail(
        [...path, 'authorization', 'type'],
        'authorization type cannot be set to "basic", use "basic_auth" instead',
      );
    }
    out.authorization = { type };
    if (auth.credentials !== undefined) out.authorization.credentials = auth.credentials;
    if (auth.credentials_file !== undefined)
      out.authorization.credentials_file = joinDir(dir, auth.credentials_file);
  }
  // As Prometheus's common config does, a bearer token becomes an authorization of type Bearer.
  if (raw.bearer_token !== undefined)
    out.authorization = { type: 'Bearer', credentials: raw.bearer_token };
  if (raw.bearer_token_file !== undefined) {
    out.authorization = { type: 'Bearer', credentials_file: joinDir(dir, raw.bearer_token_file) };
  }
  if (raw.tls_config) {
    const tls = { ...raw.tls_config };
    for (const key of ['ca_file', 'cert_file', 'key_file'] as const) {
      if (tls[key]) tls[key] = joinDir(dir, tls[key]);
    }
    out.tls_config = tls;
  }
  // Accepted silently they would send traffic around the proxy the user asked for.
  for (const key of ['proxy_url', 'proxy_from_environment', 'proxy_connect_header'] as const) {
    if (raw[key] !== undefined && raw[key] !== false) {
      ctx.fail(
        [...path, key],
        `${key} is not implemented by obs: it connects to targets directly`,
        'remove it, or scrape through a local forwarder and list that as the target',
      );
    }
  }
  if (raw.no_proxy !== undefined) out.no_proxy = raw.no_proxy;
  if (raw.tls_config) {
    for (const key of ['min_version', 'max_version'] as const) {
      const v = raw.tls_config[key];
      if (v !== undefined && !['TLS10', 'TLS11', 'TLS12', 'TLS13'].includes(v)) {
        ctx.fail(
          [...path, 'tls_config', key],
          `unknown TLS version: ${v}`,
          'use TLS10, TLS11, TLS12 or TLS13',
        );
      }
    }
  }
  return out;
}

function checkHeaders(
  ctx: Context,
  path: (string | number)[],
  headers: Record<string, string> | undefined,
): void {
  for (const header of Object.keys(headers ?? {})) {
    if (header.toLowerCase() === 'authorization') {
      ctx.fail(
        [...path, 'headers', header],
        'authorization header must be changed via the basic_auth, authorization, oauth2, sigv4, or azuread parameter',
      );
    }
    if (RESERVED_HEADERS.has(header.toLowerCase())) {
      ctx.fail(
        [...path, 'headers', header],
        `${header} is a reserved header. It must not be changed`,
      );
    }
  }
}

function checkUrl(
  ctx: Context,
  path: (string | number)[],
  url: string | undefined,
  what: string,
): string {
  if (!url) ctx.fail(path, `url for ${what} is empty`);
  try {
    const parsed = new URL(url!);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
  } catch {
    ctx.fail(
      [...path, 'url'],
      `invalid URL ${JSON.stringify(url)}`,
      'use an http:// or https:// URL',
    );
  }
  return url!;
}

function normalizeRemoteWrite(
  ctx: Context,
  path: (string | number)[],
  rw: Record<string, any>,
  dir: string,
): RemoteWriteConfig {
  const url = checkUrl(ctx, path, rw.url, 'remote_write');
  checkHeaders(ctx, path, rw.headers);
  for (const unsupported of ['sigv4', 'azuread'] as const) {
    if (rw[unsupported] !== undefined) {
      ctx.fail(
        [...path, unsupported],
        `${unsupported} is not implemented by obs`,
        'use authorization or basic_auth',
      );
    }
  }
  const q = rw.queue_config ?? {};
  const maxSamples = q.max_samples_per_send ?? PROMETHEUS_DEFAULTS.queue.max_samples_per_send;
  const out: RemoteWriteConfig = {
    url,
    remote_timeout: rw.remote_timeout ?? PROMETHEUS_DEFAULTS.remoteTimeout,
    ...normalizeHttpClient(ctx, path, rw, dir, false),
    queue_config: {
      ...PROMETHEUS_DEFAULTS.queue,
      ...q,
      max_samples_per_send: maxSamples,
    },
    metadata_config: {
      send: rw.metadata_config?.send ?? true,
      send_interval: rw.metadata_config?.send_interval ?? '1m',
      max_samples_per_send: rw.metadata_config?.max_samples_per_send ?? 2000,
    },
  };
  if (out.queue_config.max_samples_per_send <= 0) {
    ctx.fail(
      [...path, 'queue_config', 'max_samples_per_send'],
      'max_samples_per_send must be greater than 0',
    );
  }
  if (rw.headers) out.headers = rw.headers;
  if (rw.name) out.name = rw.name;
  if (rw.send_exemplars !== undefined) out.send_exemplars = rw.send_exemplars;
  if (rw.send_native_histograms !== undefined)
    out.send_native_histograms = rw.send_native_histograms;
  const relabels = normalizeRelabels(
    ctx,
    [...path, 'write_relabel_configs'],
    rw.write_relabel_configs,
    'relabeling rule in remote write config',
  );
  if (relabels) out.write_relabel_configs = relabels;
  return out;
}

function normalizeRemoteRead(
  ctx: Context,
  path: (string | number)[],
  rr: Record<string, any>,
  dir: string,
): RemoteReadConfig {
  const url = checkUrl(ctx, path, rr.url, 'remote_read');
  checkHeaders(ctx, path, rr.headers);
  const out: RemoteReadConfig = {
    url,
    remote_timeout: rr.remote_timeout ?? '1m',
    ...normalizeHttpClient(ctx, path, rr, dir, true),
    filter_external_labels: rr.filter_external_labels ?? true,
  };
  for (const key of ['headers', 'read_recent', 'name', 'required_matchers'] as const) {
    if (rr[key] !== undefined) (out as any)[key] = rr[key];
  }
  return out;
}

function normalizeAlerting(ctx: Context, raw: Record<string, any>, dir: string): AlertingConfig {
  const out: AlertingConfig = {};
  const relabels = normalizeRelabels(
    ctx,
    ['alerting', 'alert_relabel_configs'],
    raw.alert_relabel_configs,
    'alert relabeling rule',
  );
  if (relabels) out.alert_relabel_configs = relabels;
  if (raw.alertmanagers) {
    out.alertmanagers = (raw.alertmanagers as Record<string, any>[]).map((am, i) => {
      const path = ['alerting', 'alertmanagers', i];
      for (const sd of UNSUPPORTED_SD) {
        if (am[sd] !== undefined) {
          ctx.fail(
            [...path, sd],
            `${sd} is a Prometheus service discovery that obs does not implement`,
            'list the Alertmanagers in static_configs',
          );
        }
      }
      if (am.sigv4 !== undefined) ctx.fail([...path, 'sigv4'], 'sigv4 is not implemented by obs');
      if (am.api_version === 'v1') {
        ctx.fail(
          [...path, 'api_version'],
          'expected Alertmanager api version to be one of [v2] but got v1',
        );
      }
      const amRelabels = normalizeRelabels(
        ctx,
        [...path, 'relabel_configs'],
        am.relabel_configs,
        'Alertmanager target relabeling rule',
      );
      const amAlertRelabels = normalizeRelabels(
        ctx,
        [...path, 'alert_relabel_configs'],
        am.alert_relabel_configs,
        'Alertmanager alert relabeling rule',
      );
      const cfg: AlertmanagerConfig = {
        ...normalizeHttpClient(ctx, path, am, dir, true),
        scheme: am.scheme ?? 'http',
        timeout: am.timeout ?? '10s',
        api_version: am.api_version ?? 'v2',
        ...sdConfigs(ctx, path, am, dir, amRelabels === undefined),
      };
      if (am.path_prefix !== undefined) cfg.path_prefix = am.path_prefix;
      if (amRelabels) cfg.relabel_configs = amRelabels;
      if (amAlertRelabels) cfg.alert_relabel_configs = amAlertRelabels;
      return cfg;
    });
  }
  return out;
}

/** Prometheus's config.JoinDir: relative paths are relative to the config file's directory. */
function joinDir(dir: string, path: string): string {
  if (path === '' || isAbsolute(path)) return path;
  return join(dir, path);
}

/** The files a Prometheus path pattern names (a `*` only in the last element), sorted. */
export function expandGlob(pattern: string): string[] {
  if (!pattern.includes('*')) {
    try {
      readFileSync(pattern);
      return [pattern];
    } catch {
      return [];
    }
  }
  const dir = dirname(pattern);
  const re = new RegExp(
    `^${basename(pattern)
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  );
  try {
    return readdirSync(dir)
      .filter((name) => re.test(name))
      .sort()
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}
