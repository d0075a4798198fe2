export { registerTailApi, type TailApiOptions } from './routes.js';
export { matcherTest } from './tail-query.js';
