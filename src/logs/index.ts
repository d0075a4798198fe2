export { loadLokiConfig, defaultLokiConfig, type LokiConfig } from './config/index.js';
export { createLogsRole, runLogsStandalone, LOKI_COMPAT_VERSION, type LogsRole } from './role.js';
export type { LogSink, LogStream, LogEntry } from './sink.js';
export { LogPushError } from './sink.js';
export type { LogReader } from './reader.js';
