import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTimestamp } from '../../../src/agent/components/loki-process/index.js';

const ns = (iso: string, extraNs = 0n) => BigInt(Date.parse(iso)) * 1_000_000n + extraNs;
const year = new Date().getUTCFullYear();

describe("Go time layouts (stage.timestamp's format)", () => {
  const cases: [string, string, bigint, string?][] = [
    ['RFC3339', '2024-03-01T10:00:00Z', ns('2024-03-01T10:00:00Z')],
    ['RFC3339', '2024-03-01T10:00:00+02:00', ns('2024-03-01T08:00:00Z')],
    ['RFC3339Nano', '2024-03-01T10:00:00.000000123Z', ns('2024-03-01T10:00:00Z', 123n)],
    ['RFC3339Nano', '2024-03-01T10:00:00Z', ns('2024-03-01T10:00:00Z')],
    ['RFC1123Z', 'Fri, 01 Mar 2024 10:00:00 -0500', ns('2024-03-01T15:00:00Z')],
    ['RFC1123', 'Fri, 01 Mar 2024 10:00:00 GMT', ns('2024-03-01T10:00:00Z')],
    ['RFC822Z', '01 Mar 24 10:00 +0000', ns('2024-03-01T10:00:00Z')],
    ['ANSIC', 'Fri Mar  1 10:00:00 2024', ns('2024-03-01T10:00:00Z')],
    ['UnixDate', 'Fri Mar  1 10:00:00 UTC 2024', ns('2024-03-01T10:00:00Z')],
    ['RubyDate', 'Fri Mar 01 10:00:00 +0100 2024', ns('2024-03-01T09:00:00Z')],
    ['Stamp', 'Mar  1 10:00:00', ns(`${year}-03-01T10:00:00Z`)],
    ['StampMilli', 'Mar  1 10:00:00.250', ns(`${year}-03-01T10:00:00.250Z`)],
    ['Kitchen', '3:04PM', ns(`${year}-01-01T15:04:00Z`)],
    ['2006-01-02 15:04:05.000', '2024-03-01 10:00:00.123', ns('2024-03-01T10:00:00.123Z')],
    ['2006-01-02 15:04:05', '2024-03-01 10:00:00.5', ns('2024-03-01T10:00:00.500Z')],
    ['02/Jan/2006:15:04:05 -0700', '10/Oct/2000:13:55:36 -0700', ns('2000-10-10T20:55:36Z')],
    ['January 2, 2006 3:04 pm', 'March 1, 2024 12:30 am', ns('2024-03-01T00:30:00Z')],
    ['2006-002', '2024-061', ns('2024-03-01T00:00:00Z')],
    ['2006-01-02 15:04:05', '2024-07-01 12:00:00', ns('2024-07-01T16:00:00Z'), 'America/New_York'],
    ['2006-01-02 15:04:05', '2024-01-15 12:00:00', ns('2024-01-15T17:00:00Z'), 'America/New_York'],
    ['Unix', '1709287200', ns('2024-03-01T10:00:00Z')],
    ['Unix', '1709287200.5', ns('2024-03-01T10:00:00.500Z')],
    ['UnixMs', '1709287200123', ns('2024-03-01T10:00:00.123Z')],
    ['UnixUs', '1709287200123456', ns('2024-03-01T10:00:00.123Z', 456_000n)],
    ['UnixNs', '1709287200123456789', 1709287200123456789n],
  ];
  for (const [layout, value, want, zone] of cases) {
    it(`${layout} ${value}${zone ? ` in ${zone}` : ''}`, () => {
      assert.equal(parseTimestamp(layout, value, zone), want);
    });
  }

  const bad: [string, string, RegExp][] = [
    [
      'RFC3339',
      '2024-03-01 10:00:00',
      /parsing time "2024-03-01 10:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse " 10:00:00"/,
    ],
    ['2006-01-02', '2024-03-01x', /extra text: "x"/],
    ['2006-01-02', '2024-13-01', /out of range/],
    ['Unix', 'abc', /invalid syntax/],
  ];
  for (const [layout, value, message] of bad) {
    it(`refuses ${value} as ${layout}`, () =>
      assert.throws(() => parseTimestamp(layout, value), message));
  }
});
