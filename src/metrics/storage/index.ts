import { TsdbStore } from './store.js';
import type { MetricsStore, MetricsStoreOptions } from './types.js';

export type { MetricsStore, MetricsStoreOptions, MetricMetadata } from './types.js';
export { seriesKey } from './series-index.js';
export type { TsdbStatus, TsdbStat } from './tsdb-status.js';

/** Opens (creating if needed) the TSDB in `opts.dir`, replaying its WAL. */
export async function openMetricsStore(opts: MetricsStoreOptions): Promise<MetricsStore> {
  const store = new TsdbStore(opts);
  await store.open();
  return store;
}
