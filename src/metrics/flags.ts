import { formatPromDuration, parsePromDuration } from '../common/duration.js';
import { FlagError, parseFlags, type FlagSpec, type FlagValues } from '../common/flags.js';
import { SEED } from '../stack/defaults.js';
import { parseBase2Bytes } from './config/index.js';

/**
 * Prometheus 2.52's command-line flags (kingpin style), so `obs run metrics`
 * drops in for the real binary. Defaults are Prometheus's, except the listen
 * address, which is obs's loopback port.
 */
export const METRICS_FLAG_SPECS: Record<string, FlagSpec> = {
  'config.file': {
    type: 'string',
    default: 'prometheus.yml',
    help: 'Prometheus configuration file path.',
  },
  'web.listen-address': {
    type: 'string',
    default: `${SEED.loopback}:${SEED.ports.metrics}`,
    help: 'Address to listen on for UI, API, and telemetry.',
  },
  'web.config.file': {
    type: 'string',
    default: '',
    help: '[EXPERIMENTAL] Path to configuration file that can enable TLS or authentication.',
  },
  'web.read-timeout': {
    type: 'string',
    default: '5m',
    help: 'Maximum duration before timing out read of the request, and closing idle connections.',
  },
  'web.max-connections': {
    type: 'string',
    default: '512',
    help: 'Maximum number of simultaneous connections.',
  },
  'web.external-url': {
    type: 'string',
    default: '',
    help: 'The URL under which Prometheus is externally reachable.',
  },
  'web.route-prefix': {
    type: 'string',
    default: '',
    help: 'Prefix for the internal routes of web endpoints.',
  },
  'web.user-assets': {
    type: 'string',
    default: '',
    help: 'Path to static asset directory, available at /user.',
  },
  'web.enable-lifecycle': {
    type: 'bool',
    default: false,
    help: 'Enable shutdown and reload via HTTP request.',
  },
  'web.enable-admin-api': {
    type: 'bool',
    default: false,
    help: 'Enable API endpoints for admin control actions.',
  },
  'web.enable-remote-write-receiver': {
    type: 'bool',
    default: false,
    help: 'Enable API endpoint accepting remote write requests.',
  },
  'web.console.templates': {
    type: 'string',
    default: 'consoles',
    help: 'Path to the console template directory, available at /consoles.',
  },
  'web.console.libraries': {
    type: 'string',
    default: 'console_libraries',
    help: 'Path to the console library directory.',
  },
  'web.page-title': {
    type: 'string',
    default: 'Prometheus Time Series Collection and Processing Server',
    help: 'Document title of Prometheus instance.',
  },
  'web.cors.origin': {
    type: 'string',
    default: '.*',
    help: 'Regex for CORS origin. It is fully anchored.',
  },
  'storage.tsdb.path': { type: 'string', default: 'data/', help: 'Base path for metrics storage.' },
  'storage.tsdb.retention': {
    type: 'string',
    help: '[DEPRECATED] How long to retain samples in storage. Use "storage.tsdb.retention.time" instead.',
  },
  'storage.tsdb.retention.time': {
    type: 'string',
    help: `How long to retain samples in storage. When this flag is set it overrides "storage.tsdb.retention". If neither this flag nor "storage.tsdb.retention" nor "storage.tsdb.retention.size" is set, the retention time defaults to ${SEED.metrics.retentionTime}.`,
  },
  'storage.tsdb.retention.size': {
    type: 'string',
    default: '0B',
    help: 'Maximum number of bytes that can be stored for blocks. A unit is required, supported units: B, KB, MB, GB, TB, PB, EB. Ex: "512MB".',
  },
  'storage.tsdb.no-lockfile': {
    type: 'bool',
    default: false,
    help: 'Do not create lockfile in data directory.',
  },
  'storage.tsdb.head-chunks-write-queue-size': {
    type: 'string',
    default: '0',
    help: 'Size of the queue through which head chunks are written to the disk to be m-mapped.',
  },
  'storage.tsdb.wal-compression': { type: 'bool', default: true, help: 'Compress the tsdb WAL.' },
  'storage.remote.flush-deadline': {
    type: 'string',
    default: '1m',
    help: 'How long to wait flushing sample on shutdown or config reload.',
  },
  'storage.remote.read-sample-limit': {
    type: 'string',
    default: '50000000',
    help: 'Maximum overall number of samples to return via the remote read interface, in a single query.',
  },
  'storage.remote.read-concurrent-limit': {
    type: 'string',
    default: '10',
    help: 'Maximum number of concurrent remote read calls.',
  },
  'storage.remote.read-max-bytes-in-frame': {
    type: 'string',
    default: '1048576',
    help: 'Maximum number of bytes in a single frame for streaming remote read response types.',
  },
  'rules.alert.for-outage-tolerance': {
    type: 'string',
    default: '1h',
    help: 'Max time to tolerate prometheus outage for restoring "for" state of alert.',
  },
  'rules.alert.for-grace-period': {
    type: 'string',
    default: '10m',
    help: 'Minimum duration between alert and restored "for" state.',
  },
  'rules.alert.resend-delay': {
    type: 'string',
    default: '1m',
    help: 'Minimum amount of time to wait before resending an alert to Alertmanager.',
  },
  'alertmanager.notification-queue-capacity': {
    type: 'string',
    default: '10000',
    help: 'The capacity of the queue for pending Alertmanager notifications.',
  },
  'query.lookback-delta': {
    type: 'string',
    default: '5m',
    help: 'The maximum lookback duration for retrieving metrics during expression evaluations and federation.',
  },
  'query.timeout': {
    type: 'string',
    default: '2m',
    help: 'Maximum time a query may take before being aborted.',
  },
  'query.max-concurrency': {
    type: 'string',
    default: '20',
    help: 'Maximum number of queries executed concurrently.',
  },
  'query.max-samples': {
    type: 'string',
    default: '50000000',
    help: 'Maximum number of samples a single query can load into memory.',
  },
  'enable-feature': { type: 'list', help: 'Comma separated feature names to enable.' },
  'log.level': {
    type: 'string',
    default: 'info',
    help: 'Only log messages with the given severity or above. One of: [debug, info, warn, error]',
  },
  'log.format': {
    type: 'string',
    default: 'logfmt',
    help: 'Output format of log messages. One of: [logfmt, json]',
  },
};

export interface MetricsFlags {
  configFile: string;
  listenAddress: string;
  storagePath: string;
  /** Retention by time, ms; 15d unless a retention flag says otherwise. */
  retentionTimeMs: number;
  /** Retention by size, bytes; 0 means no size limit. */
  retentionSizeBytes: number;
  enableLifecycle: boolean;
  enableAdminApi: boolean;
  enableRemoteWriteReceiver: boolean;
  externalUrl: string;
  routePrefix: string;
  remoteFlushDeadlineMs: number;
  lookbackDeltaMs: number;
  queryTimeoutMs: number;
  queryMaxSamples: number;
  queryMaxConcurrency: number;
  enableFeatures: string[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Every flag's value as given or defaulted, by name. */
  values: FlagValues;
}

/** Parses Prometheus's flags; throws FlagError with kingpin's wording on bad input. */
export function parseMetricsFlags(argv: string[]): MetricsFlags {
  const { values, positional } = parseFlags(argv, METRICS_FLAG_SPECS, 'kingpin');
  if (positional.length > 0) throw new FlagError(`unexpected ${positional[0]}`);
  const str = (name: string): string => String(values[name] ?? '');
  const duration = (name: string): number => {
    const ms = parsePromDuration(str(name));
    if (ms === undefined) {
      throw new FlagError(
        `invalid value "${str(name)}" for flag --${name}: not a valid duration string: "${str(name)}"`,
      );
    }
    return ms;
  };
  const int = (name: string): number => {
    const n = Number(str(name));
    if (!Number.isInteger(n) || str(name) === '') {
      throw new FlagError(
        `invalid value "${str(name)}" for flag --${name}: strconv.ParseInt: parsing "${str(name)}": invalid syntax`,
      );
    }
    return n;
  };

  const sizeText = str('storage.tsdb.retention.size');
  const size = parseBase2Bytes(sizeText);
  if (size === undefined) {
    throw new FlagError(
      `invalid value "${sizeText}" for flag --storage.tsdb.retention.size: units: unknown unit  in ${sizeText}`,
    );
  }
  let retentionTimeMs = 0;
  if (values['storage.tsdb.retention'] !== undefined)
    retentionTimeMs = duration('storage.tsdb.retention');
  if (values['storage.tsdb.retention.time'] !== undefined)
    retentionTimeMs = duration('storage.tsdb.retention.time');
  // As Prometheus: with neither a time nor a size limit, keep 15 days.
  if (retentionTimeMs === 0 && size === 0)
    retentionTimeMs = parsePromDuration(SEED.metrics.retentionTime)!;

  const listen = str('web.listen-address');
  if (!/^(\[[^\]]*\]|[^:]*):\d+$/.test(listen)) {
    throw new FlagError(
      `invalid value "${listen}" for flag --web.listen-address: address ${listen}: missing port in address`,
    );
  }
  const logLevel = str('log.level');
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new FlagError(`unrecognized log level ${JSON.stringify(logLevel)}`);
  }
  return {
    configFile: str('config.file'),
    listenAddress: listen,
    storagePath: str('storage.tsdb.path'),
    retentionTimeMs,
    retentionSizeBytes: size,
    enableLifecycle: values['web.enable-lifecycle'] === true,
    enableAdminApi: values['web.enable-admin-api'] === true,
    enableRemoteWriteReceiver: values['web.enable-remote-write-receiver'] === true,
    externalUrl: str('web.external-url'),
    routePrefix: str('web.route-prefix'),
    remoteFlushDeadlineMs: duration('storage.remote.flush-deadline'),
    lookbackDeltaMs: duration('query.lookback-delta'),
    queryTimeoutMs: duration('query.timeout'),
    queryMaxSamples: int('query.max-samples'),
    queryMaxConcurrency: int('query.max-concurrency'),
    enableFeatures: (values['enable-feature'] as string[])
      .flatMap((f) => f.split(','))
      .filter(Boolean),
    logLevel: logLevel as MetricsFlags['logLevel'],
    values,
  };
}

/**
 * The /api/v1/status/flags map: every flag by name with its value as a
 * string, as Prometheus lists them (booleans as "true"/"false").
 */
export function flagsForStatus(flags: MetricsFlags): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(METRICS_FLAG_SPECS).sort()) {
    const value = flags.values[name];
    if (Array.isArray(value)) out[name] = value.join(',');
    else if (value === undefined) out[name] = '';
    else out[name] = String(value);
  }
  if (out['storage.tsdb.retention.time'] === '') {
    out['storage.tsdb.retention.time'] = formatPromDuration(flags.retentionTimeMs);
  }
  return out;
}
