export { lokiProcess } from './component.js';
export { parseTimestamp } from './timestamp-format.js';
export { compileGoTemplate } from './go-template.js';
export { Pipeline } from './pipeline.js';
export type { ProcessEntry } from './stage.js';
export { LOKI_PROCESS_SCHEMA, STAGE_SCHEMAS } from './schema.js';
