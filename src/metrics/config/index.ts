export {
  expandGlob,
  loadPrometheusConfig,
  parsePrometheusConfig,
  PROMETHEUS_DEFAULTS,
  SCRAPE_PROTOCOL_HEADERS,
} from './load.js';
export { authorizationHeader, tlsRequestOptions } from './http-client.js';
export { renderConfigYaml } from './render.js';
export { loadRuleFiles, parseRuleFile, type RuleConfig, type RuleGroupConfig } from './rules.js';
export { formatBase2Bytes, parseBase2Bytes } from './units.js';
export type * from './types.js';
