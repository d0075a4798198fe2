import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerPrometheusApi, type PrometheusApiDeps } from '../../../src/metrics/api/index.js';
import { PromQLEngine } from '../../../src/metrics/promql/index.js';
import { openMetricsStore, type MetricsStore } from '../../../src/metrics/storage/index.js';

export interface Harness {
  app: FastifyInstance;
  store: MetricsStore;
  base: string;
  close(): Promise<void>;
}

/** obs's Prometheus API over a fresh store in a temp dir, listening on an ephemeral port. */
export async function startApi(overrides: Partial<PrometheusApiDeps> = {}): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-api-'));
  const store = await openMetricsStore({ dir, retentionMs: 15 * 86400_000 });
  const app = Fastify();
  registerPrometheusApi(app, {
    store,
    engine: new PromQLEngine(),
    targets: () => ({ activeTargets: [], droppedTargets: [] }),
    configYaml: () => 'global:\n  scrape_interval: 15s\n',
    flags: () => ({ 'storage.tsdb.retention.time': '15d' }),
    ready: () => true,
    enableAdminApi: false,
    enableRemoteWriteReceiver: true,
    enableLifecycle: false,
    ...overrides,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    app,
    store,
    base: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
