import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApi, type Harness } from './harness.js';

let h: Harness;
const T0 = 1_700_000_000_000;

before(async () => {
  h = await startApi();
  const app = h.store.appender();
  for (let i = 0; i <= 20; i++) {
    app.append({ __name__: 'up', job: 'node', instance: 'a:1' }, T0 + i * 15_000, 1);
    app.append({ __name__: 'up', job: 'prom', instance: 'b:2' }, T0 + i * 15_000, i % 2);
    app.append({ __name__: 'reqs_total', job: 'node', code: '200' }, T0 + i * 15_000, i * 10);
  }
  await app.commit();
});

after(async () => {
  await h.close();
});

interface Case {
  why: string;
  method?: 'GET' | 'POST' | 'PUT';
  path: string;
  form?: string;
  status: number;
  body?: unknown;
  check?: (body: any) => void;
}

const t = (s: number): number => (T0 + s * 1000) / 1000;

const cases: Case[] = [
  {
    why: 'instant vector query',
    path: `/api/v1/query?query=up&time=${t(300)}`,
    status: 200,
    body: {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { __name__: 'up', instance: 'a:1', job: 'node' }, value: [t(300), '1'] },
          { metric: { __name__: 'up', instance: 'b:2', job: 'prom' }, value: [t(300), '0'] },
        ],
      },
    },
  },
  {
    why: 'POST form-encoded, RFC3339 time',
    method: 'POST',
    path: '/api/v1/query',
    form: `query=sum(up)&time=${new Date(T0 + 300_000).toISOString()}`,
    status: 200,
    body: {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [t(300), '1'] }] },
    },
  },
  {
    why: 'scalar result',
    path: `/api/v1/query?query=1%2B1&time=${t(0)}`,
    status: 200,
    body: { status: 'success', data: { resultType: 'scalar', result: [t(0), '2'] } },
  },
  {
    why: 'range query with a duration step',
    path: `/api/v1/query_range?query=up{job="node"}&start=${t(0)}&end=${t(60)}&step=30s`,
    status: 200,
    body: {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: { __name__: 'up', instance: 'a:1', job: 'node' },
            values: [
              [t(0), '1'],
              [t(30), '1'],
              [t(60), '1'],
            ],
          },
        ],
      },
    },
  },
  {
    why: 'bad time',
    path: '/api/v1/query?query=up&time=abc',
    status: 400,
    body: {
      status: 'error',
      errorType: 'bad_data',
      error:
        'invalid parameter "time": Invalid time value for \'time\': cannot parse "abc" to a valid timestamp',
    },
  },
  {
    why: 'parse error',
    path: '/api/v1/query?query=(up',
    status: 400,
    body: {
      status: 'error',
      errorType: 'bad_data',
      error: 'invalid parameter "query": 1:4: parse error: unclosed left parenthesis',
    },
  },
  {
    why: 'end before start',
    path: '/api/v1/query_range?query=up&start=1&end=0&step=1',
    status: 400,
    body: {
      status: 'error',
      errorType: 'bad_data',
      error: 'invalid parameter "end": end timestamp must not be before start time',
    },
  },
  {
    why: 'zero step',
    path: '/api/v1/query_range?query=up&start=1&end=2&step=0',
    status: 400,
    body: {
      status: 'error',
      errorType: 'bad_data',
      error:
        'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
    },
  },
  {
    why: 'missing step',
    path: '/api/v1/query_range?query=up&start=1&end=2',
    status: 400,
    body: {
      status: 'error',
      errorType: 'bad_data',
      error: 'invalid parameter "step": cannot parse "" to a valid duration',
    },
  },
  {
    why: 'too many points',
    path: '/api/v1/query_range?query=up&start=0&end=100000&step=1',
    status: 400,
    body: {
      status: 'error',
      errorType: 'bad_data',
      error:
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    },
  },
  {
    why: 'bad timeout',
    path: '/api/v1/query?query=up&timeout=abc',
    status: 400,
    body: {
      status: 'error',
      errorType: 'bad_data',
      error: 'invalid parameter "timeout": cannot parse "abc" to a valid duration',
    },
  },
  {
    why: 'series needs match[]',
    path: '/api/v1/series',
    status: 400,
    body: { status: 'error', errorType: 'bad_data', error: 'no match[] parameter provided' },
  },
  {
    why: 'series',
    path: '/api/v1/series?match[]=up&match[]=reqs_total',
    status: 200,
    body: {
      status: 'success',
      data: [
        { __name__: 'reqs_total', code: '200', job: 'node' },
        { __name__: 'up', instance: 'a:1', job: 'node' },
        { __name__: 'up', instance: 'b:2', job: 'prom' },
      ],
    },
  },
  {
    why: 'series with limit warns',
    path: '/api/v1/series?match[]=up&limit=1',
    status: 200,
    body: {
      status: 'success',
      data: [{ __name__: 'up', instance: 'a:1', job: 'node' }],
      warnings: ['results truncated due to limit'],
    },
  },
  {
    why: 'bad match[]',
    path: '/api/v1/series?match[]=up{',
    status: 400,
    check: (b) => {
      assert.equal(b.errorType, 'bad_data');
      assert.match(b.error, /^invalid parameter "match\[\]": 1:4: parse error/);
    },
  },
  {
    why: 'match[] matching everything',
    path: '/api/v1/series?match[]={job=~".*"}',
    status: 400,
    body: {
      status: 'error',
      errorType: 'bad_data',
      error: 'invalid parameter "match[]": match[] must contain at least one non-empty matcher',
    },
  },
  {
    why: 'labels',
    path: '/api/v1/labels',
    status: 200,
    body: { status: 'success', data: ['__name__', 'code', 'instance', 'job'] },
  },
  {
    why: 'labels filtered by match[] (POST)',
    method: 'POST',
    path: '/api/v1/labels',
    form: 'match[]=reqs_total',
    status: 200,
    body: { status: 'success', data: ['__name__', 'code', 'job'] },
  },
  {
    why: 'label values',
    path: '/api/v1/label/job/values',
    status: 200,
    body: { status: 'success', data: ['node', 'prom'] },
  },
  {
    why: 'label values outside the stored time range',
    path: '/api/v1/label/job/values?start=1&end=2',
    status: 200,
    body: { status: 'success', data: [] },
  },
  {
    why: 'labels within the stored time range',
    path: `/api/v1/labels?start=${t(0)}&end=${t(10)}`,
    status: 200,
    body: { status: 'success', data: ['__name__', 'code', 'instance', 'job'] },
  },
  {
    why: 'invalid label name',
    path: '/api/v1/label/1bad/values',
    status: 400,
    body: { status: 'error', errorType: 'bad_data', error: 'invalid label name: "1bad"' },
  },
  {
    why: 'format_query',
    path: '/api/v1/format_query?query=sum(up)by(job)',
    status: 200,
    body: { status: 'success', data: 'sum by (job) (up)' },
  },
  {
    why: 'query_exemplars is empty',
    path: '/api/v1/query_exemplars?query=up',
    status: 200,
    body: { status: 'success', data: [] },
  },
  {
    why: 'admin APIs are off by default',
    method: 'POST',
    path: '/api/v1/admin/tsdb/snapshot',
    status: 500,
    body: { status: 'error', errorType: 'unavailable', error: 'admin APIs disabled' },
  },
  {
    why: 'status/config',
    path: '/api/v1/status/config',
    status: 200,
    body: { status: 'success', data: { yaml: 'global:\n  scrape_interval: 15s\n' } },
  },
  {
    why: 'buildinfo says 2.52-compatible',
    path: '/api/v1/status/buildinfo',
    status: 200,
    check: (b) => {
      assert.equal(b.data.version, '2.52.0');
      assert.match(b.data.revision, /^obs-\d+\.\d+\.\d+/);
      for (const k of ['branch', 'buildUser', 'buildDate', 'goVersion'])
        assert.equal(typeof b.data[k], 'string');
    },
  },
  {
    why: 'runtimeinfo',
    path: '/api/v1/status/runtimeinfo',
    status: 200,
    check: (b) => {
      assert.equal(b.data.storageRetention, '15d');
      assert.equal(typeof b.data.startTime, 'string');
      assert.equal(b.data.reloadConfigSuccess, true);
    },
  },
  {
    why: 'status/tsdb',
    path: '/api/v1/status/tsdb?limit=1',
    status: 200,
    check: (b) => {
      assert.equal(b.data.headStats.numSeries, 3);
      assert.deepEqual(b.data.seriesCountByMetricName, [{ name: 'up', value: 2 }]);
    },
  },
  {
    why: 'targets',
    path: '/api/v1/targets?state=active',
    status: 200,
    body: { status: 'success', data: { activeTargets: [], droppedTargets: [] } },
  },
  { why: 'metadata', path: '/api/v1/metadata', status: 200, body: { status: 'success', data: {} } },
];

for (const c of cases) {
  test(`API: ${c.why}`, async () => {
    const res = await fetch(h.base + c.path.replace(/\[\]/g, '%5B%5D'), {
      method: c.method ?? 'GET',
      headers: c.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      body: c.form?.replace(/\[\]/g, '%5B%5D'),
    });
    const body = await res.json();
    assert.equal(res.status, c.status, JSON.stringify(body));
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    if (c.body !== undefined) assert.deepEqual(body, c.body);
    c.check?.(body);
  });
}

test('health and readiness answer in plain text', async () => {
  let res = await fetch(`${h.base}/-/healthy`);
  assert.equal(await res.text(), 'Prometheus Server is Healthy.\n');
  res = await fetch(`${h.base}/-/ready`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'Prometheus Server is Ready.\n');
});

test('/federate: newest sample per series in the text format', async () => {
  const now = Date.now();
  const app = h.store.appender();
  app.append({ __name__: 'fed_metric', a: 'x' }, now - 1000, 1234567);
  await app.commit();
  const res = await fetch(`${h.base}/federate?match%5B%5D=fed_metric`);
  assert.equal(res.status, 200);
  assert.equal(
    await res.text(),
    `# TYPE fed_metric untyped\nfed_metric{a="x"} 1.234567e+06 ${now - 1000}\n`,
  );
});
