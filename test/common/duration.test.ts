import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatPromDuration,
  parseGoDuration,
  parsePromDuration,
} from '../../src/common/duration.js';

test('Prometheus durations', () => {
  const cases: [string, number | undefined][] = [
    ['15d', 15 * 86400e3],
    ['1d12h', 36 * 3600e3],
    ['5m30s', 330e3],
    ['100ms', 100],
    ['0', 0],
    ['1.5h', undefined],
    ['12h1d', undefined],
    ['', undefined],
  ];
  for (const [text, ms] of cases) assert.equal(parsePromDuration(text), ms, text);
});

test('Go durations', () => {
  const cases: [string, number | undefined][] = [
    ['720h', 720 * 3600e3],
    ['1.5h', 90 * 60e3],
    ['10m', 600e3],
    ['-2m', -120e3],
    ['300ms', 300],
    ['1h30m', 90 * 60e3],
    ['15d', undefined],
    ['abc', undefined],
  ];
  for (const [text, ms] of cases) assert.equal(parseGoDuration(text), ms, text);
});

test('formats as Prometheus does', () => {
  assert.equal(formatPromDuration(15 * 86400e3), '15d');
  assert.equal(formatPromDuration(14 * 86400e3), '2w');
  assert.equal(formatPromDuration(90 * 60e3), '1h30m');
  assert.equal(formatPromDuration(0), '0s');
});
