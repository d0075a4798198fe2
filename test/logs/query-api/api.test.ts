import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerLokiQueryApi } from '../../../src/logs/query-api/index.js';
import { MemoryLogReader } from '../../support/memory-log-reader.js';

const S = 1000000000n;
const BASE = 1762732800n * S; // 2025-11-10T00:00:00Z
const NOW = BASE + 3600n * S;

let app: FastifyInstance;

before(async () => {
  const reader = new MemoryLogReader();
  const entries = [];
  for (let i = 0n; i < 120n; i++)
    entries.push({ timestamp: BASE + i * 30n * S, line: `n=${i} level=info` });
  reader.push([
    { labels: { app: 'a', env: 'dev' }, entries },
    { labels: { app: 'b', env: 'prod' }, entries: [{ timestamp: BASE + 10n * S, line: 'hello' }] },
  ]);
  app = Fastify();
  registerLokiQueryApi(app, {
    reader,
    limits: { maxEntriesLimitPerQuery: 500, maxQuerySeries: 10, queryTimeoutMs: 10000 },
    now: () => NOW,
  });
  await app.ready();
});
after(() => app.close());

async function get(path: string, params: Record<string, string>) {
  const res = await app.inject({ method: 'GET', url: `${path}?${new URLSearchParams(params)}` });
  return { status: res.statusCode, body: res.body, json: () => JSON.parse(res.body) };
}

test('query_range log query: defaults (limit 100, backward, last hour) and Loki JSON', async () => {
  const res = await get('/loki/api/v1/query_range', { query: '{app="a"}' });
  assert.equal(res.status, 200);
  const body = res.json();
  assert.equal(body.status, 'success');
  assert.equal(body.data.resultType, 'streams');
  const values = body.data.result[0].values;
  assert.equal(values.length, 100);
  // Backward: newest first; `end` (now) is excluded.
  assert.deepEqual(values[0], [(BASE + 119n * 30n * S).toString(), 'n=119 level=info']);
  assert.deepEqual(body.data.result[0].stream, { app: 'a', env: 'dev' });
  for (const key of [
    'totalLinesProcessed',
    'totalBytesProcessed',
    'execTime',
    'totalEntriesReturned',
  ]) {
    assert.ok(key in body.data.stats.summary, key);
  }
});

test('timestamps as nanoseconds, RFC 3339, float seconds and integer seconds', async () => {
  const forms = [
    { start: (BASE + 60n * S).toString(), end: (BASE + 120n * S).toString() },
    { start: '2025-11-10T00:01:00.000000000Z', end: '2025-11-10T00:02:00Z' },
    { start: `${(BASE + 60n * S) / S}.0`, end: `${(BASE + 120n * S) / S}.000` },
    { start: `${(BASE + 60n * S) / S}`, end: `${(BASE + 120n * S) / S}` },
  ];
  for (const f of forms) {
    const body = (
      await get('/loki/api/v1/query_range', { query: '{app="a"}', direction: 'FORWARD', ...f })
    ).json();
    // [start, end): 60s and 90s.
    assert.deepEqual(
      body.data.result[0].values.map((v: string[]) => v[1]),
      ['n=2 level=info', 'n=3 level=info'],
      JSON.stringify(f),
    );
  }
});

test('POST form-encoded parameters work like GET', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/loki/api/v1/query',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      query: 'sum(count_over_time({app="a"}[1h]))',
      time: NOW.toString(),
    }).toString(),
  });
  assert.equal(res.statusCode, 200);
  const body = JSON.parse(res.body);
  assert.equal(body.data.resultType, 'vector');
  assert.deepEqual(body.data.result, [{ metric: {}, value: [Number(NOW / S), '119'] }]);
});

test('metric range query: matrix with the default step max(1s, (end-start)/250)', async () => {
  const body = (
    await get('/loki/api/v1/query_range', {
      query: 'count_over_time({app="b"}[1m])',
      start: BASE.toString(),
      end: (BASE + 250n * S).toString(),
    })
  ).json();
  assert.equal(body.data.resultType, 'matrix');
  // Step 1s: the entry at 10s is seen from t=10s to t=69s.
  assert.equal(body.data.result[0].values.length, 60);
  assert.deepEqual(body.data.result[0].values[0], [Number(BASE / S) + 10, '1']);
});

test('scalar results', async () => {
  const body = (await get('/loki/api/v1/query', { query: '2 ^ 10', time: NOW.toString() })).json();
  assert.deepEqual(body.data, {
    resultType: 'scalar',
    result: [Number(NOW / S), '1024'],
    stats: body.data.stats,
  });
});

const errorCases: [string, Record<string, string>, number, string][] = [
  [
    '/loki/api/v1/query_range',
    { query: '{app="a"}', direction: 'sideways' },
    400,
    "invalid direction 'sideways'",
  ],
  [
    '/loki/api/v1/query_range',
    { query: '{app="a"}', limit: '0' },
    400,
    'limit must be a positive value',
  ],
  [
    '/loki/api/v1/query_range',
    { query: '{app="a"}', limit: '501' },
    400,
    'max entries limit per query exceeded, limit > max_entries_limit (501 > 500)',
  ],
  [
    '/loki/api/v1/query_range',
    { query: 'count_over_time({app="a"}[1m])', step: '0' },
    400,
    'zero or negative query resolution step widths are not accepted. Try a positive integer',
  ],
  [
    '/loki/api/v1/query_range',
    { query: 'count_over_time({app="a"}[1m])', step: '0.1' },
    400,
    'exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter',
  ],
  [
    '/loki/api/v1/query_range',
    { query: '{app="a"}', start: (NOW + S).toString(), end: NOW.toString() },
    400,
    'end timestamp must not be before or equal to start time',
  ],
  [
    '/loki/api/v1/query',
    { query: '{app="a"' },
    400,
    'parse error at line 1, col 9: syntax error: unexpected $end, expecting } or ,',
  ],
  [
    '/loki/api/v1/query',
    { query: 'sum(sum_over_time({app="a"} | logfmt level | unwrap level [1h]))' },
    400,
    "pipeline error: 'SampleExtractionErr'",
  ],
];

test('errors: Loki status codes and plain-text messages', async (t) => {
  for (const [path, params, status, message] of errorCases) {
    await t.test(message, async () => {
      const res = await get(path, params);
      assert.equal(res.status, status);
      assert.ok(res.body.startsWith(message), res.body);
    });
  }
});

test('labels, label values (with query), series', async () => {
  const range = { start: BASE.toString(), end: NOW.toString() };
  assert.deepEqual((await get('/loki/api/v1/labels', range)).json(), {
    status: 'success',
    data: ['app', 'env'],
  });
  assert.deepEqual(
    (await get('/loki/api/v1/label/env/values', { ...range, query: '{app="b"}' })).json().data,
    ['prod'],
  );
  const res = await app.inject({
    method: 'GET',
    url: `/loki/api/v1/series?match[]=${encodeURIComponent('{app="a"}')}&match[]=${encodeURIComponent('{env="prod"}')}&start=${BASE}&end=${NOW}`,
  });
  assert.deepEqual(JSON.parse(res.body).data, [
    { app: 'a', env: 'dev' },
    { app: 'b', env: 'prod' },
  ]);
});

test('index stats and volume', async () => {
  const range = { start: BASE.toString(), end: NOW.toString() };
  const stats = (await get('/loki/api/v1/index/stats', { ...range, query: '{app=~"a|b"}' })).json();
  assert.equal(stats.streams, 2);
  assert.equal(stats.entries, 121);
  let bytes = Buffer.byteLength('hello');
  for (let i = 0; i < 120; i++) bytes += Buffer.byteLength(`n=${i} level=info`);
  assert.equal(stats.bytes, bytes);
  const volume = (
    await get('/loki/api/v1/index/volume', { ...range, query: '{app=~"a|b"}' })
  ).json();
  assert.equal(volume.data.resultType, 'vector');
  assert.deepEqual(
    volume.data.result.map((r: { metric: Record<string, string> }) => r.metric),
    [{ app: 'a' }, { app: 'b' }],
  );
});

test('a query running past query_timeout answers 504, not partial data', async () => {
  const slow = new MemoryLogReader();
  const reader = {
    ...slow,
    labelNames: slow.labelNames.bind(slow),
    labelValues: slow.labelValues.bind(slow),
    series: slow.series.bind(slow),
    aggregateBuckets: slow.aggregateBuckets.bind(slow),
    async *selectEntries(req: { signal?: AbortSignal }) {
      // A store that stops quietly when the query is cancelled.
      for (let i = 0; i < 100; i++) {
        if (req.signal?.aborted) return;
        await new Promise((r) => setTimeout(r, 20));
        yield [{ labels: { app: 'a' }, timestamp: BASE + BigInt(i) * S, line: 'x' }];
      }
    },
  };
  const timed = Fastify();
  registerLokiQueryApi(timed, {
    reader,
    limits: { maxEntriesLimitPerQuery: 500, maxQuerySeries: 10, queryTimeoutMs: 50 },
    now: () => NOW,
  });
  const res = await timed.inject({
    method: 'GET',
    url: `/loki/api/v1/query_range?${new URLSearchParams({ query: '{app="a"} |= "y"' })}`,
  });
  await timed.close();
  assert.equal(res.statusCode, 504);
  assert.equal(res.body.trim(), 'context deadline exceeded');
});
