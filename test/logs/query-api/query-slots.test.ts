import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QuerySlots } from '../../../src/logs/query-api/query-slots.js';

/** A query that runs until released, recording when it started. */
function gated(log: string[], name: string): { run: () => Promise<string>; release: () => void } {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return {
    run: async () => {
      log.push(`start ${name}`);
      await done;
      return name;
    },
    release: () => release(),
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('QuerySlots', () => {
  it('runs at most max at once, the others in arrival order', async () => {
    const slots = new QuerySlots(2);
    const log: string[] = [];
    const qs = ['a', 'b', 'c', 'd', 'e'].map((n) => gated(log, n));
    const results = qs.map((q) => slots.run(new AbortController().signal, q.run));
    await tick();
    assert.deepEqual(log, ['start a', 'start b']);
    qs[1]!.release();
    await tick();
    assert.deepEqual(log, ['start a', 'start b', 'start c']);
    qs[0]!.release();
    qs[2]!.release();
    await tick();
    assert.deepEqual(log.slice(3), ['start d', 'start e']);
    qs[3]!.release();
    qs[4]!.release();
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd', 'e']);
  });

  it('a query aborted while waiting never runs and takes no slot; a failed one gives its slot back', async () => {
    const slots = new QuerySlots(1);
    const log: string[] = [];
    const first = gated(log, 'first');
    const running = slots.run(new AbortController().signal, first.run);
    const timeout = new AbortController();
    const waiting = slots.run(timeout.signal, gated(log, 'aborted').run);
    const failing = slots.run(new AbortController().signal, async () => {
      log.push('start failing');
      throw new Error('boom');
    });
    timeout.abort(new Error('deadline'));
    await assert.rejects(waiting, /deadline/);
    first.release();
    assert.equal(await running, 'first');
    await assert.rejects(failing, /boom/);
    const last = gated(log, 'last');
    last.release();
    assert.equal(await slots.run(new AbortController().signal, last.run), 'last');
    assert.deepEqual(log, ['start first', 'start failing', 'start last']);
  });
});
