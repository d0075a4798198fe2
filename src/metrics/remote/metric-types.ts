/**
 * prompb.MetricMetadata.MetricType by its enum number, lower-cased as
 * /api/v1/metadata prints it: shared by the remote-write sender and receiver.
 */
export const METRIC_TYPES: readonly string[] = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
];
