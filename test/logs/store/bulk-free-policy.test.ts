import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  BulkFreePolicy,
  SCAN_BULK_FREE_THRESHOLD,
} from '../../../src/logs/store/bulk-free-policy.js';
import {
  GlobalSettings,
  type SettingsConnection,
} from '../../../src/logs/store/global-settings.js';

async function thresholdOf(conn: DuckDBConnection): Promise<string> {
  const r = await conn.runAndReadAll(
    "SELECT current_setting('allocator_bulk_deallocation_flush_threshold')",
  );
  return String(r.getRows()[0]![0]);
}

describe('BulkFreePolicy against DuckDB', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;

  before(async () => {
    instance = await DuckDBInstance.create(':memory:', {
      allocator_bulk_deallocation_flush_threshold: SCAN_BULK_FREE_THRESHOLD,
    });
    conn = await instance.connect();
  });
  after(() => instance.closeSync());

  it('returns bulk frees while list work runs, overlapping or not, then keeps them again', async () => {
    const settings = new GlobalSettings(await instance.connect());
    const policy = new BulkFreePolicy(settings);
    assert.equal(await thresholdOf(conn), '250.0 KiB');
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((r) => (releaseFirst = r));
    const seen: string[] = [];
    const first = policy.returningFreedMemory(async () => {
      seen.push(await thresholdOf(conn));
      await firstHeld;
    });
    await policy.returningFreedMemory(async () => {
      seen.push(await thresholdOf(conn));
    });
    // The second work ended while the first still runs.
    seen.push(await thresholdOf(conn));
    releaseFirst();
    await first;
    assert.deepEqual(seen, ['0 bytes', '0 bytes', '0 bytes']);
    assert.equal(await thresholdOf(conn), '250.0 KiB');
    settings.close();
  });
});

/** A connection that records the thresholds set and can refuse the next statement. */
class RecordingConnection implements SettingsConnection {
  readonly set: string[] = [];
  failNext = false;
  async run(sql: string): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('Connection Error: closing');
    }
    this.set.push(/'(.*)'/.exec(sql)![1]!);
  }
  closeSync(): void {}
}

describe('BulkFreePolicy settings', () => {
  const cases: {
    name: string;
    run: (p: BulkFreePolicy, c: RecordingConnection) => Promise<void>;
    set: string[];
  }[] = [
    {
      name: 'one work: lowered, then back',
      run: (p) => p.returningFreedMemory(async () => undefined),
      set: ['0MB', '256KB'],
    },
    {
      name: 'work after work: each lowers and restores',
      run: async (p) => {
        await p.returningFreedMemory(async () => undefined);
        await p.returningFreedMemory(async () => undefined);
      },
      set: ['0MB', '256KB', '0MB', '256KB'],
    },
    {
      name: 'overlapping work: lowered once, back after the last',
      run: async (p) => {
        await Promise.all([
          p.returningFreedMemory(async () => undefined),
          p.returningFreedMemory(async () => undefined),
        ]);
      },
      set: ['0MB', '256KB'],
    },
    {
      name: 'work that fails: back all the same',
      run: (p) =>
        assert.rejects(
          p.returningFreedMemory(async () => {
            throw new Error('Binder Error');
          }),
          /Binder Error/,
        ),
      set: ['0MB', '256KB'],
    },
    {
      name: 'lowering refused: the work is not run and the next work lowers again',
      run: async (p, c) => {
        c.failNext = true;
        let ran = false;
        await assert.rejects(
          p.returningFreedMemory(async () => {
            ran = true;
          }),
          /Connection Error/,
        );
        assert.equal(ran, false);
        await p.returningFreedMemory(async () => undefined);
      },
      set: ['256KB', '0MB', '256KB'],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const conn = new RecordingConnection();
      await c.run(new BulkFreePolicy(new GlobalSettings(conn)), conn);
      assert.deepEqual(conn.set, c.set);
    });
  }
});
