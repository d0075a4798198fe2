import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unwrappedSamples, VALUE_SEPARATOR } from '../../../src/logs/store/unwrapped-samples.js';

type Case = {
  name: string;
  times: number[];
  texts: string[];
  conversion?: 'duration' | 'duration_seconds';
  want: { offsets: number[]; values: number[] } | undefined;
};

const CASES: Case[] = [
  {
    name: 'in order: as given',
    times: [1, 2, 3],
    texts: ['1.5', '-2', '1e3'],
    want: { offsets: [1, 2, 3], values: [1.5, -2, 1000] },
  },
  {
    name: 'runs merged by time, equal times by value',
    times: [5, 9, 1, 5, 2, 9],
    texts: ['3', '1', '2', '1', '7', '0.5'],
    want: { offsets: [1, 2, 5, 5, 9, 9], values: [2, 7, 1, 3, 0.5, 1] },
  },
  {
    name: 'NaN after every number at equal times, infinities in place',
    times: [4, 4, 4, 1],
    texts: ['NaN', 'Inf', '-Inf', '+2.5'],
    want: { offsets: [1, 4, 4, 4], values: [2.5, -Infinity, Infinity, NaN] },
  },
  {
    name: 'durations as the unwrap stage converts them, units combined',
    times: [1, 2, 3, 4],
    texts: ['1h30m', '12.5ms', '0', '250us'],
    conversion: 'duration',
    want: { offsets: [1, 2, 3, 4], values: [5400, 0.0125, 0, 0.00025] },
  },
  {
    name: 'a value the stage cannot convert: storage declines',
    times: [1, 2],
    texts: ['5', 'abc'],
    want: undefined,
  },
  {
    name: 'a duration without unit: storage declines',
    times: [1, 2],
    texts: ['5ms', '5'],
    conversion: 'duration_seconds',
    want: undefined,
  },
];

describe('unwrapped samples from storage', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const got = unwrappedSamples(c.times, c.texts.join(VALUE_SEPARATOR), c.conversion);
      assert.deepEqual(got, c.want);
    });
  }

  it('many runs: the same order as a stable sort by (time, value)', () => {
    const times: number[] = [];
    const texts: string[] = [];
    for (let run = 0; run < 37; run++) {
      for (let i = 0; i < 50; i++) {
        times.push(i * 3 + (run % 5));
        texts.push(String((run * 7 + i) % 11));
      }
    }
    const got = unwrappedSamples(times, texts.join(VALUE_SEPARATOR), undefined)!;
    const order = times
      .map((_, i) => i)
      .sort((a, b) => times[a]! - times[b]! || Number(texts[a]) - Number(texts[b]) || a - b);
    assert.deepEqual(
      got.offsets,
      order.map((i) => times[i]!),
    );
    assert.deepEqual(
      got.values,
      order.map((i) => Number(texts[i])),
    );
  });
});
