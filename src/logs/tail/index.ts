export { registerTailApi, type TailApiOptions } from './routes.js';
export {
  compileTailQuery,
  matcherTest,
  type TailQuery,
  type TailQueryCompiler,
} from './tail-query.js';
export { parseLokiTime } from './timestamp.js';
