import { Counter, type Registry } from 'prom-client';

/** The distributor's counters, under Loki's own metric names. */
export interface PushMetrics {
  linesReceived: Counter<'tenant'>;
  bytesReceived: Counter<'tenant'>;
  discardedSamples: Counter<'reason' | 'tenant'>;
  discardedBytes: Counter<'reason' | 'tenant'>;
}

export function createPushMetrics(registry: Registry): PushMetrics {
  return {
    linesReceived: new Counter({
      name: 'loki_distributor_lines_received_total',
      help: 'The total number of lines received per tenant',
      labelNames: ['tenant'],
      registers: [registry],
    }),
    bytesReceived: new Counter({
      name: 'loki_distributor_bytes_received_total',
      help: 'The total number of uncompressed bytes received per tenant. Includes structured metadata bytes.',
      labelNames: ['tenant'],
      registers: [registry],
    }),
    discardedSamples: new Counter({
      name: 'loki_discarded_samples_total',
      help: 'The total number of samples that were discarded.',
      labelNames: ['reason', 'tenant'],
      registers: [registry],
    }),
    discardedBytes: new Counter({
      name: 'loki_discarded_bytes_total',
      help: 'The total number of bytes that were discarded.',
      labelNames: ['reason', 'tenant'],
      registers: [registry],
    }),
  };
}
