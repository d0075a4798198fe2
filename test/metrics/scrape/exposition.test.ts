import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseExposition,
  type ExpositionFormat,
} from '../../../src/metrics/scrape/exposition/index.js';

test('text format 0.0.4: samples, labels, escapes, timestamps and metadata', () => {
  const text = [
    '# HELP go_gc_duration_seconds A summary of the GC invocation durations.',
    '# \tTYPE go_gc_duration_seconds summary',
    'go_gc_duration_seconds{quantile="0"} 4.9351e-05',
    'go_gc_duration_seconds{quantile="0.25",} 7.424100000000001e-05',
    'go_gc_duration_seconds{ quantile="0.9", a="b"} 8.3835e-05',
    '# Hrandom comment starting with prefix of HELP',
    '#',
    'wind_speed{A="2",c="3"} 12345',
    '# HELP nohelp1',
    'go_gc_duration_seconds { quantile = "2.0" a = "b" } 8.3835e-05',
    'some:aggregate:rate5m{a_b="c"}\t1',
    '# HELP go_goroutines Number of goroutines\\nthat exist.',
    '# TYPE go_goroutines gauge',
    'go_goroutines 33  \t123123',
    'testmetric{label="\\"bar\\"\\n\\t"} 1',
    'inf +Inf',
    'nan NaN',
    '',
  ].join('\n');
  const { samples, metadata } = parseExposition(text, 'prometheus');
  assert.deepEqual(
    samples.map((s) => [s.labels, s.value, s.timestampMs]),
    [
      [{ __name__: 'go_gc_duration_seconds', quantile: '0' }, 4.9351e-5, undefined],
      [{ __name__: 'go_gc_duration_seconds', quantile: '0.25' }, 7.424100000000001e-5, undefined],
      [{ __name__: 'go_gc_duration_seconds', quantile: '0.9', a: 'b' }, 8.3835e-5, undefined],
      [{ __name__: 'wind_speed', A: '2', c: '3' }, 12345, undefined],
      [{ __name__: 'go_gc_duration_seconds', quantile: '2.0', a: 'b' }, 8.3835e-5, undefined],
      [{ __name__: 'some:aggregate:rate5m', a_b: 'c' }, 1, undefined],
      [{ __name__: 'go_goroutines' }, 33, 123123],
      [{ __name__: 'testmetric', label: '"bar"\n\\t' }, 1, undefined],
      [{ __name__: 'inf' }, Infinity, undefined],
      [{ __name__: 'nan' }, NaN, undefined],
    ],
  );
  assert.deepEqual(metadata.get('go_gc_duration_seconds'), {
    type: 'summary',
    help: 'A summary of the GC invocation durations.',
    unit: '',
  });
  assert.deepEqual(metadata.get('go_goroutines'), {
    type: 'gauge',
    help: 'Number of goroutines\nthat exist.',
    unit: '',
  });
  assert.deepEqual(metadata.get('nohelp1'), { type: 'unknown', help: '', unit: '' });
});

test('OpenMetrics 1.0: units, float-second timestamps, exemplars, # EOF', () => {
  const text = [
    '# TYPE foo_seconds counter',
    '# UNIT foo_seconds seconds',
    '# HELP foo_seconds Some "help" \\\\ text.',
    'foo_seconds_total{a="b"} 17.0 1520879607.789 # {id="counter-test"} 5',
    'foo_seconds_created 1520872607.123',
    '# TYPE hh histogram',
    'hh_bucket{le="+Inf"} 1 # {aa="bb"} 4 1520879607.5',
    '# EOF',
    '',
  ].join('\n');
  const { samples, metadata } = parseExposition(text, 'openmetrics');
  assert.deepEqual(
    samples.map((s) => [s.labels.__name__, s.value, s.timestampMs]),
    [
      ['foo_seconds_total', 17, 1520879607789],
      ['foo_seconds_created', 1520872607.123, undefined],
      ['hh_bucket', 1, undefined],
    ],
  );
  assert.deepEqual(metadata.get('foo_seconds'), {
    type: 'counter',
    unit: 'seconds',
    help: 'Some "help" \\ text.',
  });
});

// Prometheus's own error cases (model/textparse tests) and its exact messages.
const errors: [ExpositionFormat, string, string][] = [
  ['prometheus', 'a', 'expected value after metric, got "\\n" ("INVALID") while parsing: "a\\n"'],
  [
    'prometheus',
    "a{b='c'} 1\n",
    'expected label value, got "\'" ("INVALID") while parsing: "a{b=\'"',
  ],
  ['prometheus', 'a{b=\n', 'expected label value, got "\\n" ("INVALID") while parsing: "a{b=\\n"'],
  [
    'prometheus',
    'a true\n',
    'strconv.ParseFloat: parsing "true": invalid syntax while parsing: "a true"',
  ],
  [
    'prometheus',
    'something_weird{problem="',
    'expected label value, got "\\"\\n" ("INVALID") while parsing: "something_weird{problem=\\"\\n"',
  ],
  [
    'prometheus',
    'empty_label_name{=""} 0',
    'expected label name, got "=\\"" ("EQUAL") while parsing: "empty_label_name{=\\""',
  ],
  ['prometheus', 'foo 1_2\n', 'unsupported character in float while parsing: "foo 1_2"'],
  ['prometheus', 'foo 0x1p-3\n', 'unsupported character in float while parsing: "foo 0x1p-3"'],
  [
    'prometheus',
    'foo 0 1_2\n',
    'expected next entry after timestamp, got "_" ("INVALID") while parsing: "foo 0 1_"',
  ],
  [
    'prometheus',
    '# TYPE #\n#EOF\n',
    'expected metric name after TYPE, got "#" ("INVALID") while parsing: "# TYPE #"',
  ],
  [
    'prometheus',
    '# HELP #\n#EOF\n',
    'expected metric name after HELP, got "#" ("INVALID") while parsing: "# HELP #"',
  ],
  [
    'prometheus',
    'a{b\x00="hiih"}\t1',
    'expected equal, got "\\x00" ("INVALID") while parsing: "a{b\\x00"',
  ],
  [
    'prometheus',
    'a\x00{b="ddd"} 1',
    'expected value after metric, got "\\x00" ("INVALID") while parsing: "a\\x00"',
  ],
  [
    'prometheus',
    'a 0 1\x00',
    'expected next entry after timestamp, got "\\x00" ("INVALID") while parsing: "a 0 1\\x00"',
  ],
  ['prometheus', '# TYPE a gaugee\n', 'invalid metric type "gaugee"'],
  [
    'prometheus',
    'a 1 -5\n',
    'expected timestamp or new record, got "-" ("INVALID") while parsing: "a 1 -"',
  ],
  [
    'prometheus',
    'a 1e400\n',
    'strconv.ParseFloat: parsing "1e400": value out of range while parsing: "a 1e400"',
  ],
  ['openmetrics', 'a 1\n', 'data does not end with # EOF'],
  [
    'openmetrics',
    '# UNIT \n#EOF\n',
    'expected metric name after UNIT, got "\\n" ("INVALID") while parsing: "# UNIT \\n"',
  ],
  ['openmetrics', '# UNIT m\n#EOF\n', 'expected text in UNIT'],
  ['openmetrics', '# HELP m\n#EOF\n', 'expected text in HELP'],
  [
    'openmetrics',
    'a\t1\n#EOF\n',
    'expected value after metric, got "\\t" ("INVALID") while parsing: "a\\t"',
  ],
  [
    'openmetrics',
    'a 1\t2\n#EOF\n',
    'strconv.ParseFloat: parsing "1\\t2": invalid syntax while parsing: "a 1\\t2"',
  ],
  [
    'openmetrics',
    'a 1 2 \n#EOF\n',
    'expected next entry after timestamp, got " \\n" ("INVALID") while parsing: "a 1 2 \\n"',
  ],
  [
    'openmetrics',
    'a 1 2 #\n#EOF\n',
    'expected next entry after timestamp, got " #\\n" ("TIMESTAMP") while parsing: "a 1 2 #\\n"',
  ],
  [
    'openmetrics',
    'a 1 1z\n#EOF\n',
    'strconv.ParseFloat: parsing "1z": invalid syntax while parsing: "a 1 1z"',
  ],
  [
    'openmetrics',
    ' # EOF\n',
    'expected a valid start token, got " " ("INVALID") while parsing: " "',
  ],
  ['openmetrics', '# EOF\na 1', 'unexpected data after # EOF'],
  ['openmetrics', '# EOF\n\n', 'unexpected data after # EOF'],
  ['openmetrics', '# EOFa 1', 'unexpected data after # EOF'],
  [
    'openmetrics',
    '#\tTYPE c counter\n',
    'expected a valid start token, got "#\\t" ("INVALID") while parsing: "#\\t"',
  ],
  ['openmetrics', '# TYPE c  counter\n', 'invalid metric type " counter"'],
  [
    'openmetrics',
    'a 1 1 1\n# EOF\n',
    'expected next entry after timestamp, got " 1\\n" ("TIMESTAMP") while parsing: "a 1 1 1\\n"',
  ],
  [
    'openmetrics',
    'a{,b="c"} 1\n# EOF\n',
    'expected label name, got ",b" ("COMMA") while parsing: "a{,b"',
  ],
  [
    'openmetrics',
    'a{b="c"d="e"} 1\n# EOF\n',
    'expected comma or brace close, got "d=" ("LNAME") while parsing: "a{b=\\"c\\"d="',
  ],
  [
    'openmetrics',
    'a{b="c",,d="e"} 1\n# EOF\n',
    'expected label name, got ",d" ("COMMA") while parsing: "a{b=\\"c\\",,d"',
  ],
  [
    'openmetrics',
    'custom_metric_total 1 # {aa=bb}\n# EOF\n',
    'expected label value, got "b" ("INVALID") while parsing: "custom_metric_total 1 # {aa=b"',
  ],
  [
    'openmetrics',
    'custom_metric_total 1 # {aa="bb"}\n# EOF\n',
    'expected value after exemplar labels, got "\\n" ("INVALID") while parsing: "custom_metric_total 1 # {aa=\\"bb\\"}\\n"',
  ],
  [
    'openmetrics',
    'custom_metric_total 1 # {aa="bb"}',
    'expected value after exemplar labels, got "}" ("EOF") while parsing: "custom_metric_total 1 # {aa=\\"bb\\"}"',
  ],
  [
    'openmetrics',
    'custom_metric_total 1 # {aa="bb",,cc="dd"} 1',
    'expected label name, got ",c" ("COMMA") while parsing: "custom_metric_total 1 # {aa=\\"bb\\",,c"',
  ],
  [
    'openmetrics',
    'custom_metric_total 1 # {aa="bb"} true',
    'strconv.ParseFloat: parsing "true": invalid syntax while parsing: "custom_metric_total 1 # {aa=\\"bb\\"} true"',
  ],
  [
    'openmetrics',
    'custom_metric_total 1 # {aa="bb",cc=}',
    'expected label value, got "}" ("INVALID") while parsing: "custom_metric_total 1 # {aa=\\"bb\\",cc=}"',
  ],
  ['openmetrics', 'a 1 NaN', 'invalid timestamp NaN'],
  ['openmetrics', 'a 1 -Inf', 'invalid timestamp -Inf'],
  ['openmetrics', 'a 1 Inf', 'invalid timestamp +Inf'],
  [
    'openmetrics',
    '# TYPE hhh histogram\nhhh_bucket{le="+Inf"} 1 # {aa="bb"} 4 NaN',
    'invalid exemplar timestamp NaN',
  ],
  ['openmetrics', '#', 'expected a valid start token, got "#" ("INVALID") while parsing: "#"'],
  [
    'openmetrics',
    '# H',
    'expected a valid start token, got "# H" ("INVALID") while parsing: "# H"',
  ],
  ['openmetrics', 'a{b="\x00"} 1\n# EOF', ''],
  [
    'openmetrics',
    '# UNIT foo_seconds milliseconds\n# EOF\n',
    'unit "milliseconds" not a suffix of metric "foo_seconds"',
  ],
];

for (const [format, input, message] of errors) {
  test(`${format} ${message ? 'rejects' : 'accepts'} ${JSON.stringify(input)}`, () => {
    if (message === '') {
      parseExposition(input, format);
      return;
    }
    assert.throws(() => parseExposition(input, format), { name: 'ExpositionError', message });
  });
}
