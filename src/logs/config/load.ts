import fs from 'node:fs/promises';
import { ConfigError } from '../../common/config-error.js';
import { parseGoDuration, parsePromDuration } from '../../common/duration.js';
import { loadYaml } from '../../common/yaml-schema.js';
import { parseByteSize } from './byte-size.js';
import { expandEnv } from './expand-env.js';
import {
  DEFAULT_COMPACTOR,
  DEFAULT_LIMITS,
  type LokiConfig,
  type LokiLimits,
} from './loki-config.js';
import { lokiConfigSchema } from './schema.js';

type Doc = Record<string, unknown>;

/** Reads a Loki configuration file as `loki -config.file=FILE [-config.expand-env]` does. */
export async function loadLokiConfig(
  file: string,
  opts: { expandEnv?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<LokiConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      file,
      undefined,
      undefined,
      `cannot read the file: ${(err as Error).message}`,
      'pass an existing file with -config.file',
    );
  }
  return parseLokiConfig(file, opts.expandEnv ? expandEnv(text, opts.env) : text);
}

export function parseLokiConfig(file: string, text: string): LokiConfig {
  const raw = loadYaml({ file, text }, lokiConfigSchema) as Doc;
  const section = (name: string): Doc => (raw[name] as Doc | undefined) ?? {};
  const server = section('server');
  const common = section('common');
  const limitsDoc = section('limits_config');
  const compactor = section('compactor');
  const querier = section('querier');

  const bytes = (key: string, fallback: number): number => {
    const value = limitsDoc[key];
    if (value === undefined || value === null) return fallback;
    const n = parseByteSize(value as string | number);
    if (n === undefined) {
      throw new ConfigError(
        file,
        undefined,
        `limits_config.${key}`,
        `not a valid size: ${JSON.stringify(value)}`,
        'use a size such as 256KB, 1MB or 1048576',
      );
    }
    return n;
  };
  const pick = <K extends keyof LokiLimits>(key: string, name: K): LokiLimits[K] =>
    (limitsDoc[key] ?? DEFAULT_LIMITS[name]) as LokiLimits[K];
  const promMs = (doc: Doc, key: string, fallback: number): number =>
    doc[key] === undefined || doc[key] === null ? fallback : parsePromDuration(String(doc[key]))!;
  const goMs = (doc: Doc, key: string, fallback: number): number =>
    doc[key] === undefined || doc[key] === null ? fallback : parseGoDuration(String(doc[key]))!;

  const limits: LokiLimits = {
    ingestionRateMb: pick('ingestion_rate_mb', 'ingestionRateMb'),
    ingestionBurstSizeMb: pick('ingestion_burst_size_mb', 'ingestionBurstSizeMb'),
    maxLabelNameLength: pick('max_label_name_length', 'maxLabelNameLength'),
    maxLabelValueLength: pick('max_label_value_length', 'maxLabelValueLength'),
    maxLabelNamesPerSeries: pick('max_label_names_per_series', 'maxLabelNamesPerSeries'),
    rejectOldSamples: pick('reject_old_samples', 'rejectOldSamples'),
    rejectOldSamplesMaxAgeMs: promMs(
      limitsDoc,
      'reject_old_samples_max_age',
      DEFAULT_LIMITS.rejectOldSamplesMaxAgeMs,
    ),
    creationGracePeriodMs: promMs(
      limitsDoc,
      'creation_grace_period',
      DEFAULT_LIMITS.creationGracePeriodMs,
    ),
    maxLineSize: bytes('max_line_size', DEFAULT_LIMITS.maxLineSize),
    maxLineSizeTruncate: pick('max_line_size_truncate', 'maxLineSizeTruncate'),
    allowStructuredMetadata: pick('allow_structured_metadata', 'allowStructuredMetadata'),
    maxStructuredMetadataSize: bytes(
      'max_structured_metadata_size',
      DEFAULT_LIMITS.maxStructuredMetadataSize,
    ),
    maxStructuredMetadataEntriesCount: pick(
      'max_structured_metadata_entries_count',
      'maxStructuredMetadataEntriesCount',
    ),
    discoverServiceName: pick('discover_service_name', 'discoverServiceName') ?? [],
    maxEntriesLimitPerQuery: pick('max_entries_limit_per_query', 'maxEntriesLimitPerQuery'),
    maxQuerySeries: pick('max_query_series', 'maxQuerySeries'),
    maxQueryLengthMs: promMs(limitsDoc, 'max_query_length', DEFAULT_LIMITS.maxQueryLengthMs),
    queryTimeoutMs: promMs(limitsDoc, 'query_timeout', DEFAULT_LIMITS.queryTimeoutMs),
    maxConcurrentTailRequests: pick('max_concurrent_tail_requests', 'maxConcurrentTailRequests'),
    splitQueriesByIntervalMs: promMs(
      limitsDoc,
      'split_queries_by_interval',
      DEFAULT_LIMITS.splitQueriesByIntervalMs,
    ),
    volumeEnabled: pick('volume_enabled', 'volumeEnabled'),
    volumeMaxSeries: pick('volume_max_series', 'volumeMaxSeries'),
    retentionPeriodMs: promMs(limitsDoc, 'retention_period', DEFAULT_LIMITS.retentionPeriodMs),
    retentionStream: ((limitsDoc.retention_stream as Doc[] | undefined) ?? []).map((r, i) => {
      if (typeof r.selector !== 'string' || r.period === undefined) {
        throw new ConfigError(
          file,
          undefined,
          `limits_config.retention_stream[${i}]`,
          'a retention_stream rule needs a selector and a period',
          'e.g. - selector: \'{namespace="dev"}\'\n        priority: 1\n        period: 24h',
        );
      }
      return {
        selector: r.selector,
        priority: (r.priority as number | undefined) ?? 0,
        periodMs: parsePromDuration(String(r.period))!,
      };
    }),
  };

  return {
    file,
    raw,
    target: (raw.target as string | undefined) ?? 'all',
    authEnabled: (raw.auth_enabled as boolean | undefined) ?? true,
    server: {
      httpListenAddress: (server.http_listen_address as string | undefined) ?? '',
      httpListenPort: (server.http_listen_port as number | undefined) ?? 3100,
      logLevel: (server.log_level as string | undefined) ?? 'info',
    },
    pathPrefix: (common.path_prefix as string | undefined) ?? '',
    limits,
    compactor: {
      compactionIntervalMs: goMs(
        compactor,
        'compaction_interval',
        DEFAULT_COMPACTOR.compactionIntervalMs,
      ),
      retentionEnabled:
        (compactor.retention_enabled as boolean | undefined) ?? DEFAULT_COMPACTOR.retentionEnabled,
      retentionDeleteDelayMs: goMs(
        compactor,
        'retention_delete_delay',
        DEFAULT_COMPACTOR.retentionDeleteDelayMs,
      ),
    },
    querier: {
      tailMaxDurationMs: goMs(querier, 'tail_max_duration', 3_600_000),
      // Loki 3.0's default; below 1 no query could run.
      maxConcurrent: Math.max(1, Number(querier.max_concurrent ?? 4)),
    },
  };
}

/** obs's configuration when no file is given: Loki's defaults, single tenant. */
export function defaultLokiConfig(pathPrefix: string): LokiConfig {
  return { ...parseLokiConfig('(defaults)', 'auth_enabled: false'), file: undefined, pathPrefix };
}
