export { ScrapeManager, type ScrapeManagerOptions, type TargetsJson } from './manager.js';
export type { ActiveTargetJson, DroppedTargetJson } from './pool.js';
export { STALE_NAN, acceptHeader, mutateSampleLabels, type ScrapeLoop } from './loop.js';
export { populateTarget, targetUrl, type ScrapeTarget, type TargetGroup } from './target.js';
export {
  ExpositionError,
  parseExposition,
  type ExpositionFormat,
  type MetricMetadata,
  type ParsedExposition,
  type ParsedSample,
} from './exposition/index.js';
