import type { Labels } from '../common/labels.js';

/** One log line. Timestamps are Unix nanoseconds, as in Loki's push API. */
export interface LogEntry {
  timestamp: bigint;
  line: string;
  /** Loki structured metadata (the push API's optional third element). */
  metadata?: Labels;
}

export interface LogStream {
  labels: Labels;
  entries: LogEntry[];
}

/**
 * Where collected logs go: the logs role in-process, or a remote Loki via
 * the push protocol. `push` resolves only once the streams are durable
 * (acknowledged), so callers may then commit positions and cursors; it
 * rejects with a `LogPushError` when the store refuses them.
 */
export interface LogSink {
  push(streams: LogStream[]): Promise<void>;
}

/** A refused push: `status` and `message` are what Loki's HTTP API answers. */
export class LogPushError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'LogPushError';
  }
}
