/**
 * The exporters: node_exporter- and cAdvisor-compatible metrics, scraped
 * in-process by the metrics role (as MetricsSources) or served alone as
 * drop-ins for the real binaries.
 */
import type { MetricsSource } from '../metrics/appender.js';
import { CadvisorSource, type CadvisorOptions } from './containers/cadvisor.js';
import { NodeExporterSource } from './node/node-exporter.js';
import type { NodeExporterOptions } from './node/options.js';

export type { CadvisorOptions } from './containers/cadvisor.js';
export type { NodeExporterOptions, NodeCollectorName } from './node/options.js';
export { NODE_COLLECTORS } from './node/options.js';
export { runNodeExporterStandalone } from './node/standalone.js';
export { runCadvisorStandalone } from './containers/standalone.js';
export { TEXT_CONTENT_TYPE } from './exposition.js';

/**
 * node_exporter's metrics for this host: job "node_exporter", instance
 * "127.0.0.1:9100". The source keeps procfs/sysfs descriptors open between
 * scrapes; `close()` releases them.
 */
export function createNodeExporterSource(
  opts?: NodeExporterOptions,
): MetricsSource & { close(): void } {
  return new NodeExporterSource(opts);
}

/**
 * cAdvisor's metrics for the root cgroup and the Docker containers: job
 * "cadvisor", instance "127.0.0.1:8080". The source keeps keep-alive
 * connections to the engine and cgroup descriptors; `close()` releases them.
 */
export function createCadvisorSource(opts?: CadvisorOptions): MetricsSource & { close(): void } {
  return new CadvisorSource(opts);
}
