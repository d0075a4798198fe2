import { test } from 'node:test';
import assert from 'node:assert/strict';
import snappy from 'snappy';
import { snappyCompress, snappyUncompress } from '../../src/common/snappy.js';

function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
}

const r = rng(7);
const cases: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from([42])],
  ['short text', Buffer.from('hello hello hello hello, snappy')],
  ['run of one byte (overlapping copies)', Buffer.alloc(100_000, 7)],
  ['random (incompressible)', Buffer.from(Array.from({ length: 70_000 }, () => (r() * 256) | 0))],
  [
    'repetitive text over several 64 KiB windows',
    Buffer.from('up{job="node",instance="host-17:9100"} 1\n'.repeat(5000)),
  ],
  [
    'WAL-like columns (ids, timestamps, values)',
    (() => {
      const n = 20_000;
      const b = Buffer.alloc(n * 20);
      for (let i = 0; i < n; i++) {
        b.writeUInt32LE(i % 50, i * 4);
        b.writeDoubleLE(1.7e12 + i * 15_000, n * 4 + i * 8);
        b.writeDoubleLE(Math.round(r() * 1e4) / 100, n * 12 + i * 8);
      }
      return b;
    })(),
  ],
];

for (const [name, data] of cases) {
  test(`snappy: ${name} round-trips and agrees with the reference implementation`, () => {
    const ours = snappyCompress(data);
    assert.deepEqual(snappyUncompress(ours), data);
    assert.deepEqual(snappy.uncompressSync(ours) as Buffer, data, 'the reference decodes ours');
    const theirs = snappy.compressSync(data) as Buffer;
    assert.deepEqual(snappyUncompress(theirs), data, 'we decode the reference');
    assert.ok(ours.length <= theirs.length * 1.3 + 16, `ratio: ${ours.length} vs ${theirs.length}`);
  });
}

test('snappy: corrupt input is refused, never read out of bounds', () => {
  const good = snappyCompress(Buffer.from('abcdabcdabcdabcdabcdabcd'));
  const bad: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['length without data', Uint8Array.of(10)],
    ['truncated', good.subarray(0, good.length - 1)],
    ['copy before the start', Uint8Array.of(8, 0x01 | (0 << 2), 0x05)],
    ['length longer than the data', Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x7f)],
  ];
  for (const [why, input] of bad) assert.throws(() => snappyUncompress(input), /snappy/, why);
});
