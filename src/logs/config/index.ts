export { loadLokiConfig, parseLokiConfig, defaultLokiConfig } from './load.js';
export { expandEnv } from './expand-env.js';
export { parseByteSize } from './byte-size.js';
export {
  DEFAULT_LIMITS,
  type LokiConfig,
  type LokiLimits,
  type RetentionStreamRule,
} from './loki-config.js';
