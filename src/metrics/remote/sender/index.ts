export { RemoteWriteManager, type RemoteWriteManagerOptions } from './manager.js';
export { RemoteWriteQueue, type SampleBatch } from './queue.js';
export {
  encodeMetadataRequest,
  encodeWriteRequest,
  type FamilyMetadata,
  type SeriesSamples,
} from './encode.js';
