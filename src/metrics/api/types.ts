import type { PromQLEngine } from '../promql/index.js';
import type { MetricsStore } from '../storage/index.js';

export interface PrometheusApiDeps {
  store: MetricsStore;
  engine: PromQLEngine;
  targets(): { activeTargets: unknown[]; droppedTargets: unknown[] };
  configYaml(): string;
  flags(): Record<string, string>;
  ready(): boolean;
  reload?(): Promise<void>;
  enableAdminApi: boolean;
  enableRemoteWriteReceiver: boolean;
  enableLifecycle: boolean;
  /** --query.lookback-delta in ms, for /federate. */
  lookbackDeltaMs?: number;
  /** `global.external_labels`, added to federated series. */
  externalLabels?(): Record<string, string>;
  /** --storage.tsdb.retention.time as given (for runtimeinfo). */
  storageRetention?: string;
}
