import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes used by the files under `dir` (what `obs status` shows per role). */
export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(path);
    else if (entry.isFile()) total += (await stat(path).catch(() => ({ blocks: 0 }))).blocks * 512;
  }
  return total;
}
