import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatGoFloat, writeExposition } from '../../src/exporters/exposition.js';
import { parseExposition } from '../../src/exporters/exposition-parse.js';

test('formatGoFloat matches Go strconv.FormatFloat(v, g, -1, 64)', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [-0, '0'],
    [1, '1'],
    [525034, '525034'],
    [2514677, '2.514677e+06'],
    [1e6, '1e+06'],
    [1795732970, '1.79573297e+09'],
    [0.000284772, '0.000284772'],
    [6.6589e-5, '6.6589e-05'],
    [21.019000000000002, '21.019000000000002'],
    [35184372087808, '3.5184372087808e+13'],
    [-1.5, '-1.5'],
    [1e-10, '1e-10'],
    [1e21, '1e+21'],
    [123456.5, '123456.5'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
  ];
  for (const [v, want] of cases) assert.equal(formatGoFloat(v), want, `value ${v}`);
});

test('writeExposition sorts families by name and samples by label values, escapes', () => {
  const body = writeExposition([
    {
      name: 'b_total',
      help: 'Help with \\ and\nnewline',
      type: 'counter',
      samples: [
        { labels: { cpu: '2' }, value: 1 },
        { labels: { cpu: '10' }, value: 2 },
        { labels: { cpu: '1' }, value: 3 },
      ],
    },
    { name: 'a', help: 'x', type: 'gauge', samples: [{ labels: { v: 'q"u\\o\nte' }, value: 0.5 }] },
    { name: 'empty', help: 'no samples', type: 'gauge', samples: [] },
  ]);
  assert.equal(
    body,
    [
      '# HELP a x',
      '# TYPE a gauge',
      'a{v="q\\"u\\\\o\\nte"} 0.5',
      '# HELP b_total Help with \\\\ and\\nnewline',
      '# TYPE b_total counter',
      'b_total{cpu="1"} 3',
      'b_total{cpu="10"} 2',
      'b_total{cpu="2"} 1',
      '',
    ].join('\n'),
  );
});

test('parseExposition reads back what writeExposition writes, and groups summaries', () => {
  const text = [
    '# HELP rpc Latency.',
    '# TYPE rpc summary',
    'rpc{quantile="0.5"} 1',
    'rpc_sum 10',
    'rpc_count 4',
    'plain{a="x\\"y"} 2 1700000000000',
    '',
  ].join('\n');
  const fams = parseExposition(text);
  assert.deepEqual(
    fams.map((f) => [f.name, f.type, f.samples.length]),
    [
      ['rpc', 'summary', 3],
      ['plain', 'untyped', 1],
    ],
  );
  assert.equal(fams[1]!.samples[0]!.labels.a, 'x"y');
  assert.equal(fams[1]!.samples[0]!.timestampMs, 1700000000000);
  assert.throws(() => parseExposition('x{a="b" 1\n'), /line 1/);
  assert.throws(() => parseExposition('x 1\n# TYPE x gauge\n'), /line 2/);
});
