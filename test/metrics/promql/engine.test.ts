import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSampleValue, PromQLEngine, PromQLError } from '../../../src/metrics/promql/index.js';
import { MemoryQueryable } from './memory-queryable.js';

function store(series: number, points: number, stepMs = 15_000): MemoryQueryable {
  const q = new MemoryQueryable();
  for (let s = 0; s < series; s++) {
    for (let i = 0; i < points; i++) {
      q.add({ __name__: 'x', job: `j${s % 3}`, instance: `i${s}` }, i * stepMs, i * (s + 1));
    }
  }
  return q;
}

async function rejectsWith(p: Promise<unknown>, type: string, message: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof PromQLError, String(err));
    assert.equal(err.type, type);
    assert.equal(err.message, message);
    return true;
  });
}

describe('formatSampleValue', () => {
  const cases: [number, string][] = [
    [1, '1'],
    [0.1, '0.1'],
    [-2.5, '-2.5'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [123456789.125, '123456789.125'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [0.30000000000000004, '0.30000000000000004'],
  ];
  for (const [v, want] of cases)
    it(`${v} -> ${want}`, () => assert.equal(formatSampleValue(v), want));
});

describe('PromQLEngine results', () => {
  const q = store(4, 100);
  const engine = new PromQLEngine();

  it('answers an instant vector in the API shape, labels sorted', async () => {
    const data = await engine.instantQuery(q, 'x{instance="i1"} * 2', 60_000);
    assert.deepEqual(data, {
      resultType: 'vector',
      result: [{ metric: { instance: 'i1', job: 'j1' }, value: [60, '16'] }],
    });
  });

  it('answers scalars and strings as [time, "value"]', async () => {
    assert.deepEqual(await engine.instantQuery(q, '1 / 0', 1500), {
      resultType: 'scalar',
      result: [1.5, '+Inf'],
    });
    assert.deepEqual(await engine.instantQuery(q, '"hi"', 1500), {
      resultType: 'string',
      result: [1.5, 'hi'],
    });
  });

  it('answers a range query as a matrix sorted by labels', async () => {
    const data = await engine.rangeQuery(q, 'sum by (job) (x)', 0, 30_000, 15_000);
    assert.equal(data.resultType, 'matrix');
    assert.ok(data.resultType === 'matrix');
    assert.deepEqual(
      data.result.map((s) => s.metric.job),
      ['j0', 'j1', 'j2'],
    );
    assert.deepEqual(data.result[0]!.values, [
      [0, '0'],
      [15, '5'],
      [30, '10'],
    ]);
  });

  it('returns raw samples for a range vector at an instant', async () => {
    const data = await engine.instantQuery(q, 'x{instance="i0"}[30s]', 30_000);
    assert.ok(data.resultType === 'matrix');
    assert.deepEqual(data.result[0]!.values, [
      [0, '0'],
      [15, '1'],
      [30, '2'],
    ]);
  });

  it('rejects range vectors and bad steps in range queries as Prometheus does', async () => {
    await rejectsWith(
      engine.rangeQuery(q, 'x[5m]', 0, 60_000, 15_000),
      'bad_data',
      'invalid expression type "range vector" for range query, must be Scalar or instant Vector',
    );
    await rejectsWith(
      engine.rangeQuery(q, 'x', 0, 60_000, 0),
      'bad_data',
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  });

  it('reports many-to-many matching with both series', async () => {
    await rejectsWith(
      engine.instantQuery(q, 'x + on(job) x', 60_000),
      'execution',
      'found duplicate series for the match group {job="j0"} on the right hand-side of the operation: [{__name__="x", instance="i3", job="j0"}, {__name__="x", instance="i0", job="j0"}];many-to-many matching not allowed: matching labels must be unique on one side',
    );
  });
});

describe('native histograms', () => {
  const q = new MemoryQueryable();
  const h = {
    schema: 0,
    zeroThreshold: 0,
    zeroCount: 0,
    count: 4,
    sum: 5,
    positiveSpans: [{ offset: 0, length: 3 }],
    positiveBuckets: [1, 2, 1],
    negativeSpans: [],
    negativeBuckets: [],
  };
  q.add({ __name__: 'h', a: '1' }, 0, h);
  q.add({ __name__: 'f', a: '1' }, 0, 2);
  const engine = new PromQLEngine();

  it('renders histogram samples as the API does', async () => {
    assert.deepEqual(await engine.instantQuery(q, 'h', 0), {
      resultType: 'vector',
      result: [
        {
          metric: { __name__: 'h', a: '1' },
          histogram: [
            0,
            {
              count: '4',
              sum: '5',
              buckets: [
                [0, '0.5', '1', '1'],
                [0, '1', '2', '2'],
                [0, '2', '4', '1'],
              ],
            },
          ],
        },
      ],
    });
  });

  const cases: [string, string | undefined][] = [
    ['histogram_count(h * 2)', '8'],
    ['histogram_count(2 * h)', '8'],
    ['histogram_sum(h / 2)', '2.5'],
    ['histogram_count(h + h)', '8'],
    ['histogram_count(h - h)', '0'],
    ['histogram_count(h * on(a) f)', '8'],
    ['histogram_count(h + 1)', undefined],
    ['histogram_count(h + on(a) f)', undefined],
    ['histogram_count(-h)', undefined],
  ];
  for (const [expr, want] of cases) {
    it(`${expr} -> ${want ?? 'no result'}`, async () => {
      const data = await engine.instantQuery(q, expr, 0);
      assert.ok(data.resultType === 'vector');
      const got = data.result.map((s) => ('value' in s ? s.value[1] : 'histogram'));
      assert.deepEqual(got, want === undefined ? [] : [want]);
    });
  }
});

describe('PromQLEngine limits', () => {
  const q = store(30, 400);

  it('fails with Prometheus error when a query would hold too many samples', async () => {
    const engine = new PromQLEngine({ maxSamples: 100 });
    await rejectsWith(
      engine.rangeQuery(q, 'x', 0, 400 * 15_000, 15_000),
      'execution',
      'query processing would load too many samples into memory in query execution',
    );
    const roomy = new PromQLEngine({ maxSamples: 1_000_000 });
    const data = await roomy.rangeQuery(q, 'x', 0, 400 * 15_000, 15_000);
    assert.equal(data.result.length, 30);
  });

  it('times out with errorType timeout', async () => {
    const engine = new PromQLEngine({ timeoutMs: 0 });
    await rejectsWith(
      engine.rangeQuery(q, 'sum(rate(x[5m]))', 0, 400 * 15_000, 15_000),
      'timeout',
      'query timed out in query execution',
    );
  });

  it('takes a lower per-query timeout, as the API timeout parameter', async () => {
    const engine = new PromQLEngine();
    await rejectsWith(
      engine.rangeQuery(q, 'sum(rate(x[5m]))', 0, 400 * 15_000, 15_000, undefined, {
        timeoutMs: 0,
      }),
      'timeout',
      'query timed out in query execution',
    );
  });

  it('notices a client going away while a long query runs', async () => {
    const big = store(200, 2000);
    const engine = new PromQLEngine();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 5);
    await rejectsWith(
      engine.rangeQuery(big, 'sum by (job) (rate(x[5m]))', 0, 2000 * 15_000, 15_000, ac.signal),
      'canceled',
      'query was canceled in query execution',
    );
  });

  it('stops a query whose client went away', async () => {
    const engine = new PromQLEngine();
    const ac = new AbortController();
    ac.abort();
    await rejectsWith(
      engine.instantQuery(q, 'x', 0, ac.signal),
      'canceled',
      'query was canceled in query execution',
    );
  });
});
