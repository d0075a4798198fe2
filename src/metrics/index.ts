export {
  loadPrometheusConfig,
  parsePrometheusConfig,
  renderConfigYaml,
  type PrometheusConfig,
} from './config/index.js';
export { parseMetricsFlags, flagsForStatus, type MetricsFlags } from './flags.js';
export { createMetricsRole, type MetricsRole, type MetricsRoleOptions } from './role.js';
export { runMetricsStandalone } from './standalone.js';
export type { Appendable, SampleAppender, MetricsSource } from './appender.js';
