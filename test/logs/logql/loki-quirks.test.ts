import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileLokiLabelRegex } from '../../../src/logs/logql/label-regex.js';
import { mergeSplitResponses, splitByInterval } from '../../../src/logs/logql/split-merge.js';

const H = 3600n * 1000000000n;

test('log queries split on whole hours, newest first when backward', () => {
  assert.deepEqual(splitByInterval(H / 2n, 2n * H + 5n, H, 'forward'), [
    [H / 2n, H],
    [H, 2n * H],
    [2n * H, 2n * H + 5n],
  ]);
  assert.deepEqual(splitByInterval(0n, 2n * H, H, 'backward'), [
    [H, 2n * H],
    [0n, H],
  ]);
});

test('over the limit, Loki 3.0.0 merges split responses by alternating streams', () => {
  const a = {
    labels: { s: 'a' },
    entries: [1n, 2n, 3n, 4n].map((t): [bigint, string] => [t, `a${t}`]),
  };
  const b = { labels: { s: 'b' }, entries: [10n, 11n].map((t): [bigint, string] => [t, `b${t}`]) };
  // Time order would take a1..a4; Loki's heap alternates a and b.
  const merged = mergeSplitResponses([[a, b]], 4, 'forward');
  assert.deepEqual(
    merged.map((s) => [s.labels.s, s.entries.map(([t]) => t)]),
    [
      ['a', [1n, 2n]],
      ['b', [10n, 11n]],
    ],
  );
  // Within the limit every entry is returned.
  assert.equal(mergeSplitResponses([[a, b]], 6, 'forward').flatMap((s) => s.entries).length, 6);
});

const labelRegex: [string, string, boolean][] = [
  ['e.*', 'webhooks', true], // simplified to "contains e"
  ['.*hook', 'webhooks', true],
  ['web', 'webhooks', false], // a literal keeps whole-value equality
  ['web', 'web', true],
  ['PUT|PATCH', 'XPUTX', true], // common prefix: contains either
  ['GET|PUT', 'XGET', false], // no common prefix: equality with either
  ['(?i)warn', 'WARN', true],
  ['u-0[0-4].*', 'u-07', false], // not simplifiable: anchored RE2
  ['u-0[0-4].*', 'u-03x', true],
  ['.+', '', false],
  ['.*', '', true],
];

test('label filter regexes as Loki 3.0.0 evaluates them', () => {
  for (const [re, value, want] of labelRegex) {
    assert.equal(compileLokiLabelRegex(re)(value), want, `${re} on ${value}`);
  }
});
