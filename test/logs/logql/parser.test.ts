import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileLogPipeline, parseLogQL } from '../../../src/logs/logql/index.js';

// Loki 3.0.0's own messages for these queries (from the recorded conformance answers).
const errors: [string, string][] = [
  [
    '{env="dev", host=~".*"',
    'parse error at line 1, col 23: syntax error: unexpected $end, expecting } or ,',
  ],
  [
    '{unit="kernel"} |= ',
    'parse error at line 1, col 20: syntax error: unexpected $end, expecting STRING or ip',
  ],
  ['count_over_time({unit="kernel"})', 'parse error at line 1, col 32: syntax error: unexpected )'],
  ['rate({unit="kernel"}[5x])', 'parse error at line 0, col 21: unknown unit "x" in duration "5x"'],
  ['sum({unit="kernel"})', 'parse error at line 1, col 20: syntax error: unexpected )'],
  [
    '{job="codeswarm"} | json | unwrap latency_ms',
    'parse error at line 1, col 28: syntax error: unexpected unwrap',
  ],
  [
    'count_over_time({unit="kernel"} | logfmt | unwrap foo [5m])',
    'parse error : invalid aggregation count_over_time with unwrap',
  ],
  [
    'quantile_over_time({a="b"} | logfmt | unwrap value [10m])',
    'parse error : parameter required for operation quantile_over_time',
  ],
  [
    'avg_over_time({unit="kernel"}[5m])',
    'parse error : invalid aggregation avg_over_time without unwrap',
  ],
  [
    'sum_over_time({job="t"} | logfmt | unwrap value [30m]) by (host)',
    'parse error : grouping not allowed for sum_over_time aggregation',
  ],
  [
    '{unit="kernel"} | regexp "no capture"',
    'parse error : invalid regexp parser: at least one named capture must be supplied',
  ],
  [
    '{unit="kernel"} | pattern "<_>"',
    'parse error : invalid pattern parser: at least one capture is required',
  ],
  [
    '{unit="kernel"} |~ "[a-"',
    'parse error : stage \'|~ "[a-"\' : error parsing regexp: missing closing ]: `[a-`',
  ],
  [
    '{unit="kernel"} | line_format "{{.unit"',
    'parse error : stage \'| line_format "{{.unit"\' : invalid line template: template: line:1: unclosed action',
  ],
  [
    '{unit="kernel"} | label_format a=host, a=env',
    "parse error : stage '| label_format a=host,a=env' : multiple label name 'a' not allowed in a single format operation",
  ],
  [
    'label_replace(vector(1), "x", "$1", "y", "(")',
    'parse error : invalid regex in label_replace: error parsing regexp: missing closing ): `^(?:()$`',
  ],
];

test('syntax and validation errors carry Loki 3.0 messages and positions', async (t) => {
  for (const [query, message] of errors) {
    await t.test(query, () => {
      assert.throws(
        () => {
          const expr = parseLogQL(query);
          // Stage and template errors surface when the pipeline is compiled.
          if (expr.kind === 'log') compileLogPipeline(query);
        },
        (err: Error) => {
          assert.equal(err.message, message);
          return true;
        },
      );
    });
  }
});

const emptyCompatible = ['{} |= "timeout"', '{job=~".*"}', '{host!="sbx-01"}', '{a=""}'];

test('selectors that can match everything are refused', () => {
  for (const q of emptyCompatible) {
    assert.throws(() => parseLogQL(q), /queries require at least one regexp or equality matcher/);
  }
  assert.doesNotThrow(() => parseLogQL('{job=~".+"}'));
});

test('binary operator precedence follows PromQL (comparison binds looser than arithmetic)', () => {
  const expr = parseLogQL('1 / 2 > 3');
  assert.equal(expr.kind, 'binary');
  assert.equal(expr.kind === 'binary' && expr.op, '>');
  const pow = parseLogQL('2 ^ 3 ^ 2');
  // `^` is right-associative: 2 ^ (3 ^ 2).
  assert.ok(pow.kind === 'binary' && pow.right.kind === 'binary');
});

test('pipelines, unwrap, offset and grouping parse into the AST', () => {
  const expr = parseLogQL(
    'quantile_over_time(0.99, {job="x"} |= "a" or "b" | logfmt --strict --keep-empty | status >= 500 and (d > 1s or size < 20KB) | unwrap duration(d) | __error__="" [5m] offset 1h) by (path)',
  );
  assert.ok(expr.kind === 'range');
  if (expr.kind !== 'range') return;
  assert.equal(expr.param, 0.99);
  assert.deepEqual(expr.grouping, { without: false, labels: ['path'] });
  assert.equal(expr.range.rangeNs, 300n * 1000000000n);
  assert.equal(expr.range.offsetNs, 3600n * 1000000000n);
  assert.equal(expr.range.unwrap?.conversion, 'duration');
  assert.equal(expr.range.unwrap?.postFilters.length, 1);
  const stages = expr.range.selector.stages;
  assert.deepEqual(stages[0], {
    type: 'lineFilter',
    op: '|=',
    values: [
      { ip: false, value: 'a' },
      { ip: false, value: 'b' },
    ],
  });
  assert.deepEqual(stages[1], { type: 'logfmt', strict: true, keepEmpty: true, params: [] });
  assert.equal(stages[2]!.type, 'labelFilter');
});
