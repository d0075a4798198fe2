export { registerPushApi, type PushApiOptions } from './routes.js';
export { Distributor, DEFAULT_TENANT } from './distributor.js';
export { createPushMetrics, type PushMetrics } from './metrics.js';
export { encodeProtoPush, decodeProtoPush } from './decode-proto.js';
export { decodeJsonPush } from './decode-json.js';
export { parseLabelString } from './parse-labels.js';
export { IngestionRateLimiter } from './rate-limiter.js';
export type { RawStream, RawEntry } from './raw-push.js';
