import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goQuote } from '../../src/common/go-quote.js';

test('goQuote is strconv.Quote', () => {
  const table: [string, string][] = [
    ['plain', '"plain"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['\x07\b\f\n\r\t\v', '"\\a\\b\\f\\n\\r\\t\\v"'],
    // Control bytes as \x, unlike JSON's \u00XX.
    ['\x00\x1f\x7f', '"\\x00\\x1f\\x7f"'],
    // Printable Unicode as is; format characters and separators escaped.
    ['héllo 😀', '"héllo 😀"'],
    ['a\u200bb\u2028', '"a\\u200bb\\u2028"'],
  ];
  for (const [s, want] of table) assert.equal(goQuote(s), want, JSON.stringify(s));
});
