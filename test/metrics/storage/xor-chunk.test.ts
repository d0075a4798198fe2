import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  XorChunkEncoder,
  decodeXorChunk,
  floatHi,
  floatLo,
} from '../../../src/metrics/storage/xor-chunk.js';
import { isStaleMarker, writeStaleMarker } from '../../../src/metrics/queryable.js';

function roundTrip(ts: number[], vs: Float64Array): { ts: Float64Array; vs: Float64Array } {
  const enc = new XorChunkEncoder(8);
  const words = new Uint32Array(vs.buffer);
  ts.forEach((t, i) => enc.append(t, words[i * 2 + 1]!, words[i * 2]!));
  const outT = new Float64Array(ts.length);
  const outV = new Float64Array(ts.length);
  const n = decodeXorChunk(enc.finish(), -Infinity, Infinity, outT, outV, 0);
  assert.equal(n, ts.length);
  return { ts: outT, vs: outV };
}

const cases: { name: string; ts: number[]; vs: number[] }[] = [
  { name: 'regular scrape, counter', ts: [0, 15e3, 30e3, 45e3], vs: [1, 2, 3, 10] },
  {
    name: 'jittered intervals in every dod bucket',
    ts: [
      1700000000000, 1700000015000, 1700000015001, 1700000030000, 1700000100000, 1700001000000,
      1700900000000,
    ],
    vs: [0.1, 0.2, 0.30000000000000004, -5, 1e300, -1e-300, 42],
  },
  {
    name: 'special values',
    ts: [1, 2, 3, 4, 5, 6],
    vs: [NaN, Infinity, -Infinity, -0, 0, Number.MIN_VALUE],
  },
  { name: 'negative timestamps', ts: [-5000, -1000, 0, 1], vs: [1, 1, 1, 1] },
];

for (const c of cases) {
  test(`xor chunk round trip: ${c.name}`, () => {
    const vs = Float64Array.from(c.vs);
    const out = roundTrip(c.ts, vs);
    assert.deepEqual([...out.ts], c.ts);
    const a = new Uint32Array(vs.buffer);
    const b = new Uint32Array(out.vs.buffer);
    assert.deepEqual([...b], [...a], 'values bit-identical');
  });
}

test('xor chunk keeps the StaleNaN bit pattern', () => {
  const vs = new Float64Array(3);
  vs[0] = 1;
  writeStaleMarker(vs, 1);
  vs[2] = 2;
  const out = roundTrip([1, 2, 3], vs);
  assert.equal(isStaleMarker(out.vs, 1), true);
  assert.equal(isStaleMarker(out.vs, 0), false);
});

test('xor chunk: 120 random-walk samples compress below 3 bytes each', () => {
  const ts: number[] = [];
  const vs = new Float64Array(120);
  let v = 1000;
  for (let i = 0; i < 120; i++) {
    ts.push(1700000000000 + i * 15000);
    v += Math.round(Math.random() * 100);
    vs[i] = v;
  }
  const enc = new XorChunkEncoder();
  ts.forEach((t, i) => enc.append(t, floatHi(vs[i]!), floatLo(vs[i]!)));
  assert.ok(enc.finish().length / 120 < 3, `${enc.finish().length / 120} B/sample`);
  assert.deepEqual([...roundTrip(ts, vs).vs], [...vs]);
});

test('xor chunk decode honours the time window', () => {
  const enc = new XorChunkEncoder();
  for (let i = 0; i < 10; i++) enc.append(i * 10, floatHi(i), floatLo(i));
  const t = new Float64Array(10);
  const v = new Float64Array(10);
  const n = decodeXorChunk(enc.finish(), 25, 55, t, v, 0);
  assert.deepEqual([...t.subarray(0, n)], [30, 40, 50]);
  assert.deepEqual([...v.subarray(0, n)], [3, 4, 5]);
});
