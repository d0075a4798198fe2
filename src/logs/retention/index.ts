export { RetentionCompactor, type CompactionReport } from './compactor.js';
export { retentionPeriodFor, compileRetentionRules } from './stream-retention.js';
