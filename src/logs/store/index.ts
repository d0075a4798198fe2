export { LogStore, type LogStoreOptions, type AppendListener } from './log-store.js';
export { DAY_NS, HOUR_NS } from './partitions.js';
