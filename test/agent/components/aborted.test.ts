import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aborted } from '../../../src/agent/components/aborted.js';

test('aborted() resolves on abort, and at once for a signal already aborted', async () => {
  const ac = new AbortController();
  let done = false;
  const waiting = aborted(ac.signal).then(() => {
    done = true;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false);
  ac.abort();
  await waiting;
  assert.equal(done, true);
  await aborted(AbortSignal.abort());
});
