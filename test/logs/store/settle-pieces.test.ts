import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  readSettleGroups,
  type SettleGroup,
  settlePieceSql,
  settlePieces,
} from '../../../src/logs/store/settle-pieces.js';

const g = (hour: number, streamId: number, size: number, minTs = 0, maxTs = 0): SettleGroup => ({
  hour: BigInt(hour),
  streamId,
  size,
  minTs: BigInt(minTs),
  maxTs: BigInt(maxTs),
});

describe('settlePieces', () => {
  const cases: {
    name: string;
    groups: SettleGroup[];
    max: number;
    want: [hour: number, from: number, to: number, size: number][];
  }[] = [
    { name: 'no rows', groups: [], max: 10, want: [] },
    {
      name: 'groups of an hour together up to the limit',
      groups: [g(5, 1, 4), g(5, 2, 4), g(5, 3, 2), g(5, 4, 1)],
      max: 10,
      want: [
        [5, 1, 3, 10],
        [5, 4, 4, 1],
      ],
    },
    {
      name: 'never across an hour',
      groups: [g(5, 1, 1), g(6, 1, 1), g(6, 2, 1)],
      max: 10,
      want: [
        [5, 1, 1, 1],
        [6, 1, 2, 2],
      ],
    },
    {
      name: 'a group bigger than the limit alone',
      groups: [g(5, 1, 2), g(5, 2, 50), g(5, 3, 2)],
      max: 10,
      want: [
        [5, 1, 1, 2],
        [5, 2, 2, 50],
        [5, 3, 3, 2],
      ],
    },
    {
      name: "a stream's minutes split between pieces",
      groups: [g(5, 1, 6, 0, 9), g(5, 1, 6, 60, 69), g(5, 2, 3, 5, 8)],
      max: 10,
      want: [
        [5, 1, 1, 6],
        [5, 1, 2, 9],
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = settlePieces(c.groups, c.max).map((p) => [
        Number(p.hour),
        p.fromStream,
        p.toStream,
        p.size,
      ]);
      assert.deepEqual(got, c.want);
    });
  }

  it('starts and ends each piece at its first and last group, and spans all of them', () => {
    const [piece] = settlePieces([g(5, 1, 1, 30, 40), g(5, 2, 1, 10, 20), g(5, 3, 1, 25, 50)], 10);
    assert.deepEqual(
      [piece!.fromTs, piece!.toTs, piece!.minTs, piece!.maxTs],
      [30n, 50n, 10n, 50n],
    );
  });
});

describe('settlePieceSql in DuckDB', () => {
  it('selects every row in exactly one piece, the pieces in the settled order', async () => {
    const H = 3_600n;
    const M = 60n;
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      // 3 streams over 3 hours, a row every 7 s (some streams busier), stored in arrival order.
      await conn.run(
        'CREATE TABLE t AS SELECT (i % 3 + (i % 7 = 0)::INTEGER)::INTEGER AS stream_id, ' +
          '(i * 7)::BIGINT AS ts, 10 + (i % 5)::INTEGER AS bytes FROM range(1600) r(i)',
      );
      const groups = await readSettleGroups(conn, 't', H, M, 'sum(bytes)');
      for (const maxBytes of [1, 100, 700, 3000, 1e9]) {
        const pieces = settlePieces(groups, maxBytes);
        const rows: [number, bigint][] = [];
        for (const p of pieces) {
          const got = await conn.runAndReadAll(
            `SELECT stream_id, ts FROM t WHERE ${settlePieceSql(p, H)} ORDER BY stream_id, ts`,
          );
          rows.push(...(got.getRows() as [number, bigint][]));
        }
        const want = await conn.runAndReadAll(
          `SELECT stream_id, ts FROM t ORDER BY ts // ${H}, stream_id, ts`,
        );
        assert.deepEqual(rows, want.getRows(), `pieces of at most ${maxBytes} bytes`);
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
