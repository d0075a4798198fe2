import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatGoFloat, goSprint, goSprintf } from '../../src/common/go-fmt.js';

describe('Go strconv.FormatFloat(v, g, -1, 64)', () => {
  const table: [number, string][] = [
    [617, '617'],
    [0.015, '0.015'],
    [1e6, '1e+06'],
    [123456, '123456'],
    [1.5e-7, '1.5e-07'],
    [-0, '-0'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
  ];
  for (const [v, s] of table) it(s, () => assert.equal(formatGoFloat(v), s));
});

describe('Go fmt.Sprint', () => {
  const table: [unknown, string][] = [
    [7n, '7'],
    [2.5, '2.5'],
    [null, '<nil>'],
    [[1n, 'a', [true]], '[1 a [true]]'],
    [{ b: 2n, a: 'x' }, 'map[a:x b:2]'],
    [{ goTime: 1_700_000_000_123_000_000n }, '2023-11-14 22:13:20.123 +0000 UTC'],
  ];
  for (const [v, s] of table) it(s, () => assert.equal(goSprint(v), s));
});

describe('Go fmt.Sprintf', () => {
  const table: [string, unknown[], string][] = [
    ['[%5s][%-5s][%05d][%+d][% d]', ['ab', 'ab', -42n, 3n, 3n], '[   ab][ab   ][-0042][+3][ 3]'],
    // Go ignores the 0 flag for strings.
    ['[%05s]', ['ab'], '[   ab]'],
    ['%.2s|%.1s', ['héllo', 'ü'], 'hé|ü'],
    ['%5s|', ['hé'], '   hé|'],
    ['%9.2f|%.f|%F', [12551, 2.7, 1], ' 12551.00|3|1.000000'],
    ['%e|%E|%.2e', [1234.5, 1e-7, 0], '1.234500e+03|1.000000E-07|0.00e+00'],
    [
      '%g|%g|%.3g|%.4g|%.2g',
      [1e6, 0.0001, 1234.5, 1.5, 0.00001234],
      '1e+06|0.0001|1.23e+03|1.5|1.2e-05',
    ],
    ['%v|%.2v|%+v', [1e21, 1.23456, 2n], '1e+21|1.2|+2'],
    ['%x|%X|%o|%b|%x', [255n, 255n, 8n, 5n, 'hi'], 'ff|FF|10|101|6869'],
    ['%q|%t', ['a"b', true], '"a\\"b"|true'],
    ['%q', ['tab\there\x01'], '"tab\\there\\x01"'],
    ['%d|%f|%t|%q', ['x', 1n, 'y', 2.5], '%!d(string=x)|%!f(int=1)|%!t(string=y)|%!q(float64=2.5)'],
    ['%d %d', [1n], '1 %!d(MISSING)'],
    ['%s', ['a', 1n, 2.5], 'a%!(EXTRA int=1, float64=2.5)'],
    ['100%%', [], '100%'],
    ['%f|%e', [Infinity, NaN], '+Inf|NaN'],
  ];
  for (const [format, args, want] of table) {
    it(format, () => assert.equal(goSprintf(format, args), want));
  }
});
