import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeadChunkFiles, type StoredChunk } from '../../../src/metrics/storage/head-chunk-files.js';

const WINDOW = 1000;

function chunk(seed: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7) & 0xff);
}

function readBack(
  files: HeadChunkFiles,
  written: { minT: number; ref: number; bytes: Uint8Array }[],
): Uint8Array[] {
  // Read in a scrambled order: readMany must sort and batch by itself.
  const reads: StoredChunk[] = written.map((w) => ({
    minT: w.minT,
    ref: w.ref,
    length: w.bytes.length,
    bytes: new Uint8Array(0),
  }));
  const scrambled = reads.map((r, i) => reads[(i * 7919) % reads.length]!);
  files.readMany(scrambled);
  return reads.map((r) => r.bytes);
}

test('head chunk files: chunks read back from the write buffer and from disk, per window', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'head-chunks-'));
  const files = new HeadChunkFiles(path.join(dir, 'chunks_head'), WINDOW);
  try {
    // Enough bytes per window to flush its 64 KiB buffer several times.
    const written: { minT: number; ref: number; bytes: Uint8Array }[] = [];
    for (let i = 0; i < 600; i++) {
      const minT = (i % 3) * WINDOW + (i % 997);
      const bytes = chunk(i, 100 + ((i * 131) % 1900));
      written.push({ minT, ref: files.write(minT, bytes), bytes });
    }
    readBack(files, written).forEach((b, i) => assert.deepEqual([...b], [...written[i]!.bytes]));
    assert.deepEqual(fs.readdirSync(path.join(dir, 'chunks_head')).sort(), ['0', '1', '2']);

    files.dropBefore(2 * WINDOW);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'chunks_head')), ['2']);
    const kept = written.filter((w) => w.minT >= 2 * WINDOW);
    readBack(files, kept).forEach((b, i) => assert.deepEqual([...b], [...kept[i]!.bytes]));
    assert.throws(() => readBack(files, written.slice(0, 1)), /no longer stored/);
  } finally {
    files.close();
    assert.equal(fs.existsSync(path.join(dir, 'chunks_head')), false);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('head chunk files: opening wipes what a previous process left (the WAL rebuilds it)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'head-chunks-'));
  const sub = path.join(dir, 'chunks_head');
  fs.mkdirSync(sub);
  fs.writeFileSync(path.join(sub, '7'), 'stale');
  const files = new HeadChunkFiles(sub, WINDOW);
  try {
    assert.deepEqual(fs.readdirSync(sub), []);
  } finally {
    files.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
