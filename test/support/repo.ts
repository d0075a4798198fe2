import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (the directory holding package.json), from source or from dist/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir)
      throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/** `../shared` beside the project root: the seed, conformance data and tools. */
export function sharedDir(): string {
  return join(repoRoot(), '..', 'shared');
}

/** True when this test runs from the compiled tree (npm test), false under tsx. */
export function runningFromDist(): boolean {
  return fileURLToPath(import.meta.url).includes(`${join('dist', 'test')}`);
}
