/**
 * The exporters: node_exporter- and cAdvisor-compatible metrics, scraped
 * in-process by the metrics role (as MetricsSources) or served alone as
 * drop-ins for the real binaries.
 */
import type { MetricsSource } from '../metrics/appender.js';
import { NodeExporterSource } from './node/node-exporter.js';
import type { NodeExporterOptions } from './node/options.js';

export type { NodeExporterOptions, NodeCollectorName } from './node/options.js';
export { NODE_COLLECTORS } from './node/options.js';
export { runNodeExporterStandalone } from './node/standalone.js';
export { TEXT_CONTENT_TYPE } from './exposition.js';

/** node_exporter's metrics for this host: job "node_exporter", instance "127.0.0.1:9100". */
export function createNodeExporterSource(opts?: NodeExporterOptions): MetricsSource {
  return new NodeExporterSource(opts);
}
