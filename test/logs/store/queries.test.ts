import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { streamIdsSql } from '../../../src/logs/store/queries.js';

describe('streamIdsSql: streams as ranges of consecutive ids', () => {
  const cases: { why: string; ids: number[]; sql: string }[] = [
    { why: 'one stream', ids: [7], sql: 'stream_id = 7' },
    { why: 'one run, any order, duplicates', ids: [3, 1, 2, 2], sql: 'stream_id BETWEEN 1 AND 3' },
    {
      why: 'runs and single ids',
      ids: [45, 1, 2, 3, 9, 20, 21],
      sql: '(stream_id BETWEEN 1 AND 3 OR stream_id = 9 OR stream_id BETWEEN 20 AND 21 OR stream_id = 45)',
    },
    { why: 'no stream matches nothing', ids: [], sql: 'false' },
  ];
  for (const c of cases) it(c.why, () => assert.equal(streamIdsSql(c.ids), c.sql));
});
