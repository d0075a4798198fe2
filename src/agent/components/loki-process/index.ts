export { lokiProcess } from './component.js';
export { parseGoTime, NAMED_LAYOUTS } from './go-time.js';
export { compileGoTemplate } from './go-template.js';
export { Pipeline } from './pipeline.js';
export type { ProcessEntry } from './stage.js';
export { LOKI_PROCESS_SCHEMA, STAGE_SCHEMAS } from './schema.js';
