import type { Logger } from 'pino';
import type { LabelMatcher } from '../../common/labels.js';
import type { Appendable } from '../appender.js';
import type { Queryable } from '../queryable.js';
import type { TsdbStatus } from './tsdb-status.js';

export interface MetricsStoreOptions {
  dir: string;
  /** --storage.tsdb.retention.time in ms; 0 disables time retention. */
  retentionMs: number;
  /** --storage.tsdb.retention.size in bytes. */
  retentionBytes?: number;
  logger?: Logger;
  /** Head → block cut size; Prometheus's 2h. Tests shrink it. */
  blockRangeMs?: number;
}

/** A metric family's TYPE/HELP/UNIT as /api/v1/metadata reports them. */
export interface MetricMetadata {
  type: string;
  help: string;
  unit: string;
}

export interface MetricsStore extends Appendable, Queryable {
  /** The storage directory (--storage.tsdb.path). */
  readonly dir: string;
  close(): Promise<void>;
  deleteSeries(matchers: LabelMatcher[][], startMs: number, endMs: number): Promise<void>;
  cleanTombstones(): Promise<void>;
  /** Writes a snapshot under `dir` and returns its name, as Prometheus's admin API. */
  snapshot(dir: string, skipHead: boolean): Promise<string>;
  tsdbStatus(limit: number): Promise<TsdbStatus>;
  diskBytes(): Promise<number>;
  /** Records a family's metadata (from scrapes or remote write). */
  setMetadata?(metric: string, md: MetricMetadata): void;
  metadata?(): Map<string, MetricMetadata>;
}
