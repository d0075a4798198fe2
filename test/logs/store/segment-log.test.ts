import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DayBatch } from '../../../src/logs/store/day-batch.js';
import { SEGMENT_FILE_BYTES, SegmentLog } from '../../../src/logs/store/segment-log.js';

const Q = '\u0001';

/** One push's rows for each day: `lines` rows of `width` bytes, sealed as the store seals them. */
function push(days: number[], lines: number, width: number, first: number): Map<number, DayBatch> {
  const out = new Map<number, DayBatch>();
  for (const day of days) {
    const batch = new DayBatch(BigInt(first));
    for (let i = 0; i < lines; i++) batch.add(1, BigInt(first + i), 'x'.repeat(width), undefined);
    batch.seal();
    out.set(day, batch);
  }
  return out;
}

const ROW = (ts: number, width: number): string => `1,${ts},${Q}${'x'.repeat(width)}${Q},\n`;

const CASES: {
  name: string;
  /** Pushes: [days, lines, line width]. */
  pushes: [number[], number, number][];
  /** Files per day expected at the rotation: one, or the rows split over several. */
  files: 'one' | 'several';
}[] = [
  {
    name: 'small pushes share one file per day',
    pushes: [
      [[1, 2], 100, 50],
      [[1, 2], 100, 50],
    ],
    files: 'one',
  },
  {
    name: 'one push bigger than a file is split between its buffers',
    pushes: [[[1], 20_000, 1000]],
    files: 'several',
  },
  {
    name: 'pushes that fill a file start the next one',
    pushes: Array.from({ length: 12 }, () => [[1, 2], 1000, 1000] as [number[], number, number]),
    files: 'several',
  },
];

describe('SegmentLog files', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-segments-'));
      try {
        const { log } = SegmentLog.load(dir);
        const want = new Map<number, string>();
        let ts = 0;
        for (const [days, lines, width] of c.pushes) {
          await log.append(push(days, lines, width, ts));
          for (const day of days) {
            let rows = '';
            for (let i = 0; i < lines; i++) rows += ROW(ts + i, width);
            want.set(day, (want.get(day) ?? '') + rows);
          }
          ts += lines;
        }
        const files = await log.rotate();
        assert.equal(new Set(files.map((f) => f.name)).size, files.length, 'names unique');
        for (const [day, rows] of want) {
          const mine = files.filter((f) => f.day === day);
          const sizes = mine.map((f) => fs.statSync(f.path).size);
          if (c.files === 'one') assert.equal(mine.length, 1);
          else assert.ok(mine.length >= Math.ceil(rows.length / SEGMENT_FILE_BYTES), `${sizes}`);
          for (const size of sizes) assert.ok(size <= SEGMENT_FILE_BYTES, `${sizes}`);
          // Oldest first.
          const text = mine.map((f) => fs.readFileSync(f.path, 'utf8')).join('');
          assert.equal(text, rows);
          for (const f of mine) {
            const tss = fs
              .readFileSync(f.path, 'utf8')
              .trimEnd()
              .split('\n')
              .map((r) => BigInt(r.split(',')[1]!));
            assert.ok(f.minTs! <= tss[0]! && f.maxTs! >= tss.at(-1)!, 'time bounds cover the rows');
          }
        }
        // A reopened log names its files after every name already there.
        const again = SegmentLog.load(dir);
        assert.equal(again.leftovers.length, files.length);
        await again.log.append(push([1], 1, 10, 0));
        const [next] = await again.log.rotate();
        assert.ok(!files.some((f) => f.name === next!.name));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
