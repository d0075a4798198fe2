import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerLokiQueryApi } from '../../src/logs/query-api/index.js';
import {
  CORPUS_BASE_NS,
  loadLogqlConformance,
  type ConformanceQuery,
} from '../support/conformance-logql.js';
import { MemoryLogReader } from '../support/memory-log-reader.js';

const LIMITS = {
  maxEntriesLimitPerQuery: 100000,
  maxQuerySeries: 100000,
  queryTimeoutMs: 120000,
};

const data = await loadLogqlConformance();

/** Runs every conformance query against `app` and reports the tally. */
function conformanceSuite(name: string, app: () => FastifyInstance, base: () => bigint): void {
  describe(name, () => {
    let passed = 0;
    let failed = 0;
    after(() => {
      console.log(`logql conformance (${name}): ${passed} passed, ${failed} failed`);
    });
    for (const q of data.queries) {
      test(q.id, async () => {
        const res = await app().inject({
          method: 'GET',
          url: data.compare.buildRequest(q, base()),
        });
        const got = data.compare.normalize(q, res.statusCode, res.body, base());
        const problem = data.compare.diff(
          q as ConformanceQuery,
          data.expected[q.id]!.response,
          got,
        );
        if (problem === null) passed++;
        else failed++;
        assert.equal(problem, null, `${q.id} ${q.query ?? ''}`);
      });
    }
  });
}

let memoryApp: FastifyInstance;
before(async () => {
  const reader = new MemoryLogReader();
  reader.push(data.streams);
  memoryApp = Fastify();
  registerLokiQueryApi(memoryApp, {
    reader,
    limits: LIMITS,
    now: () => CORPUS_BASE_NS + 7n * 86400n * 1000000000n,
  });
  await memoryApp.ready();
});
after(async () => {
  await memoryApp.close();
});

conformanceSuite(
  'memory reader',
  () => memoryApp,
  () => CORPUS_BASE_NS,
);
