import type { RelabelConfig } from '../../common/relabel.js';

/**
 * prometheus.yml after loading, in Prometheus 2.52's own field names and with
 * its defaults filled in, so `/api/v1/status/config` can print it back the way
 * Prometheus does. Durations are Prometheus duration strings (`15s`, `1m`).
 */
export interface PrometheusConfig {
  global: GlobalConfig;
  alerting?: AlertingConfig;
  rule_files: string[];
  scrape_config_files: string[];
  scrape_configs: ScrapeConfig[];
  storage?: StorageConfig;
  tracing?: Record<string, unknown>;
  remote_write: RemoteWriteConfig[];
  remote_read: RemoteReadConfig[];
  /** The file it was loaded from (absolute); relative paths inside resolve against its directory. */
  file?: string;
}

export interface GlobalConfig {
  scrape_interval: string;
  scrape_timeout: string;
  scrape_protocols?: ScrapeProtocol[];
  evaluation_interval: string;
  rule_query_offset?: string;
  query_log_file?: string;
  external_labels?: Record<string, string>;
  body_size_limit?: string;
  sample_limit?: number;
  target_limit?: number;
  label_limit?: number;
  label_name_length_limit?: number;
  label_value_length_limit?: number;
  keep_dropped_targets?: number;
}

export type ScrapeProtocol =
  'PrometheusProto' | 'PrometheusText0.0.4' | 'OpenMetricsText0.0.1' | 'OpenMetricsText1.0.0';

export interface BasicAuth {
  username?: string;
  username_file?: string;
  password?: string;
  password_file?: string;
}

export interface Authorization {
  type?: string;
  credentials?: string;
  credentials_file?: string;
}

export interface TlsConfig {
  ca?: string;
  cert?: string;
  key?: string;
  ca_file?: string;
  cert_file?: string;
  key_file?: string;
  server_name?: string;
  insecure_skip_verify?: boolean;
  min_version?: string;
  max_version?: string;
}

/** Prometheus common's HTTPClientConfig, inlined in scrape, remote and alertmanager configs. */
export interface HttpClientConfig {
  basic_auth?: BasicAuth;
  authorization?: Authorization;
  oauth2?: Record<string, unknown>;
  bearer_token?: string;
  bearer_token_file?: string;
  tls_config?: TlsConfig;
  proxy_url?: string;
  no_proxy?: string;
  proxy_from_environment?: boolean;
  proxy_connect_header?: Record<string, string[]>;
  follow_redirects: boolean;
  enable_http2: boolean;
}

export interface StaticConfig {
  targets: string[];
  labels?: Record<string, string>;
}

export interface FileSdConfig {
  files: string[];
  refresh_interval: string;
}

export interface HttpSdConfig extends HttpClientConfig {
  url: string;
  refresh_interval: string;
}

export interface ScrapeConfig extends HttpClientConfig {
  job_name: string;
  honor_labels: boolean;
  honor_timestamps: boolean;
  track_timestamps_staleness: boolean;
  params?: Record<string, string[]>;
  scrape_interval: string;
  scrape_timeout: string;
  scrape_protocols: ScrapeProtocol[];
  scrape_classic_histograms?: boolean;
  metrics_path: string;
  scheme: 'http' | 'https';
  enable_compression: boolean;
  body_size_limit?: string;
  sample_limit?: number;
  target_limit?: number;
  label_limit?: number;
  label_name_length_limit?: number;
  label_value_length_limit?: number;
  native_histogram_bucket_limit?: number;
  native_histogram_min_bucket_factor?: number;
  keep_dropped_targets?: number;
  static_configs?: StaticConfig[];
  file_sd_configs?: FileSdConfig[];
  http_sd_configs?: HttpSdConfig[];
  relabel_configs?: RelabelConfig[];
  metric_relabel_configs?: RelabelConfig[];
}

export interface QueueConfig {
  capacity: number;
  max_shards: number;
  min_shards: number;
  max_samples_per_send: number;
  batch_send_deadline: string;
  min_backoff: string;
  max_backoff: string;
  retry_on_http_429?: boolean;
  sample_age_limit?: string;
}

export interface MetadataConfig {
  send: boolean;
  send_interval: string;
  max_samples_per_send: number;
}

export interface RemoteWriteConfig extends HttpClientConfig {
  url: string;
  remote_timeout: string;
  headers?: Record<string, string>;
  write_relabel_configs?: RelabelConfig[];
  name?: string;
  send_exemplars?: boolean;
  send_native_histograms?: boolean;
  queue_config: QueueConfig;
  metadata_config: MetadataConfig;
}

export interface RemoteReadConfig extends HttpClientConfig {
  url: string;
  remote_timeout: string;
  headers?: Record<string, string>;
  read_recent?: boolean;
  name?: string;
  required_matchers?: Record<string, string>;
  filter_external_labels: boolean;
}

export interface AlertmanagerConfig extends HttpClientConfig {
  scheme: string;
  path_prefix?: string;
  timeout: string;
  api_version: string;
  static_configs?: StaticConfig[];
  file_sd_configs?: FileSdConfig[];
  relabel_configs?: RelabelConfig[];
  alert_relabel_configs?: RelabelConfig[];
}

export interface AlertingConfig {
  alert_relabel_configs?: RelabelConfig[];
  alertmanagers?: AlertmanagerConfig[];
}

export interface StorageConfig {
  tsdb?: { out_of_order_time_window?: string };
  exemplars?: { max_exemplars?: number };
}
