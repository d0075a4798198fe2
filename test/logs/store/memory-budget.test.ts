import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  GlobalSettings,
  type SettingsConnection,
} from '../../../src/logs/store/global-settings.js';
import { MemoryBudget } from '../../../src/logs/store/memory-budget.js';

// A list aggregate cannot spill: 2M BIGINTs need ~16 MB held at once.
const NEEDS_16MB = 'SELECT list(range) FROM range(2000000)';

async function limitOf(conn: DuckDBConnection): Promise<string> {
  const r = await conn.runAndReadAll("SELECT current_setting('memory_limit')");
  return String(r.getRows()[0]![0]);
}

describe('MemoryBudget against DuckDB', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;

  before(async () => {
    instance = await DuckDBInstance.create(':memory:', { memory_limit: '8MB', threads: '1' });
    conn = await instance.connect();
  });
  after(() => instance.closeSync());

  it('runs work that ran out at the base limit again at the burst limit, then lowers it back', async () => {
    await assert.rejects(conn.run(NEEDS_16MB), /^Error: Out of Memory Error/);
    const budget = new MemoryBudget(new GlobalSettings(await instance.connect()), '8MB', '64MB');
    let runs = 0;
    const r = await budget.run(() => {
      runs++;
      return conn.runAndReadAll(NEEDS_16MB);
    });
    assert.equal(r.currentRowCount, 1);
    assert.equal(runs, 2);
    assert.equal(await limitOf(conn), '7.6 MiB');
    budget.close();
  });

  const runOnce: { name: string; burst: string; sql: string; error: RegExp }[] = [
    {
      name: 'leaves the error alone when the burst limit is the base limit',
      burst: '8MB',
      sql: NEEDS_16MB,
      error: /Out of Memory Error/,
    },
    {
      name: 'does not run again work that failed for another reason',
      burst: '64MB',
      sql: 'SELECT * FROM no_such_table',
      error: /Catalog Error/,
    },
  ];
  for (const c of runOnce) {
    it(c.name, async () => {
      const budget = new MemoryBudget(new GlobalSettings(await instance.connect()), '8MB', c.burst);
      let runs = 0;
      await assert.rejects(
        budget.run(() => {
          runs++;
          return conn.run(c.sql);
        }),
        c.error,
      );
      assert.equal(runs, 1);
      assert.equal(await limitOf(conn), '7.6 MiB');
      budget.close();
    });
  }
});

/** Records the settings asked for; `refuse` fails the next lowering as DuckDB does with pinned memory. */
class RecordingConnection implements SettingsConnection {
  readonly limits: string[] = [];
  refuse = 0;

  async run(sql: string): Promise<void> {
    const limit = /'(.*)'/.exec(sql)![1]!;
    if (limit === '40MB' && this.refuse > 0) {
      this.refuse--;
      throw new Error(
        'Out of Memory Error: Failed to change memory limit to 41943040: could not free up enough memory for the new limit',
      );
    }
    this.limits.push(limit);
  }

  closeSync(): void {}
}

const outOfMemory = (): Error =>
  new Error('Out of Memory Error: failed to pin block of size 256.0 KiB');

describe('MemoryBudget reruns', () => {
  it('keeps the burst limit until the last of several reruns ends', async () => {
    const conn = new RecordingConnection();
    const budget = new MemoryBudget(new GlobalSettings(conn), '40MB', '64MB');
    const gates: (() => void)[] = [];
    const work = (): (() => Promise<string>) => {
      let first = true;
      return async () => {
        if (first) {
          first = false;
          throw outOfMemory();
        }
        await new Promise<void>((resolve) => gates.push(resolve));
        return 'done';
      };
    };
    const a = budget.run(work());
    const b = budget.run(work());
    while (gates.length < 2) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(conn.limits, ['64MB']);
    gates[0]!();
    assert.equal(await a, 'done');
    assert.deepEqual(conn.limits, ['64MB']);
    gates[1]!();
    assert.equal(await b, 'done');
    assert.deepEqual(conn.limits, ['64MB', '40MB']);
    budget.close();
  });

  it('tries lowering again later when DuckDB refuses while memory is pinned', async () => {
    const conn = new RecordingConnection();
    conn.refuse = 1;
    const budget = new MemoryBudget(new GlobalSettings(conn), '40MB', '64MB');
    let first = true;
    const r = await budget.run(async () => {
      if (first) {
        first = false;
        throw outOfMemory();
      }
      return 1;
    });
    assert.equal(r, 1);
    assert.deepEqual(conn.limits, ['64MB']);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.deepEqual(conn.limits, ['64MB', '40MB']);
    budget.close();
  });

  it('a rerun that fails again fails, and the limit still goes back', async () => {
    const conn = new RecordingConnection();
    const budget = new MemoryBudget(new GlobalSettings(conn), '40MB', '64MB');
    await assert.rejects(
      budget.run(async () => {
        throw outOfMemory();
      }),
      /Out of Memory Error/,
    );
    assert.deepEqual(conn.limits, ['64MB', '40MB']);
    budget.close();
  });
});
