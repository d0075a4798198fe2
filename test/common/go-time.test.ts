import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatGoTime, GO_LAYOUTS, parseGoTime } from '../../src/common/go-time.js';

const ns = (iso: string, extraNs = 0n) => BigInt(Date.parse(iso)) * 1_000_000n + extraNs;

describe('Go time.Parse', () => {
  const cases: [string, string, bigint][] = [
    [GO_LAYOUTS.RFC3339, '2024-03-01T10:00:00+02:00', ns('2024-03-01T08:00:00Z')],
    [GO_LAYOUTS.RFC3339Nano, '2024-03-01T10:00:00.000000123Z', ns('2024-03-01T10:00:00Z', 123n)],
    ['2006-01-02 15:04:05', '2024-03-01 10:00:00.5', ns('2024-03-01T10:00:00.500Z')],
    ['2006-01-02T15:04:05-07:00:00', '2024-03-01T10:00:00+01:30:00', ns('2024-03-01T08:30:00Z')],
    ['2006-002', '2024-061', ns('2024-03-01T00:00:00Z')],
    // `Janet` is not the month name: Go reads it as literal text.
    ['Janet 2006', 'Janet 2024', ns('2024-01-01T00:00:00Z')],
  ];
  for (const [layout, value, want] of cases) {
    it(`${value} as ${layout}`, () => assert.equal(parseGoTime(layout, value), want));
  }

  it('refuses a value the layout does not describe, with Go message', () =>
    assert.throws(
      () => parseGoTime(GO_LAYOUTS.RFC3339, '2024-03-01 10:00:00'),
      /parsing time "2024-03-01 10:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse " 10:00:00"/,
    ));
  it('takes year 0 when the layout has none, unless told another', () => {
    const stamp = (opts?: { missingYear: number }) =>
      formatGoTime(parseGoTime(GO_LAYOUTS.Stamp, 'Mar  1 10:00:00', opts), '2006-01-02 15:04');
    assert.equal(stamp(), '0000-03-01 10:00');
    assert.equal(stamp({ missingYear: 2024 }), '2024-03-01 10:00');
  });
  it('applies a zone to values without an offset', () =>
    assert.equal(
      parseGoTime('2006-01-02 15:04', '2024-07-01 12:00', { zone: 'Europe/Paris' }),
      ns('2024-07-01T10:00:00Z'),
    ));
  it('does not take a layout constant name as a layout', () =>
    assert.throws(() => parseGoTime('RFC3339', '2024-03-01T10:00:00Z'), /cannot parse/));
});

describe('Go time.Time.Format in UTC', () => {
  // 2024-03-01T14:05:09.120Z, a Friday, day 61 of the year.
  const t = ns('2024-03-01T14:05:09.120Z');
  const cases: [string, string][] = [
    [GO_LAYOUTS.RFC3339, '2024-03-01T14:05:09Z'],
    [GO_LAYOUTS.RFC3339Nano, '2024-03-01T14:05:09.12Z'],
    [GO_LAYOUTS.RFC1123Z, 'Fri, 01 Mar 2024 14:05:09 +0000'],
    [GO_LAYOUTS.UnixDate, 'Fri Mar  1 14:05:09 UTC 2024'],
    [GO_LAYOUTS.Kitchen, '2:05PM'],
    ['Monday January 2 06 3:4:5 pm', 'Friday March 1 24 2:5:9 pm'],
    ['2006-01-02 15:04:05.000', '2024-03-01 14:05:09.120'],
    ['15:04:05,000000', '14:05:09,120000'],
    ['05.999', '09.12'],
    ['-07:00:00 -070000 -07 Z07', '+00:00:00 +000000 +00 Z'],
    ['2006-002', '2024-061'],
    // Zeros followed by another digit are no fraction: Go reads `.00` as text and `01` as the month.
    ['05.0001', '09.0003'],
    ['Janet', 'Janet'],
  ];
  for (const [layout, want] of cases) {
    it(layout, () => assert.equal(formatGoTime(t, layout), want));
  }
  it('drops an all-zero optional fraction with its separator', () =>
    assert.equal(formatGoTime(ns('2024-03-01T14:05:09Z'), '05.999'), '09'));
  it('formats times before 1970', () =>
    assert.equal(
      formatGoTime(-1_500_000_000n, '2006-01-02T15:04:05.000'),
      '1969-12-31T23:59:58.500',
    ));
});
