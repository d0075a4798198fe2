import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { parseLokiConfig } from '../../src/logs/config/index.js';
import { createLogsRole, type LogsRole } from '../../src/logs/index.js';
import { registerLokiQueryApi } from '../../src/logs/query-api/index.js';
import {
  CORPUS_BASE_NS,
  loadLogqlConformance,
  type ConformanceQuery,
} from '../support/conformance-logql.js';
import { MemoryLogReader } from '../support/memory-log-reader.js';

const DAY_NS = 86400n * 1000000000n;

/** The limits the answers were recorded with (../shared/conformance/logql/loki-config.yaml). */
const LIMITS = {
  maxEntriesLimitPerQuery: 100000,
  maxQuerySeries: 100000,
  queryTimeoutMs: 120000,
};

const ROLE_CONFIG = `auth_enabled: false
limits_config:
  retention_period: 720h
  max_label_names_per_series: 15
  reject_old_samples: false
  allow_structured_metadata: false
  discover_service_name: []
  ingestion_rate_mb: 1024
  ingestion_burst_size_mb: 1024
  per_stream_rate_limit: 512MB
  per_stream_rate_limit_burst: 1024MB
  max_query_series: 100000
  max_entries_limit_per_query: 100000
`;

const data = await loadLogqlConformance();

type Ask = (url: string) => Promise<{ status: number; body: string }>;

/** Runs every conformance query through `ask` and reports the tally. */
function conformanceSuite(name: string, ask: () => Ask, base: () => bigint): void {
  describe(name, () => {
    let passed = 0;
    let failed = 0;
    after(() => {
      console.log(`logql conformance (${name}): ${passed} passed, ${failed} failed`);
    });
    for (const q of data.queries) {
      test(q.id, async () => {
        const res = await ask()(data.compare.buildRequest(q, base()));
        const got = data.compare.normalize(q, res.status, res.body, base());
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
    now: () => CORPUS_BASE_NS + 7n * DAY_NS,
  });
  await memoryApp.ready();
});
after(async () => {
  await memoryApp.close();
});

conformanceSuite(
  'memory reader',
  () => async (url) => {
    const res = await memoryApp.inject({ method: 'GET', url });
    return { status: res.statusCode, body: res.body };
  },
  () => CORPUS_BASE_NS,
);

// The real logs role (DuckDB store), loaded through its push API with the
// corpus shifted by whole days to lie inside retention and in the past.
let role: LogsRole | undefined;
let roleUrl = '';
let roleDir = '';
let shiftedBase = 0n;
before(async () => {
  const nowNs = BigInt(Date.now()) * 1000000n;
  const yesterday = (nowNs / DAY_NS - 1n) * DAY_NS;
  const shiftDays = (yesterday - CORPUS_BASE_NS) / DAY_NS;
  shiftedBase = CORPUS_BASE_NS + shiftDays * DAY_NS;
  roleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-logql-conformance-'));
  role = await createLogsRole(
    { logger: pino({ level: 'silent' }), dataDir: roleDir, listenHost: '127.0.0.1' },
    { config: parseLokiConfig('loki-conformance.yml', ROLE_CONFIG), port: 0 },
  );
  await role.start();
  roleUrl = `http://127.0.0.1:${role.port}`;
  await data.push.pushBodies(
    roleUrl,
    data.push.batchBodies(data.corpus, { batchSize: 1000, shiftDays: Number(shiftDays) }),
    { concurrency: 2 },
  );
});
after(async () => {
  await role?.stop();
  if (roleDir) fs.rmSync(roleDir, { recursive: true, force: true });
});

conformanceSuite(
  'logs role',
  () => async (url) => {
    const res = await fetch(roleUrl + url);
    return { status: res.status, body: await res.text() };
  },
  () => shiftedBase,
);
