// Child process for crash.test.ts: commits batches forever, printing each batch
// number only after its commit resolved, until the parent kills it with SIGKILL.
import { openMetricsStore } from '../../../src/metrics/storage/index.js';

const dir = process.argv[2]!;
const store = await openMetricsStore({ dir, retentionMs: 0, blockRangeMs: 10_000 });
const series = Array.from({ length: 50 }, (_, i) => ({ __name__: 'crash', i: String(i) }));
// Resume after whatever the previous (killed) run left.
const q = await store.querier(-Infinity, Infinity);
const existing = await q.select([{ type: '=', name: '__name__', value: 'crash' }]);
await q.close();
const last = existing[0]?.timestamps.at(-1);
for (let batch = last === undefined ? 0 : last / 100 + 1; ; batch++) {
  const app = store.appender();
  for (const labels of series) app.append(labels, batch * 100, batch);
  await app.commit();
  process.stdout.write(`${batch}\n`);
}
