import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LogStore } from '../../../src/logs/store/index.js';

const DAY = 86_400_000_000_000n;
const BASE = 20_500n * DAY;

function entries(day: bigint, n: number, tag: string): { timestamp: bigint; line: string }[] {
  return Array.from({ length: n }, (_, i) => ({
    timestamp: day + BigInt(i) * 1_000_000_000n,
    line: `level=info tag=${tag} n=${i}`,
  }));
}

describe('LogStore settling and checkpoints under concurrent reads and writes', () => {
  it('queries never see a day detached while it is swapped for its settled file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-settle-race-'));
    const store = await LogStore.open({ dir });
    try {
      await store.push([{ labels: { job: 'race' }, entries: entries(BASE, 10, 'first') }]);
      let stop = false;
      let reads = 0;
      const reader = (async () => {
        while (!stop) {
          let n = 0;
          for await (const batch of store.selectEntries({
            matchers: [{ name: 'job', type: '=', value: 'race' }],
            filters: [{ op: '|=', values: ['tag='] }],
            startNs: BASE,
            endNs: BASE + 3n * DAY,
            direction: 'forward',
            limit: 5,
          })) {
            n += batch.length;
          }
          await store.aggregateBuckets({
            matchers: [{ name: 'job', type: '=', value: 'race' }],
            filters: [],
            startNs: BASE,
            endNs: BASE + 3n * DAY,
            originNs: BASE,
            bucketNs: DAY,
          });
          assert.ok(n > 0);
          reads++;
        }
      })();
      try {
        for (let round = 0; round < 8; round++) {
          await store.push([
            { labels: { job: 'race' }, entries: entries(BASE, 200, `a${round}`) },
            { labels: { job: 'race' }, entries: entries(BASE + DAY, 200, `b${round}`) },
          ]);
          // Reads racing this one's sync must not make it miss the push.
          assert.deepEqual(await store.settle(0), [20_500, 20_501]);
        }
      } finally {
        stop = true;
        await reader;
      }
      assert.ok(reads > 0);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a checkpoint while pushes open new days, then close, throw nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-checkpoint-race-'));
    const store = await LogStore.open({ dir });
    try {
      const pushes: Promise<void>[] = [];
      const checkpoints: Promise<void>[] = [];
      for (let d = 0n; d < 12n; d++) {
        pushes.push(
          store.push([{ labels: { job: 'cp' }, entries: entries(BASE + d * DAY, 50, 'x') }]),
        );
        checkpoints.push(store.checkpoint());
        checkpoints.push(store.settle(0).then(() => undefined));
      }
      await Promise.all([...pushes, ...checkpoints]);
      assert.equal(store.partitionDays().length, 12);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
