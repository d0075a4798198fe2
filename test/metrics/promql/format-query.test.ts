import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatQuery } from '../../../src/metrics/promql/index.js';

/** Inputs and what a real Prometheus 2.42 answered on /api/v1/format_query. */
const CASES: [string, string][] = [
  [
    'sum by (job) (rate(foo{a="b",c=~"d"}[5m] offset 1m)) / on(job) group_left(x) bar @ 100 + 1e-7 + 0.0001 + 1e21 +2e20',
    '      sum by (job) (rate(foo{a="b",c=~"d"}[5m] offset 1m)) / on (job) group_left (x) bar @ 100.000 + 1e-07\n    +\n      0.0001\n  +\n    1e+21\n+\n  2e+20',
  ],
  [
    'histogram_quantile(0.99, sum by (le, job, instance, very_long_label_name) (rate(http_request_duration_seconds_bucket{job="api-server", handler=~"/api/v1/.*"}[5m])))',
    'histogram_quantile(\n  0.99,\n  sum by (le, job, instance, very_long_label_name) (\n    rate(http_request_duration_seconds_bucket{handler=~"/api/v1/.*",job="api-server"}[5m])\n  )\n)',
  ],
  ['foo', 'foo'],
  ['foo{}', 'foo'],
  ['{__name__="foo"}', '{__name__="foo"}'],
  ['{__name__="foo",a="b"}', '{__name__="foo",a="b"}'],
  ['foo offset -5m', 'foo offset -5m'],
  ['foo @ start()', 'foo @ start()'],
  ['foo[5m:] @ end()', 'foo[5m:] @ end()'],
  ['rate(foo[1h30m:1m] offset 1w)', 'rate(foo[1h30m:1m] offset 1w)'],
  ['-foo', '-foo'],
  ['+foo', '+foo'],
  ['- (foo + bar)', '-(foo + bar)'],
  ['1 + -2', '1 + -2'],
  ['-1^2', '-1 ^ 2'],
  ['sum without() (x)', 'sum without () (x)'],
  ['sum by () (x)', 'sum(x)'],
  ['sum(x) by (a, b)', 'sum by (a, b) (x)'],
  ['topk(5, foo)', 'topk(5, foo)'],
  ['count_values("value", foo)', 'count_values("value", foo)'],
  ['quantile without (a) (0.9, foo)', 'quantile without (a) (0.9, foo)'],
  ['a or b and c', 'a or b and c'],
  ['a * on() b', 'a * on () b'],
  ['a * ignoring() b', 'a * b'],
  ['a * ignoring(x) group_right b', 'a * ignoring (x) group_right () b'],
  ['a > bool 1', 'a > bool 1'],
  ['(a)', '(a)'],
  ['((a + b))', '((a + b))'],
  ['"string"', '"string"'],
  ["'single'", '"single"'],
  ['`raw\\n`', '"raw\\\\n"'],
  ['"esc\\"aped\\n"', '"esc\\"aped\\n"'],
  ['0x10', '16'],
  ['1e3', '1000'],
  ['.5', '0.5'],
  ['Inf', '+Inf'],
  ['-Inf', '-Inf'],
  ['NaN', 'NaN'],
  ['foo{a="b\\\\c"}', 'foo{a="b\\\\c"}'],
  [
    'label_replace(up, "foo", "$1", "bar", "(.*)")',
    'label_replace(up, "foo", "$1", "bar", "(.*)")',
  ],
  ['foo and on(a, b) bar', 'foo and on (a, b) bar'],
  ['foo[5m]', 'foo[5m]'],
  [
    'sum(rate(node_cpu_seconds_total{mode!="idle", instance=~"host-.*", job="node_exporter_long_job_name"}[5m])) by (instance, mode) / ignoring(mode) group_left sum(rate(node_cpu_seconds_total[5m])) by (instance)',
    '  sum by (instance, mode) (\n    rate(node_cpu_seconds_total{instance=~"host-.*",job="node_exporter_long_job_name",mode!="idle"}[5m])\n  )\n/ ignoring (mode) group_left ()\n  sum by (instance) (rate(node_cpu_seconds_total[5m]))',
  ],
  [
    'max_over_time(deriv(rate(distance_covered_meters_total{very_long_label_name="some_value_here"}[1m])[5m:1m])[10m:]) > 100',
    '  max_over_time(\nderiv(rate(distance_covered_meters_total{very_long_label_name="some_value_here"}[1m])[5m:1m])[10m:]\n  )\n>\n  100',
  ],
  [
    '-sum(rate(some_very_long_metric_name_for_testing_purposes_only{label_one="value_one", label_two="value_two"}[5m]))',
    '-sum(\n  rate(\n    some_very_long_metric_name_for_testing_purposes_only{label_one="value_one",label_two="value_two"}[5m]\n  )\n)',
  ],
  ['time()', 'time()'],
];

describe('formatQuery', () => {
  for (const [input, want] of CASES) {
    it(JSON.stringify(input), () => {
      assert.equal(formatQuery(input), want);
    });
  }
});
