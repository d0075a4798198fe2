/** The parts of Loki's configuration that obs acts on, with Loki 3.0's defaults applied. */
export interface LokiConfig {
  /** The file it came from (for `/config` and errors); undefined for defaults only. */
  file?: string;
  /** The document as loaded (after env expansion), served by `/config`. */
  raw: Record<string, unknown>;
  target: string;
  authEnabled: boolean;
  server: { httpListenAddress: string; httpListenPort: number; logLevel: string };
  /** Where data lives (`common.path_prefix`). */
  pathPrefix: string;
  limits: LokiLimits;
  compactor: {
    compactionIntervalMs: number;
    retentionEnabled: boolean;
    retentionDeleteDelayMs: number;
  };
  querier: { tailMaxDurationMs: number; maxConcurrent: number };
}

export interface RetentionStreamRule {
  selector: string;
  priority: number;
  periodMs: number;
}

export interface LokiLimits {
  ingestionRateMb: number;
  ingestionBurstSizeMb: number;
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  maxLabelNamesPerSeries: number;
  rejectOldSamples: boolean;
  rejectOldSamplesMaxAgeMs: number;
  creationGracePeriodMs: number;
  maxLineSize: number;
  maxLineSizeTruncate: boolean;
  allowStructuredMetadata: boolean;
  maxStructuredMetadataSize: number;
  maxStructuredMetadataEntriesCount: number;
  /** Labels whose value becomes `service_name` when a stream has none (empty: off). */
  discoverServiceName: string[];
  maxEntriesLimitPerQuery: number;
  maxQuerySeries: number;
  maxQueryLengthMs: number;
  queryTimeoutMs: number;
  maxConcurrentTailRequests: number;
  splitQueriesByIntervalMs: number;
  volumeEnabled: boolean;
  volumeMaxSeries: number;
  retentionPeriodMs: number;
  retentionStream: RetentionStreamRule[];
}

const HOUR = 3_600_000;

/**
 * Loki 3.0's defaults, except where the seed (infra/logging/loki-config.yml)
 * fixes a value and a config file may leave it out: retention 720h, old
 * samples accepted.
 */
export const DEFAULT_LIMITS: LokiLimits = {
  ingestionRateMb: 4,
  ingestionBurstSizeMb: 6,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 2048,
  maxLabelNamesPerSeries: 15,
  rejectOldSamples: false,
  rejectOldSamplesMaxAgeMs: 168 * HOUR,
  creationGracePeriodMs: 10 * 60_000,
  maxLineSize: 256_000,
  maxLineSizeTruncate: false,
  allowStructuredMetadata: true,
  maxStructuredMetadataSize: 64_000,
  maxStructuredMetadataEntriesCount: 128,
  discoverServiceName: [
    'service',
    'app',
    'application',
    'name',
    'app_kubernetes_io_name',
    'container',
    'container_name',
    'component',
    'workload',
    'job',
  ],
  maxEntriesLimitPerQuery: 5000,
  maxQuerySeries: 500,
  maxQueryLengthMs: 721 * HOUR,
  queryTimeoutMs: 60_000,
  maxConcurrentTailRequests: 10,
  splitQueriesByIntervalMs: HOUR,
  volumeEnabled: true,
  volumeMaxSeries: 1000,
  retentionPeriodMs: 720 * HOUR,
  retentionStream: [],
};

export const DEFAULT_COMPACTOR: LokiConfig['compactor'] = {
  compactionIntervalMs: 10 * 60_000,
  retentionEnabled: true,
  retentionDeleteDelayMs: 2 * HOUR,
};
