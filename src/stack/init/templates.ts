import { SEED } from '../defaults.js';

/**
 * The files `obs init` writes, each in its real system's own format, with
 * the seed's values. The same directory configures obs and, through
 * `obs compose`, the real containers; paths under /loki and /etc/grafana are
 * the containers' mount points, which obs maps onto its data and config dirs.
 */
export interface Ports {
  ui: number;
  metrics: number;
  logs: number;
}

export function lokiConfigYaml(ports: Ports): string {
  return `# Loki 3.0 configuration: obs's logs role reads it, and so would a real Loki.
# Retention and limits are the seed's (seed/architecture.md, "Loki").
auth_enabled: false

server:
  http_listen_address: ${SEED.loopback}
  http_listen_port: ${ports.logs}

common:
  path_prefix: /loki
  replication_factor: 1
  ring:
    kvstore:
      store: inmemory
  storage:
    filesystem:
      chunks_directory: /loki/chunks
      rules_directory: /loki/rules

schema_config:
  configs:
    - from: 2024-01-01
      store: tsdb
      object_store: filesystem
      schema: v13
      index:
        prefix: index_
        period: 24h

limits_config:
  retention_period: ${SEED.logs.retentionPeriod}
  max_label_names_per_series: ${SEED.logs.maxLabelNamesPerSeries}
  reject_old_samples: ${SEED.logs.rejectOldSamples}

compactor:
  working_directory: /loki/compactor
  compaction_interval: ${SEED.logs.compactionInterval}
  retention_enabled: true
  retention_delete_delay: ${SEED.logs.retentionDeleteDelay}
  delete_request_store: filesystem
`;
}

export function prometheusYaml(ports: Ports): string {
  return `# Prometheus configuration: obs's metrics role reads it, and so would a real Prometheus.
# Retention is not set here: as in Prometheus it is a command-line flag only,
# --storage.tsdb.retention.time (default ${SEED.metrics.retentionTime}).
global:
  scrape_interval: 15s
  scrape_timeout: 10s
  evaluation_interval: 15s

scrape_configs:
  - job_name: ${SEED.scrapeJobs.self}
    static_configs:
      - targets: ['${SEED.loopback}:${ports.metrics}']
  - job_name: ${SEED.scrapeJobs.node}
    static_configs:
      - targets: ['${SEED.loopback}:${SEED.ports.nodeExporter}']
  - job_name: ${SEED.scrapeJobs.containers}
    static_configs:
      - targets: ['${SEED.loopback}:${SEED.ports.cadvisor}']
`;
}

export function grafanaDatasourcesYaml(ports: Ports): string {
  return `# Grafana data source provisioning: the logs and metrics roles.
apiVersion: 1
datasources:
  - name: Loki
    type: loki
    uid: obs-loki
    access: proxy
    url: http://${SEED.loopback}:${ports.logs}
  - name: Prometheus
    type: prometheus
    uid: obs-prometheus
    access: proxy
    url: http://${SEED.loopback}:${ports.metrics}
    isDefault: true
`;
}

export function grafanaDashboardsYaml(): string {
  return `# Grafana dashboard provisioning: every dashboard JSON in dashboards/json.
apiVersion: 1
providers:
  - name: obs
    folder: obs
    type: file
    disableDeletion: false
    updateIntervalSeconds: 30
    allowUiUpdates: false
    options:
      path: /etc/grafana/provisioning/dashboards/json
`;
}

export function envFile(password: string, ports: Ports): string {
  return `# Grafana admin credentials and port overrides. Keep this file mode 600.
GRAFANA_ADMIN_USER=${SEED.grafana.adminUser}
GRAFANA_ADMIN_PASSWORD=${password}
GRAFANA_PORT=${ports.ui}
PROMETHEUS_PORT=${ports.metrics}
LOKI_PORT=${ports.logs}
`;
}

export const GITIGNORE = `# Secrets: never commit.
.env
`;
