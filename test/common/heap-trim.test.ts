import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { HeapTrim } from '../../src/common/heap-trim.js';

const committed = (): number => v8.getHeapStatistics().total_heap_size;
const young = (): number =>
  v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;
const old = (): number =>
  v8
    .getHeapSpaceStatistics()
    .filter((s) => s.space_name !== 'new_space' && s.space_name !== 'new_large_object_space')
    .reduce((sum, s) => sum + s.space_size, 0);

v8.setFlagsFromString('--expose-gc');
const fullGc = vm.runInNewContext('gc') as () => void;

/** Full (mark-compact) collections V8 reports while `run` runs. */
async function majorCollections(run: () => void): Promise<number> {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (
        (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR
      ) {
        count++;
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    run();
    // GC entries are delivered after the collection, from a later turn of the event loop.
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    observer.disconnect();
  }
  return count;
}

/** Many short-lived objects, a fair share surviving one scavenge: V8 grows the young generation. */
function growYoung(): void {
  let keep: object[] = [];
  for (let i = 0; i < 3_000_000; i++) {
    keep.push({ i, a: [i] });
    if (keep.length > 100_000) keep = [];
  }
}

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
      busyLimitBytes: 32 * 1024 * 1024,
      idleLimitBytes: () => 24 * 1024 * 1024,
    });
    try {
      garbage();
      const before = old();
      assert.ok(
        before > 48 * 1024 * 1024,
        `the test needs an old generation above 48 MiB, got ${before}`,
      );
      trim.touch(true);
      assert.ok(old() >= before * 0.9, 'a push leaves the heap alone');
      trim.touch();
      assert.ok(old() < before * 0.7, `${old()} after a query vs ${before}`);
    } finally {
      trim.stop();
    }
  });

  it('collects during a read at most once per interval, after every step with none', () => {
    const trim = new HeapTrim({
      busyLimitBytes: 32 * 1024 * 1024,
      idleLimitBytes: () => 24 * 1024 * 1024,
    });
    try {
      // Whether each of three steps, each leaving the old generation above the limit, collected.
      const steps = (minIntervalMs?: number): boolean[] =>
        [1, 2, 3].map(() => {
          garbage();
          const before = old();
          assert.ok(before > 32 * 1024 * 1024, `${before}`);
          trim.during(minIntervalMs);
          return old() < before * 0.7;
        });
      assert.deepEqual(steps(0), [true, true, true]);
      // Within a minute of the last collection: none.
      assert.deepEqual(steps(60_000), [false, false, false]);
    } finally {
      trim.stop();
    }
  });

  it('leaves a heap alone when only its young generation is above the busy limit', async () => {
    growYoung();
    fullGc();
    const limit = old() + 8 * 1024 * 1024;
    assert.ok(committed() > limit, `the test needs a young generation above 8 MiB, got ${young()}`);
    const trim = new HeapTrim({ busyLimitBytes: limit, idleLimitBytes: () => Infinity });
    try {
      assert.equal(await majorCollections(() => trim.touch()), 0);
      garbage();
      assert.ok(old() > limit, `the test needs an old generation above ${limit}, got ${old()}`);
      assert.ok((await majorCollections(() => trim.touch())) >= 1, 'old garbage is collected');
    } finally {
      trim.stop();
    }
  });

  it('gives back the young generation a burst grew, once quiet', async () => {
    const trim = new HeapTrim({ idleLimitBytes: () => Infinity, settleYoung: true });
    try {
      growYoung();
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
      let keep: object[] = [];
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
