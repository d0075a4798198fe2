import { Counter, Gauge, Histogram, register } from 'prom-client';

type L = 'remote_name' | 'url';

/** Remote-write queue metrics with Prometheus's names (storage/remote/queue_manager.go). */
export interface RemoteMetrics {
  samplesTotal: Counter<L>;
  samplesFailed: Counter<L>;
  samplesRetried: Counter<L>;
  samplesDropped: Counter<L>;
  samplesPending: Gauge<L>;
  bytesTotal: Counter<L>;
  sentBatchDuration: Histogram<L>;
  highestSent: Gauge<L>;
  shards: Gauge<L>;
  highestTimestamp: Gauge;
}

let metrics: RemoteMetrics | undefined;

function get<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

function counter(name: string, help: string): Counter<L> {
  return get(name, () => new Counter({ name, help, labelNames: ['remote_name', 'url'] }));
}

function gauge(name: string, help: string): Gauge<L> {
  return get(name, () => new Gauge({ name, help, labelNames: ['remote_name', 'url'] }));
}

export function remoteMetrics(): RemoteMetrics {
  if (metrics) return metrics;
  metrics = {
    samplesTotal: counter(
      'prometheus_remote_storage_samples_total',
      'Total number of samples sent to remote storage.',
    ),
    samplesFailed: counter(
      'prometheus_remote_storage_samples_failed_total',
      'Total number of samples which failed on send to remote storage, non-recoverable errors.',
    ),
    samplesRetried: counter(
      'prometheus_remote_storage_samples_retried_total',
      'Total number of samples which failed on send to remote storage but were retried because the send error was recoverable.',
    ),
    samplesDropped: counter(
      'prometheus_remote_storage_samples_dropped_total',
      'Total number of samples which were dropped after being read from the WAL before being sent via remote write, either via relabelling or unintentionally because of an unknown reference ID.',
    ),
    samplesPending: gauge(
      'prometheus_remote_storage_samples_pending',
      'The number of samples pending in the queues shards to be sent to the remote storage.',
    ),
    bytesTotal: counter(
      'prometheus_remote_storage_bytes_total',
      'The total number of bytes of data (not metadata) sent by the queue after compression.',
    ),
    sentBatchDuration: get(
      'prometheus_remote_storage_sent_batch_duration_seconds',
      () =>
        new Histogram({
          name: 'prometheus_remote_storage_sent_batch_duration_seconds',
          help: 'Duration of send calls to the remote storage.',
          labelNames: ['remote_name', 'url'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 120, 300],
        }),
    ),
    highestSent: gauge(
      'prometheus_remote_storage_queue_highest_sent_timestamp_seconds',
      'Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, in seconds since epoch.',
    ),
    shards: gauge(
      'prometheus_remote_storage_shards',
      'The number of shards used for parallel sending to the remote storage.',
    ),
    highestTimestamp: get(
      'prometheus_remote_storage_highest_timestamp_in_seconds',
      () =>
        new Gauge({
          name: 'prometheus_remote_storage_highest_timestamp_in_seconds',
          help: 'Highest timestamp that has come into the remote storage via the Appender interface, in seconds since epoch.',
        }),
    ),
  };
  return metrics;
}
