import type { Labels } from '../common/labels.js';

/**
 * The write side of the metrics store, as Prometheus's storage.Appender:
 * samples are buffered by `append` and become visible and durable together on
 * `commit` (which resolves once they survive a crash), or are dropped by
 * `rollback`. Timestamps are Unix milliseconds; labels include `__name__`.
 */
export interface SampleAppender {
  append(labels: Labels, timestampMs: number, value: number): void;
  commit(): Promise<void>;
  rollback(): void;
}

export interface Appendable {
  appender(): SampleAppender;
}

/**
 * Something the metrics role scrapes in-process instead of over HTTP (the
 * exporters and obs's own registry). It returns exactly what its `/metrics`
 * endpoint would serve, so in-process and HTTP scrapes behave the same.
 */
export interface MetricsSource {
  /** Scrape job name, as in the seed's prometheus.yml (`node_exporter`, `cadvisor`, `obs`). */
  readonly job: string;
  /** `host:port` the source would have over HTTP, used as the `instance` label. */
  readonly instance: string;
  collect(): Promise<{ contentType: string; body: string }>;
  /** Releases what the source holds open (file descriptors, connections). */
  close?(): void;
}

/**
 * Why `SampleAppender.append` (or `commit`, when another commit got there
 * first) refused a sample; messages are Prometheus's. Scrapes count and skip
 * such samples; the remote-write receiver answers 400 with the message.
 */
export class SampleAppendError extends Error {
  constructor(
    readonly reason: 'out_of_order' | 'out_of_bounds' | 'duplicate',
    message: string,
  ) {
    super(message);
    this.name = 'SampleAppendError';
  }
}
