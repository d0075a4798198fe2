import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { HeapTrim } from '../../src/common/heap-trim.js';

const committed = (): number => v8.getHeapStatistics().total_heap_size;
const young = (): number =>
  v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

/** Grows the old generation with garbage: arrays kept across allocations, then dropped. */
function garbage(): void {
  let keep: string[][] = [];
  for (let r = 0; r < 60; r++) {
    keep.push(Array.from({ length: 20_000 }, (_, i) => `line ${r} ${i} ${'x'.repeat(40)}`));
    if (keep.length > 30) keep = [];
  }
}

describe('HeapTrim', () => {
  it('returns the garbage of a finished query, but not after each push', () => {
    const trim = new HeapTrim({
      busyLimitBytes: 64 * 1024 * 1024,
      idleLimitBytes: () => 24 * 1024 * 1024,
    });
    try {
      garbage();
      const before = committed();
      assert.ok(before > 64 * 1024 * 1024, `the test needs a heap above 64 MiB, got ${before}`);
      trim.touch(true);
      assert.ok(committed() >= before * 0.9, 'a push leaves the heap alone');
      trim.touch();
      assert.ok(committed() < before * 0.7, `${committed()} after a query vs ${before}`);
    } finally {
      trim.stop();
    }
  });

  it('gives back the young generation a burst grew, once quiet', async () => {
    const trim = new HeapTrim({ idleLimitBytes: () => Infinity, settleYoung: true });
    try {
      // Many short-lived objects, a fair share surviving one scavenge: V8 grows the young generation.
      let keep: object[] = [];
      for (let i = 0; i < 3_000_000; i++) {
        keep.push({ i, a: [i] });
        if (keep.length > 100_000) keep = [];
      }
      keep = [];
      const grown = young();
      assert.ok(grown > 8 * 1024 * 1024, `the test needs a grown young generation, got ${grown}`);
      trim.touch(true);
      const started = Date.now();
      while (young() > 4 * 1024 * 1024 && Date.now() - started < 15_000) {
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.ok(young() <= 4 * 1024 * 1024, `young generation still ${young()} after 15 s`);
      // Survivors again: it grows back to its maximum in a step or two (V8 sometimes takes a
      // first 2x step from its minimum), not in the five doublings of V8's default.
      const sizes = [young()];
      keep = [];
      for (let round = 0; round < 2_000 && young() < grown / 2; round++) {
        for (let i = 0; i < 10_000; i++) keep.push({ i, a: [i] });
        if (young() !== sizes.at(-1)) sizes.push(young());
      }
      keep = [];
      assert.ok(young() >= grown / 2, `grew to ${young()} only (max ${grown})`);
      assert.ok(sizes.length <= 3, `grew in steps: ${sizes.join(' -> ')}`);
    } finally {
      trim.stop();
    }
  });
});
