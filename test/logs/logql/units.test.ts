import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseGoDurationNs,
  parseGoDurationSeconds,
  parseGoFloat,
} from '../../../src/logs/logql/units.js';

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

// time.ParseDuration(s).Seconds() as Go computes it: integer nanoseconds per
// part, a fraction added as uint64(float64(f) * (float64(unit) / scale)).
const durations: [string, number | undefined][] = [
  ['99.9ms', 0.0999],
  ['1.005s', 1.005],
  // The fraction's nanoseconds are truncated: half a nanosecond is none.
  ['1.0000000005s', 1],
  ['1.9999999999s', 1.999999999],
  ['1.5h', 5400],
  ['0.1h', 360],
  ['1h30m', 5400],
  ['1h0.5s', 3600.5],
  ['2h45m30.5s', 9930.5],
  ['250us', 0.00025],
  ['250µs', 0.00025],
  ['250μs', 0.00025],
  ['-1.5s', -1.5],
  ['+5m', 300],
  ['1.s', 1],
  ['.5s', 0.5],
  ['0', 0],
  ['-0', 0],
  ['-0s', 0],
  // Past 2^53 ns: Go's unsigned 64-bit integers, not doubles.
  ['1000000h', 3.6e9],
  ['123456789.123456789s', 123456789.12345679],
  ['9223372036.854775807s', 9223372036.854776],
  ['-9223372036.854775808s', -9223372036.854776],
  ['9223372036.854775808s', undefined],
  ['2562048h', undefined],
  ['99999999999999999999s', undefined],
  ['', undefined],
  ['.', undefined],
  ['.s', undefined],
  ['1', undefined],
  ['s', undefined],
  ['1x', undefined],
  ['1.5.5s', undefined],
  ['1s ', undefined],
];

test('parseGoDurationSeconds computes what time.ParseDuration(s).Seconds() gives', () => {
  for (const [text, want] of durations) {
    const got = parseGoDurationSeconds(text);
    assert.ok(Object.is(got, want), `${text}: ${got} != ${want}`);
  }
});

test('parseGoDurationNs gives time.ParseDuration nanoseconds', () => {
  const cases: [string, bigint | undefined][] = [
    ['1.0000000005s', 1_000_000_000n],
    ['1h0.5s', 3_600_500_000_000n],
    ['-9223372036.854775808s', -(1n << 63n)],
    ['9223372036.854775807s', (1n << 63n) - 1n],
    ['9223372036.854775808s', undefined],
    ['-0s', 0n],
  ];
  for (const [text, want] of cases) assert.equal(parseGoDurationNs(text), want, text);
});
