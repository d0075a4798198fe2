export type {
  AgentEntry,
  ArgumentSchema,
  Component,
  ComponentDefinition,
  ComponentOptions,
  LogsReceiver,
} from './component.js';
export { COMPONENTS } from './components/registry.js';
export { defaultAlloyConfig } from './default-config.js';
export {
  createAgentRole,
  loadAgentConfig as loadAlloyConfig,
  runAgentStandalone,
  type AgentRole,
  type AgentRoleOptions,
} from './role.js';
export { AlloyConfigError, type AlloyConfig } from './runtime/index.js';
export { parseAlloy, AlloySyntaxError } from './syntax/index.js';
