export { LogStore, type LogStoreOptions, type AppendListener } from './log-store.js';
export { streamKey } from './catalog.js';
export { DAY_NS, HOUR_NS, dayOf } from './partitions.js';
