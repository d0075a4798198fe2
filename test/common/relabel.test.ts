import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Labels } from '../../src/common/labels.js';
import { compileRelabel, relabel, type RelabelConfig } from '../../src/common/relabel.js';

// Cases from Prometheus's model/relabel tests: input, rules, expected output (null = dropped).
const cases: { name: string; input: Labels; rules: RelabelConfig[]; output: Labels | null }[] = [
  {
    name: 'replace with ${1} references',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    rules: [
      { source_labels: ['a'], regex: 'f(.*)', target_label: 'd', replacement: 'ch${1}-ch${1}' },
    ],
    output: { a: 'foo', b: 'bar', c: 'baz', d: 'choo-choo' },
  },
  {
    name: 'replace chains and joins source labels with the separator',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    rules: [
      {
        source_labels: ['a', 'b'],
        regex: 'f(.*);(.*)r',
        target_label: 'a',
        replacement: 'b${1}${2}m',
      },
      {
        source_labels: ['c', 'a'],
        regex: '(b).*b(.*)ba(.*)',
        target_label: 'd',
        replacement: '$1$2$2$3',
      },
    ],
    output: { a: 'boobam', b: 'bar', c: 'baz', d: 'boooom' },
  },
  {
    name: 'drop stops before later rules',
    input: { a: 'foo' },
    rules: [
      { source_labels: ['a'], regex: '.*o.*', action: 'drop' },
      { source_labels: ['a'], regex: 'f(.*)', target_label: 'd', replacement: 'ch$1-ch$1' },
    ],
    output: null,
  },
  {
    name: 'regex is anchored: f|o does not match foo',
    input: { a: 'foo' },
    rules: [{ source_labels: ['a'], regex: 'f|o', action: 'drop' }],
    output: { a: 'foo' },
  },
  {
    name: 'keep without match drops',
    input: { a: 'foo' },
    rules: [{ source_labels: ['a'], regex: 'no-match', action: 'keep' }],
    output: null,
  },
  {
    name: 'keep with match keeps',
    input: { a: 'foo' },
    rules: [{ source_labels: ['a'], regex: 'f.*', action: 'KEEP' as RelabelConfig['action'] }],
    output: { a: 'foo' },
  },
  {
    name: 'no replacement without a match',
    input: { a: 'boo' },
    rules: [{ source_labels: ['a'], regex: 'f', target_label: 'b', replacement: 'bar' }],
    output: { a: 'boo' },
  },
  {
    name: 'hashmod takes the last 8 bytes of md5',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    rules: [{ source_labels: ['c'], target_label: 'd', action: 'hashmod', modulus: 1000 }],
    output: { a: 'foo', b: 'bar', c: 'baz', d: '976' },
  },
  {
    name: 'hashmod over a newline',
    input: { a: 'foo\nbar' },
    rules: [{ source_labels: ['a'], target_label: 'b', action: 'hashmod', modulus: 1000 }],
    output: { a: 'foo\nbar', b: '734' },
  },
  {
    name: 'labelmap copies matching names',
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    rules: [{ regex: '(b.*)', replacement: 'bar_${1}', action: 'labelmap' }],
    output: { a: 'foo', b1: 'bar', b2: 'baz', bar_b1: 'bar', bar_b2: 'baz' },
  },
  {
    name: 'labelmap of __meta labels',
    input: { a: 'foo', __meta_my_bar: 'aaa', __meta_my_baz: 'bbb', __meta_other: 'ccc' },
    rules: [{ regex: '__meta_(my.*)', replacement: '${1}', action: 'labelmap' }],
    output: {
      a: 'foo',
      __meta_my_bar: 'aaa',
      __meta_my_baz: 'bbb',
      __meta_other: 'ccc',
      my_bar: 'aaa',
      my_baz: 'bbb',
    },
  },
  {
    name: 'target label from a capture group',
    input: { a: 'some-name-value' },
    rules: [
      {
        source_labels: ['a'],
        regex: 'some-([^-]+)-([^,]+)',
        replacement: '${2}',
        target_label: '${1}',
      },
    ],
    output: { a: 'some-name-value', name: 'value' },
  },
  {
    name: 'empty replacement deletes nothing that is not there',
    input: { a: 'some-name-value' },
    rules: [
      {
        source_labels: ['a'],
        regex: 'some-([^-]+)-([^,]+)',
        replacement: '${3}',
        target_label: '${1}',
      },
    ],
    output: { a: 'some-name-value' },
  },
  {
    name: 'an expanded target that is not a label name is skipped',
    input: { a: 'some-name-0' },
    rules: [
      {
        source_labels: ['a'],
        regex: 'some-([^-]+)-([^,]+)',
        replacement: '${1}',
        target_label: '${3}',
      },
    ],
    output: { a: 'some-name-0' },
  },
  {
    name: 'real-life tag parsing',
    input: { __meta_sd_tags: 'path:/secret,job:some-job,label:foo=bar' },
    rules: [
      {
        source_labels: ['__meta_sd_tags'],
        regex: '(?:.+,|^)path:(/[^,]+).*',
        replacement: '${1}',
        target_label: '__metrics_path__',
      },
      {
        source_labels: ['__meta_sd_tags'],
        regex: '(?:.+,|^)job:([^,]+).*',
        replacement: '${1}',
        target_label: 'job',
      },
      {
        source_labels: ['__meta_sd_tags'],
        regex: '(?:.+,|^)label:([^=]+)=([^,]+).*',
        replacement: '${2}',
        target_label: '${1}',
      },
    ],
    output: {
      __meta_sd_tags: 'path:/secret,job:some-job,label:foo=bar',
      __metrics_path__: '/secret',
      job: 'some-job',
      foo: 'bar',
    },
  },
  {
    name: 'labeldrop then set then keep (prometheus#12283)',
    input: {
      __meta_kubernetes_pod_container_port_name: 'foo',
      __meta_kubernetes_pod_annotation_XXX_metrics_port: '9091',
    },
    rules: [
      { regex: '^__meta_kubernetes_pod_container_port_name$', action: 'labeldrop' },
      {
        source_labels: ['__meta_kubernetes_pod_annotation_XXX_metrics_port'],
        regex: '(.+)',
        replacement: 'metrics',
        target_label: '__meta_kubernetes_pod_container_port_name',
      },
      {
        source_labels: ['__meta_kubernetes_pod_container_port_name'],
        regex: '^metrics$',
        action: 'keep',
      },
    ],
    output: {
      __meta_kubernetes_pod_annotation_XXX_metrics_port: '9091',
      __meta_kubernetes_pod_container_port_name: 'metrics',
    },
  },
  {
    name: 'labelkeep',
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    rules: [{ regex: '(b.*)', action: 'labelkeep' }],
    output: { b1: 'bar', b2: 'baz' },
  },
  {
    name: 'labeldrop',
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    rules: [{ regex: '(b.*)', action: 'labeldrop' }],
    output: { a: 'foo' },
  },
  {
    name: 'uppercase and lowercase',
    input: { foo: 'bAr123Foo' },
    rules: [
      { source_labels: ['foo'], action: 'uppercase', target_label: 'foo_uppercase' },
      { source_labels: ['foo'], action: 'lowercase', target_label: 'foo_lowercase' },
    ],
    output: { foo: 'bAr123Foo', foo_lowercase: 'bar123foo', foo_uppercase: 'BAR123FOO' },
  },
  {
    name: 'keepequal keeps equal values',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    rules: [{ source_labels: ['__tmp_port'], action: 'keepequal', target_label: '__port1' }],
    output: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
  },
  {
    name: 'dropequal drops equal values',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    rules: [{ source_labels: ['__tmp_port'], action: 'dropequal', target_label: '__port1' }],
    output: null,
  },
  {
    name: 'dropequal keeps different values',
    input: { __tmp_port: '1234', __port2: '5678' },
    rules: [{ source_labels: ['__tmp_port'], action: 'dropequal', target_label: '__port2' }],
    output: { __tmp_port: '1234', __port2: '5678' },
  },
  {
    name: 'keepequal drops different values',
    input: { __tmp_port: '1234', __port2: '5678' },
    rules: [{ source_labels: ['__tmp_port'], action: 'keepequal', target_label: '__port2' }],
    output: null,
  },
  {
    name: 'fast path: an empty source sets the replacement',
    input: { a: 'x' },
    rules: [{ target_label: 'env', replacement: 'sandbox' }],
    output: { a: 'x', env: 'sandbox' },
  },
  {
    name: 'the default rule copies a label; an empty result deletes the target',
    input: { __address__: 'host:9100', gone: 'y' },
    rules: [
      { source_labels: ['__address__'], target_label: 'instance' },
      { source_labels: ['missing'], target_label: 'gone' },
    ],
    output: { __address__: 'host:9100', instance: 'host:9100' },
  },
  {
    name: 'Go regexp syntax: named groups, (?i), \\d and $name',
    input: { __name__: 'HTTP_requests_total', code: '404' },
    rules: [
      {
        source_labels: ['__name__'],
        regex: '(?i)http_(?P<what>[a-z]+)_total',
        target_label: 'what',
        replacement: '$what',
      },
      { source_labels: ['code'], regex: '4\\d\\d', target_label: 'class', replacement: 'client' },
    ],
    output: { __name__: 'HTTP_requests_total', code: '404', what: 'requests', class: 'client' },
  },
  {
    name: '. does not match a newline in Go (unlike (?s).)',
    input: { a: 'x\ny' },
    rules: [
      { source_labels: ['a'], regex: '.*', target_label: 'plain', replacement: 'matched' },
      { source_labels: ['a'], regex: '(?s).*', target_label: 'dotall', replacement: 'matched' },
    ],
    output: { a: 'x\ny', dotall: 'matched' },
  },
];

for (const c of cases) {
  test(`relabel: ${c.name}`, () => {
    assert.deepEqual(relabel(c.input, compileRelabel(c.rules)), c.output);
  });
}

test('relabel does not modify its input', () => {
  const input = { a: 'foo' };
  relabel(input, compileRelabel([{ target_label: 'b', replacement: 'x' }]));
  assert.deepEqual(input, { a: 'foo' });
});

// Prometheus's validation messages for bad rules.
const invalid: { name: string; rule: RelabelConfig; message: string }[] = [
  {
    name: 'unknown action',
    rule: { action: 'explode' as RelabelConfig['action'] },
    message: 'unknown relabel action "explode"',
  },
  {
    name: 'replace without target',
    rule: { action: 'replace' },
    message: "relabel configuration for replace action requires 'target_label' value",
  },
  {
    name: 'lowercase without target',
    rule: { action: 'lowercase' },
    message: "relabel configuration for lowercase action requires 'target_label' value",
  },
  {
    name: 'lowercase with a template target',
    rule: { action: 'lowercase', target_label: '${3}' },
    message: `"\${3}" is invalid 'target_label' for lowercase action`,
  },
  {
    name: 'replace target starting with a digit',
    rule: { target_label: '0${3}' },
    message: `"0\${3}" is invalid 'target_label' for replace action`,
  },
  {
    name: 'replace target with a dash',
    rule: { target_label: '-${3}' },
    message: `"-\${3}" is invalid 'target_label' for replace action`,
  },
  {
    name: 'hashmod without modulus',
    rule: { action: 'hashmod', target_label: 'x' },
    message: 'relabel configuration for hashmod requires non-zero modulus',
  },
  {
    name: 'uppercase with replacement',
    rule: { action: 'uppercase', target_label: 'x', replacement: 'y' },
    message: "'replacement' can not be set for uppercase action",
  },
  {
    name: 'labelmap with bad replacement',
    rule: { action: 'labelmap', replacement: '-$1' },
    message: `"-$1" is invalid 'replacement' for labelmap action`,
  },
  {
    name: 'keepequal with regex',
    rule: { action: 'keepequal', target_label: 'x', regex: 'a' },
    message:
      "keepequal action requires only 'source_labels' and `target_label`, and no other fields",
  },
  {
    name: 'labeldrop with source_labels',
    rule: { action: 'labeldrop', source_labels: ['a'], regex: 'a' },
    message: "labeldrop action requires only 'regex', and no other fields",
  },
  {
    name: 'bad regex',
    rule: { source_labels: ['a'], regex: '(abc', target_label: 'x' },
    message: 'error parsing regexp: missing closing ): `^(?:(abc)$`',
  },
];

for (const c of invalid) {
  test(`relabel validation: ${c.name}`, () => {
    assert.throws(() => compileRelabel([c.rule]), { message: c.message });
  });
}
