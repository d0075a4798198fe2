export { Controller, type ControllerOptions } from './controller.js';
export { decodeBody } from './decode.js';
export { EvalError } from './eval-error.js';
export { evaluate } from './evaluate.js';
export { goSprintf } from './go-format.js';
export { buildGraph, CONFIG_BLOCKS, type ComponentNode } from './graph.js';
export { AgentMetrics } from './metrics.js';
export { standardLibrary, typeName } from './stdlib.js';
export { startDebugServer } from './debug-server.js';
export {
  AlloyConfigError,
  checkAlloyConfig,
  CONFIG_BLOCK_SCHEMAS,
  loadAlloyConfig,
  toConfigError,
  type AlloyConfig,
} from './load-config.js';
