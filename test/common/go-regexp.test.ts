import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileGoRegexp, goRegexpMatches } from '../../src/common/go-regexp.js';

// Anchored matches with Go's RE2 meaning: pattern, input, whether Go matches.
const matches: [string, string, boolean][] = [
  ['abc', 'abc', true],
  ['a|b', 'ab', false],
  ['.*', 'x\ny', false],
  ['(?s).*', 'x\ny', true],
  ['.', '\r', true],
  ['\\s+', ' \t', true],
  ['\\s', '\u00a0', false],
  ['\\S', 'a', true],
  ['[[:alpha:]]+', 'abcXYZ', true],
  ['[[:digit:]x]+', '12x', true],
  ['[[:^digit:]]', 'a', true],
  ['[[:^digit:]]', '1', false],
  ['[^[:digit:]a]', 'b', true],
  ['[^[:digit:]a]', 'a', false],
  ['(?i)abc', 'ABC', true],
  ['(?i:a)b', 'Ab', true],
  ['(?i:a)b', 'AB', false],
  ['a(?i)b', 'aB', true],
  ['a(?i)b', 'AB', false],
  ['(?i)a(?-i)b', 'Ab', true],
  ['(?i)a(?-i)b', 'AB', false],
  ['(?i:[a-c]+)', 'AbC', true],
  ['(?P<x>a)(?<y>b)', 'ab', true],
  ['\\Qa.b\\E', 'a.b', true],
  ['\\Qa.b\\E', 'axb', false],
  ['\\x41\\x{42}', 'AB', true],
  ['\\101', 'A', true],
  ['a{2,3}', 'aaa', true],
  ['a{2,3}', 'aaaa', false],
  ['x{', 'x{', true],
  ['a]', 'a]', true],
  ['[]a]+', ']a', true],
  ['\\pL+', 'héllo', true],
  ['\\p{Greek}', 'α', true],
  ['\\PL', 'a', false],
  ['(?m)^a$\\n^b$', 'a\nb', true],
  ['(?m)a$', 'a\r', false],
  ['\\-\\#\\:', '-#:', true],
  ['foo\\.bar', 'foo.bar', true],
  ['[\\d\\-]+', '1-2', true],
  ['(?U)a+', 'aaa', true],
  ['\\Aab\\z', 'ab', true],
];

for (const [pattern, input, expected] of matches) {
  test(`go regexp ${JSON.stringify(pattern)} on ${JSON.stringify(input)}`, () => {
    assert.equal(goRegexpMatches(compileGoRegexp(pattern, { anchored: true }), input), expected);
  });
}

test('(?U) makes repetitions lazy, as Go does', () => {
  const re = compileGoRegexp('(a+)(a*)', {});
  assert.equal(re.regex.exec('aaa')![1], 'aaa');
  const lazy = compileGoRegexp('(?U)(a+)(a*)', {});
  assert.equal(lazy.regex.exec('aaa')![1], 'a');
});

// Go's error messages for the same patterns (regexp.Compile of the anchored form).
const errors: [string, string][] = [
  ['(abc', 'error parsing regexp: missing closing ): `^(?:(abc)$`'],
  ['abc)', 'error parsing regexp: unexpected ): `^(?:abc))$`'],
  ['[abc', 'error parsing regexp: missing closing ]: `[abc)$`'],
  ['*a', 'error parsing regexp: missing argument to repetition operator: `*`'],
  ['a**', 'error parsing regexp: invalid nested repetition operator: `**`'],
  ['\\y', 'error parsing regexp: invalid escape sequence: `\\y`'],
  ['\\1', 'error parsing regexp: invalid escape sequence: `\\1`'],
  ['(?=a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
  ['(?!a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?!`'],
  ['[z-a]', 'error parsing regexp: invalid character class range: `z-a`'],
  ['a{1001}', 'error parsing regexp: invalid repeat count: `{1001}`'],
  ['(?P<>a)', 'error parsing regexp: invalid named capture: `(?P<>`'],
];

for (const [pattern, message] of errors) {
  test(`go regexp error for ${JSON.stringify(pattern)}`, () => {
    assert.throws(() => compileGoRegexp(pattern, { anchored: true }), { message });
  });
}
