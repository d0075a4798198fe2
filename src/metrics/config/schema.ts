import type { YamlSchema } from '../../common/yaml-schema.js';

/** The keys of Prometheus 2.52's prometheus.yml, for strict loading with line numbers. */
const str: YamlSchema = { type: 'string' };
const bool: YamlSchema = { type: 'bool' };
const int: YamlSchema = { type: 'int' };
const num: YamlSchema = { type: 'number' };
const duration: YamlSchema = { type: 'duration', style: 'prometheus' };
const strings: YamlSchema = { type: 'list', items: str };
const stringMap: YamlSchema = { type: 'map', values: str };

const relabelConfig: YamlSchema = {
  type: 'object',
  fields: {
    source_labels: strings,
    separator: str,
    regex: str,
    modulus: int,
    target_label: str,
    replacement: str,
    action: str,
  },
};
const relabelConfigs: YamlSchema = { type: 'list', items: relabelConfig };

const tlsConfig: YamlSchema = {
  type: 'object',
  fields: {
    ca: str,
    cert: str,
    key: str,
    ca_file: str,
    cert_file: str,
    key_file: str,
    server_name: str,
    insecure_skip_verify: bool,
    min_version: str,
    max_version: str,
  },
};

const httpClientFields: Record<string, YamlSchema> = {
  basic_auth: {
    type: 'object',
    fields: { username: str, username_file: str, password: str, password_file: str },
  },
  authorization: {
    type: 'object',
    fields: { type: str, credentials: str, credentials_file: str },
  },
  oauth2: { type: 'any' },
  bearer_token: str,
  bearer_token_file: str,
  tls_config: tlsConfig,
  proxy_url: str,
  no_proxy: str,
  proxy_from_environment: bool,
  proxy_connect_header: { type: 'map', values: strings },
  follow_redirects: bool,
  enable_http2: bool,
};

const staticConfig: YamlSchema = {
  type: 'object',
  fields: { targets: strings, labels: stringMap },
};
const fileSdConfig: YamlSchema = {
  type: 'object',
  fields: { files: strings, refresh_interval: duration },
};

/**
 * Service discovery mechanisms Prometheus has and obs does not: known, so the
 * loader can say so instead of calling them unknown keys.
 */
export const UNSUPPORTED_SD = [
  'azure_sd_configs',
  'consul_sd_configs',
  'digitalocean_sd_configs',
  'docker_sd_configs',
  'dockerswarm_sd_configs',
  'dns_sd_configs',
  'ec2_sd_configs',
  'eureka_sd_configs',
  'gce_sd_configs',
  'hetzner_sd_configs',
  'ionos_sd_configs',
  'kubernetes_sd_configs',
  'kuma_sd_configs',
  'lightsail_sd_configs',
  'linode_sd_configs',
  'marathon_sd_configs',
  'nerve_sd_configs',
  'nomad_sd_configs',
  'openstack_sd_configs',
  'ovhcloud_sd_configs',
  'puppetdb_sd_configs',
  'scaleway_sd_configs',
  'serverset_sd_configs',
  'triton_sd_configs',
  'uyuni_sd_configs',
  'vultr_sd_configs',
] as const;

const httpSdConfig: YamlSchema = {
  type: 'object',
  fields: { url: str, refresh_interval: duration, ...httpClientFields },
};

const sdFields: Record<string, YamlSchema> = {
  static_configs: { type: 'list', items: staticConfig },
  file_sd_configs: { type: 'list', items: fileSdConfig },
  http_sd_configs: { type: 'list', items: httpSdConfig },
  ...Object.fromEntries(UNSUPPORTED_SD.map((k) => [k, { type: 'any' } as YamlSchema])),
};

const scrapeConfig: YamlSchema = {
  type: 'object',
  fields: {
    job_name: str,
    honor_labels: bool,
    honor_timestamps: bool,
    track_timestamps_staleness: bool,
    params: { type: 'map', values: strings },
    scrape_interval: duration,
    scrape_timeout: duration,
    scrape_protocols: strings,
    scrape_classic_histograms: bool,
    metrics_path: str,
    scheme: { type: 'enum', values: ['http', 'https'] },
    enable_compression: bool,
    body_size_limit: str,
    sample_limit: int,
    target_limit: int,
    label_limit: int,
    label_name_length_limit: int,
    label_value_length_limit: int,
    native_histogram_bucket_limit: int,
    native_histogram_min_bucket_factor: num,
    keep_dropped_targets: int,
    relabel_configs: relabelConfigs,
    metric_relabel_configs: relabelConfigs,
    ...httpClientFields,
    ...sdFields,
  },
};

const alertmanagerConfig: YamlSchema = {
  type: 'object',
  fields: {
    scheme: { type: 'enum', values: ['http', 'https'] },
    path_prefix: str,
    timeout: duration,
    api_version: { type: 'enum', values: ['v1', 'v2'] },
    relabel_configs: relabelConfigs,
    alert_relabel_configs: relabelConfigs,
    sigv4: { type: 'any' },
    ...httpClientFields,
    ...sdFields,
  },
};

const remoteWriteConfig: YamlSchema = {
  type: 'object',
  fields: {
    url: str,
    remote_timeout: duration,
    headers: stringMap,
    write_relabel_configs: relabelConfigs,
    name: str,
    send_exemplars: bool,
    send_native_histograms: bool,
    queue_config: {
      type: 'object',
      fields: {
        capacity: int,
        max_shards: int,
        min_shards: int,
        max_samples_per_send: int,
        batch_send_deadline: duration,
        min_backoff: duration,
        max_backoff: duration,
        retry_on_http_429: bool,
        sample_age_limit: duration,
      },
    },
    metadata_config: {
      type: 'object',
      fields: { send: bool, send_interval: duration, max_samples_per_send: int },
    },
    sigv4: { type: 'any' },
    azuread: { type: 'any' },
    ...httpClientFields,
  },
};

const remoteReadConfig: YamlSchema = {
  type: 'object',
  fields: {
    url: str,
    remote_timeout: duration,
    headers: stringMap,
    read_recent: bool,
    name: str,
    required_matchers: stringMap,
    filter_external_labels: bool,
    ...httpClientFields,
  },
};

export const PROMETHEUS_SCHEMA: YamlSchema = {
  type: 'object',
  fields: {
    global: {
      type: 'object',
      fields: {
        scrape_interval: duration,
        scrape_timeout: duration,
        scrape_protocols: strings,
        evaluation_interval: duration,
        rule_query_offset: duration,
        query_log_file: str,
        external_labels: stringMap,
        body_size_limit: str,
        sample_limit: int,
        target_limit: int,
        label_limit: int,
        label_name_length_limit: int,
        label_value_length_limit: int,
        keep_dropped_targets: int,
      },
    },
    alerting: {
      type: 'object',
      fields: {
        alert_relabel_configs: relabelConfigs,
        alertmanagers: { type: 'list', items: alertmanagerConfig },
      },
    },
    rule_files: strings,
    scrape_config_files: strings,
    scrape_configs: { type: 'list', items: scrapeConfig },
    storage: {
      type: 'object',
      fields: {
        tsdb: { type: 'object', fields: { out_of_order_time_window: duration } },
        exemplars: { type: 'object', fields: { max_exemplars: int } },
      },
    },
    tracing: {
      type: 'object',
      fields: {
        client_type: { type: 'enum', values: ['http', 'grpc'] },
        endpoint: str,
        sampling_fraction: num,
        insecure: bool,
        tls_config: tlsConfig,
        headers: stringMap,
        compression: str,
        timeout: duration,
      },
    },
    remote_write: { type: 'list', items: remoteWriteConfig },
    remote_read: { type: 'list', items: remoteReadConfig },
  },
};

/** The file listing only scrape configs, as `scrape_config_files` entries are. */
export const SCRAPE_CONFIGS_FILE_SCHEMA: YamlSchema = {
  type: 'object',
  fields: { scrape_configs: { type: 'list', items: scrapeConfig } },
};
