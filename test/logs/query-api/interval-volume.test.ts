import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerLokiQueryApi } from '../../../src/logs/query-api/index.js';
import { volumeGrid } from '../../../src/logs/query-api/volume-buckets.js';
import { MemoryLogReader } from '../../support/memory-log-reader.js';

const S = 1000000000n;
const MS = 1000000n;
const BASE = 1762732800n * S; // 2025-11-10T00:00:00Z, on every step grid used here

let app: FastifyInstance;

before(async () => {
  const reader = new MemoryLogReader();
  // Every 30 s for two hours: `n=<i>` so that each line's bytes are known.
  const entries = Array.from({ length: 240 }, (_, i) => ({
    timestamp: BASE + BigInt(i) * 30n * S,
    line: `n=${i} level=info`,
  }));
  reader.push([{ labels: { app: 'a' }, entries }]);
  app = Fastify();
  registerLokiQueryApi(app, {
    reader,
    limits: { maxEntriesLimitPerQuery: 5000, maxQuerySeries: 10, queryTimeoutMs: 10000 },
    now: () => BASE + 3n * 3600n * S,
  });
  await app.ready();
});
after(() => app.close());

async function get(path: string, params: Record<string, string>) {
  const res = await app.inject({ method: 'GET', url: `${path}?${new URLSearchParams(params)}` });
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

const at = (seconds: number): string => (BASE + BigInt(seconds) * S).toString();

describe('query_range interval', () => {
  const cases: {
    name: string;
    params: Record<string, string>;
    seconds: number[];
  }[] = [
    {
      name: 'forward: each entry at least the interval after the last returned',
      params: { start: at(0), end: at(600), interval: '100', direction: 'forward' },
      seconds: [0, 120, 240, 360, 480],
    },
    {
      name: 'backward: at least the interval before the last returned',
      params: { start: at(0), end: at(600), interval: '100s', direction: 'backward' },
      seconds: [570, 450, 330, 210, 90],
    },
    {
      name: 'restarts in every split of the frontend (1h), so the hour starts afresh',
      params: { start: at(3000), end: at(4200), interval: '250', direction: 'forward' },
      seconds: [3000, 3270, 3540, 3600, 3870, 4140],
    },
    {
      name: 'counts toward the limit only what it returns',
      params: { start: at(0), end: at(7200), interval: '10m', direction: 'forward', limit: '3' },
      seconds: [0, 600, 1200],
    },
    {
      name: 'in whole milliseconds: 29.9999 s is 29.999 s, every entry qualifies',
      params: { start: at(0), end: at(120), interval: '29.9999', direction: 'forward' },
      seconds: [0, 30, 60, 90],
    },
    {
      name: '0 returns everything',
      params: { start: at(0), end: at(120), interval: '0', direction: 'forward' },
      seconds: [0, 30, 60, 90],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const res = await get('/loki/api/v1/query_range', { query: '{app="a"}', ...c.params });
      assert.equal(res.status, 200);
      const values = res.body.data.result[0].values as [string, string][];
      assert.deepEqual(
        values.map(([t]) => Number((BigInt(t) - BASE) / S)),
        c.seconds,
      );
    });
  }

  it('metric queries ignore it', async () => {
    const params = {
      query: 'count_over_time({app="a"}[1m])',
      start: at(0),
      end: at(600),
      step: '60',
    };
    const plain = await get('/loki/api/v1/query_range', params);
    const spaced = await get('/loki/api/v1/query_range', { ...params, interval: '5m' });
    assert.equal(spaced.status, 200);
    assert.deepEqual(spaced.body.data.result, plain.body.data.result);
  });

  const errors: [string, string][] = [
    ['-1', 'interval must be >= 0'],
    ['abc', 'cannot parse "abc" to a valid duration'],
  ];
  for (const [interval, message] of errors) {
    it(`rejects ${interval}`, async () => {
      const res = await app.inject({
        method: 'GET',
        url: `/loki/api/v1/query_range?${new URLSearchParams({ query: '{app="a"}', interval })}`,
      });
      assert.equal(res.statusCode, 400);
      assert.match(res.body, new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    });
  }
});

describe('volume_range step buckets (Loki frontend: epoch grid, ends 1 ms before the next line)', () => {
  const ms = (n: number): bigint => BigInt(n) * MS;
  const cases: [string, bigint, bigint, bigint, [number, number][]][] = [
    [
      'aligned start',
      ms(0),
      ms(10000),
      ms(3000),
      [
        [0, 2999],
        [3000, 5999],
        [6000, 8999],
        [9000, 10000],
      ],
    ],
    [
      'start inside a step',
      ms(1500),
      ms(7000),
      ms(2000),
      [
        [1500, 1999],
        [2000, 3999],
        [4000, 5999],
        [6000, 7000],
      ],
    ],
    [
      'end on a grid line',
      ms(0),
      ms(6000),
      ms(3000),
      [
        [0, 2999],
        [3000, 6000],
      ],
    ],
    [
      'sub-ms bounds: start floored, end ceiled',
      1500500000n,
      3000200000n,
      ms(1000),
      [
        [1500, 1999],
        [2000, 2999],
        [3000, 3001],
      ],
    ],
    ['step under 1 ms: one bucket', ms(5), ms(9), 999n, [[5, 9]]],
  ];
  for (const [name, start, end, step, want] of cases) {
    it(name, () => {
      const got = volumeGrid(start, end, step).buckets;
      assert.deepEqual(
        got.map((b) => [Number(b.fromMs), Number(b.throughMs)]),
        want,
      );
    });
  }

  it('answers bytes per step at the buckets ends, each step ranked on its own', async () => {
    const res = await get('/loki/api/v1/index/volume_range', {
      query: '{app="a"}',
      start: at(45),
      end: at(300),
      step: '120',
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.resultType, 'matrix');
    const bytes = (from: number, to: number): string => {
      let n = 0;
      for (let i = from; i <= to; i++) n += Buffer.byteLength(`n=${i} level=info`);
      return String(n);
    };
    const t0 = Number(BASE / S);
    assert.deepEqual(res.body.data.result, [
      {
        metric: { app: 'a' },
        values: [
          [t0 + 119.999, bytes(2, 3)],
          [t0 + 239.999, bytes(4, 7)],
          [t0 + 300, bytes(8, 10)],
        ],
      },
    ]);
  });

  // Loki's toPrometheusData: a vector until some series has two samples.
  const shapes: [string, Record<string, string>, unknown][] = [
    [
      'one step: a vector stamped at the range end',
      { query: '{app="a"}', start: at(45), end: at(100), step: '120' },
      {
        resultType: 'vector',
        result: [{ metric: { app: 'a' }, value: [Number(BASE / S) + 100, String(2 * 14)] }],
      },
    ],
    [
      'nothing matches: an empty vector',
      { query: '{app="none"}', start: at(45), end: at(300), step: '120' },
      { resultType: 'vector', result: [] },
    ],
  ];
  for (const [name, params, want] of shapes) {
    it(name, async () => {
      const res = await get('/loki/api/v1/index/volume_range', params);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data, want);
    });
  }
});
