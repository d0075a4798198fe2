import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS } from '../../../src/logs/config/index.js';
import type { RawStream } from '../../../src/logs/push/raw-push.js';
import { StreamLabelCache, validatePush } from '../../../src/logs/push/validate.js';

const NOW_MS = 1_763_000_000_000;
const TS = BigInt(NOW_MS) * 1_000_000n;

/** Pushes whose streams repeat, with valid and invalid labels and service_name discovery. */
const PUSHES: RawStream[][] = [
  [
    { labels: '{job="a", app="web"}', entries: [{ timestamp: TS, line: 'one' }] },
    { labels: '{job="b"}', entries: [{ timestamp: TS, line: 'two' }] },
    { labels: '{job="a" app="web"}', entries: [{ timestamp: TS, line: 'bad' }] },
  ],
  [
    { labels: '{job="a", app="web"}', entries: [{ timestamp: TS + 1n, line: 'three' }] },
    { labels: '{job="a" app="web"}', entries: [{ timestamp: TS, line: 'bad again' }] },
    { labels: '{}', entries: [{ timestamp: TS, line: 'no labels' }] },
    { labels: '{job="b"}', entries: [{ timestamp: TS + 2n, line: 'four' }] },
  ],
  [{ labels: '{job="a", app="web"}', entries: [] }],
];

function fresh(): RawStream[][] {
  return PUSHES.map((p) => p.map((s) => ({ ...s, entries: s.entries.map((e) => ({ ...e })) })));
}

describe('stream label cache', () => {
  it('validates every push as without it, failing labels each time', () => {
    const limits = { ...DEFAULT_LIMITS, discoverServiceName: ['app'] };
    const cache = new StreamLabelCache();
    const plain = fresh().map((p) => validatePush(p, limits, NOW_MS));
    const cached = fresh().map((p) => validatePush(p, limits, NOW_MS, cache));
    assert.deepEqual(cached, plain);
    assert.match(cached[1]!.error!, /Error parsing labels '\{job="a" app="web"\}'/);
    assert.deepEqual(cached[1]!.streams[0]!.labels, {
      app: 'web',
      job: 'a',
      service_name: 'web',
    });
    assert.deepEqual(cached[1]!.streams[1]!.labels, { job: 'b', service_name: 'unknown_service' });
    // Pushes of one stream share its labels, which nothing may change.
    assert.equal(cached[1]!.streams[0]!.labels, cached[0]!.streams[0]!.labels);
    assert.throws(() => {
      cached[0]!.streams[0]!.labels.job = 'changed';
    }, TypeError);
  });

  it('drops the oldest labels once full', () => {
    const cache = new StreamLabelCache(2);
    cache.set('{a="1"}', { a: '1' });
    cache.set('{a="2"}', { a: '2' });
    cache.set('{a="3"}', { a: '3' });
    assert.equal(cache.get('{a="1"}'), undefined);
    assert.deepEqual(cache.get('{a="2"}'), { a: '2' });
    assert.deepEqual(cache.get('{a="3"}'), { a: '3' });
  });
});
