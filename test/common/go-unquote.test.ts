import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goUnquote, goUnquoteOrThrow } from '../../src/common/go-unquote.js';

describe('Go strconv.Unquote', () => {
  const ok: [string, string][] = [
    ['"plain"', 'plain'],
    ['"a\\tb\\nc\\\\d\\"e"', 'a\tb\nc\\d"e'],
    ['"\\a\\b\\f\\r\\v"', '\x07\b\f\r\v'],
    // \x and octal escapes are bytes: two of them make one UTF-8 character.
    ['"\\xc3\\xa9|\\303\\251"', 'é|é'],
    ['"\\u00e9\\U0001F600"', 'é😀'],
    ["'it\\'s'", "it's"],
    ['`raw \\n\r\n`', 'raw \\n\n'],
    ['"héllo 😀"', 'héllo 😀'],
  ];
  for (const [lit, want] of ok) it(lit, () => assert.deepEqual(goUnquote(lit), { value: want }));

  const bad: [string, string][] = [
    ['"\\q"', 'unknown escape sequence'],
    // Only the literal's own quote may be escaped.
    ['"\\\'"', 'unknown escape sequence'],
    ['"\\x4"', 'illegal character in escape sequence'],
    ['"\\400"', 'illegal character in escape sequence'],
    ['"\\ud800"', 'escape sequence is invalid Unicode code point'],
    ['"\\U00110000"', 'escape sequence is invalid Unicode code point'],
    ['"\\"', 'escape sequence not terminated'],
  ];
  for (const [lit, error] of bad)
    it(`refuses ${lit}`, () => assert.deepEqual(goUnquote(lit), { error }));

  it('OrThrow reports strconv.ErrSyntax', () => {
    assert.equal(goUnquoteOrThrow('"a\\u00e9"'), 'aé');
    assert.throws(() => goUnquoteOrThrow('"\\q"'), /^Error: invalid syntax$/);
  });
});
