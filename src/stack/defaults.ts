/**
 * The seed's values (../shared/seed/architecture.md), in one place. Where the
 * seed names a value, it is obs's default.
 */
export const SEED = {
  ports: { ui: 9001, metrics: 9004, logs: 3100, agent: 12345, nodeExporter: 9100, cadvisor: 8080 },
  loopback: '127.0.0.1',
  logs: {
    retentionPeriod: '720h',
    maxLabelNamesPerSeries: 15,
    rejectOldSamples: false,
    compactionInterval: '10m',
    retentionDeleteDelay: '2h',
  },
  metrics: { retentionTime: '15d' },
  labels: { env: 'sandbox', codeswarmLogSource: 'codeswarm_mcp' },
  jobs: { docker: 'dockerlogs', files: 'tool_sink', telemetry: 'telemetry' },
  scrapeJobs: { node: 'node_exporter', containers: 'cadvisor', self: 'prometheus' },
  /** Under the user's home directory. */
  logPaths: {
    files: '_logs/*.log',
    telemetry: '_telemetry/*.jsonl',
    codeswarm: 'apps/vLLM/_data/mcp-logs/*.log',
  },
  grafana: { version: '11.1.0', adminUser: 'admin' },
} as const;

/** Files of the config directory, relative to it (DESIGN.md, "Configuration"). */
export const CONFIG_FILES = {
  env: '.env',
  gitignore: '.gitignore',
  loki: 'loki-config.yml',
  prometheus: 'prometheus/prometheus.yml',
  alloy: 'alloy-config.alloy',
  grafanaDatasources: 'grafana/provisioning/datasources/obs.yml',
  grafanaDashboards: 'grafana/provisioning/dashboards/obs.yml',
  grafanaDashboardsDir: 'grafana/provisioning/dashboards/json',
} as const;

export const DEFAULT_CONFIG_DIR = 'infra/logging';
