import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyRangeFunction } from '../../../src/logs/logql/metric/range-functions.js';
import { rng } from '../../support/rng.js';

/** Loki's quantile by a full sort: NaN ordered before every number, linear interpolation. */
function sortedQuantile(q: number, values: number[]): number {
  const sorted = [
    ...values.filter((v) => Number.isNaN(v)),
    ...values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b),
  ];
  const rank = q * (sorted.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(sorted.length - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

const quantile = (q: number, values: number[], from = 0, to = values.length) =>
  applyRangeFunction('quantile_over_time', values, values, from, to, 300, q);

describe('quantile_over_time', () => {
  const cases: [string, number, number[], number][] = [
    ['median of an odd count', 0.5, [3, 1, 2], 2],
    ['interpolated', 0.5, [4, 1, 3, 2], 2.5],
    ['p99 of 1..100', 0.99, Array.from({ length: 100 }, (_, i) => 100 - i), 99.01],
    ['q 0 is the minimum', 0, [5, -2, 7], -2],
    ['q 1 is the maximum', 1, [5, -2, 7], 7],
    ['one value', 0.9, [42], 42],
    ['q below 0', -0.1, [1, 2], -Infinity],
    ['q above 1', 1.5, [1, 2], Infinity],
    ['NaN sorts first: q 0 is NaN', 0, [1, NaN, 2], NaN],
    ['NaN sorts first: q 1 is the maximum', 1, [1, NaN, 2], 2],
    // As in Go: the upper rank weighs 0, but Inf × 0 is NaN.
    ['infinity at weight 0', 0.5, [Infinity, -Infinity, 1], NaN],
    ['infinities', 0.25, [Infinity, -Infinity, 1, 2, 3], 1],
    ['ties', 0.75, [2, 2, 2, 2, 1], 2],
  ];
  for (const [name, q, values, want] of cases) {
    it(name, () => assert.equal(quantile(q, values), want));
  }

  it('equals a full sort over random windows (duplicates, NaN, infinities)', () => {
    const r = rng(7);
    for (let t = 0; t < 5000; t++) {
      const n = 1 + Math.floor(r() * 60);
      const values = Array.from({ length: n }, () => {
        const x = r();
        if (x < 0.03) return NaN;
        if (x < 0.06) return x < 0.045 ? Infinity : -Infinity;
        return x < 0.4 ? Math.floor(x * 8) : x * 200 - 100;
      });
      const q = [0, 0.01, 0.5, 0.9, 0.99, 1, r()][t % 7]!;
      const from = Math.floor(r() * n);
      const to = from + 1 + Math.floor(r() * (n - from));
      assert.deepEqual(quantile(q, values, from, to), sortedQuantile(q, values.slice(from, to)));
    }
  });
});
