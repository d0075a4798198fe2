export { LogStore, type LogStoreOptions, type AppendListener } from './log-store.js';
export { streamKey } from './catalog.js';
