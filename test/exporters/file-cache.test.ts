import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FileCache } from '../../src/exporters/file-cache.js';

let dir = '';
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function openFds(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

test('FileCache re-reads kernel files through kept descriptors and closes what a scrape left', async () => {
  dir = await mkdtemp(join(tmpdir(), 'obs-exporters-files-'));
  const files = new FileCache();
  // procfs regenerates on a positioned read at 0: uptime moves between reads.
  const first = files.read('/proc/uptime');
  await new Promise((r) => setTimeout(r, 30));
  assert.notEqual(files.read('/proc/uptime'), first);
  // Larger than the first buffer: read whole.
  const big = join(dir, 'big');
  await writeFile(big, 'x'.repeat(200_000));
  assert.equal(files.read(big)?.length, 200_000);
  // Absent files are undefined, and remembered as absent until a sweep skips them.
  const later = join(dir, 'later');
  assert.equal(files.read(later), undefined);
  await writeFile(later, 'now here');
  assert.equal(files.read(later), undefined);
  const before = await openFds();
  files.sweep(); // all three were used since the last sweep: kept
  assert.equal(await openFds(), before);
  files.sweep(); // none used since: descriptors closed, absence forgotten
  assert.equal(await openFds(), before - 2);
  assert.equal(files.read(later), 'now here');
  files.close();
});
