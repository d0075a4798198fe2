export { RemoteWriteManager, type RemoteWriteManagerOptions } from './manager.js';
export { RemoteWriteQueue, type SampleBatch } from './queue.js';
export { encodeWriteRequest, type SeriesSamples } from './encode.js';
