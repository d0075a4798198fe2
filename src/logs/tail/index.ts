export { registerTailApi, type TailApiOptions } from './routes.js';
export {
  compileSelectorQuery,
  matcherTest,
  TailQueryError,
  type TailQuery,
  type TailQueryCompiler,
} from './tail-query.js';
export { parseLokiTime } from './timestamp.js';
