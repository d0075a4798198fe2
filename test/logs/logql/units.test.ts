import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGoFloat } from '../../../src/logs/logql/units.js';

// strconv.ParseFloat(s, 64) results, as Go gives them.
const cases: [string, number | undefined][] = [
  ['1.5', 1.5],
  ['-2e3', -2000],
  ['.5', 0.5],
  ['+Inf', Infinity],
  ['-infinity', -Infinity],
  ['0x1p-2', 0.25],
  ['0X1.8P3', 12],
  ['-0x.8p1', -1],
  ['0x1_0p0', 16],
  ['0x1fffffffffffff8p-4', 2 ** 57 / 16],
  ['0x_1p4', 16],
  ['0x1p1_0', 1024],
  ['0x10', undefined],
  ['0x1__0p0', undefined],
  ['0xp1', undefined],
  ['0x1.8', undefined],
  ['1.5ms', undefined],
  ['', undefined],
];

test('parseGoFloat takes what strconv.ParseFloat takes, hexadecimal floats included', () => {
  for (const [text, want] of cases) assert.equal(parseGoFloat(text), want, text);
  assert.ok(Number.isNaN(parseGoFloat('NaN')));
});
