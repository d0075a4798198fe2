import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One obs per data directory: the embedded stores allow a single writer, so a
 * second `obs up` on the same directory must fail at once, not corrupt it.
 * The lock file holds the owner's pid; a lock left by a dead process is taken over.
 */
export class DataDirLock {
  private constructor(private readonly path: string) {}

  static async acquire(dataDir: string): Promise<DataDirLock> {
    const path = join(dataDir, 'obs.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(path, 'wx', 0o600);
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        return new DataDirLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
        if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
          throw new LockedError(dataDir, owner);
        }
        await rm(path, { force: true });
      }
    }
    throw new Error(`could not lock ${dataDir}`);
  }

  async release(): Promise<void> {
    await rm(this.path, { force: true });
  }
}

export class LockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `another obs (pid ${pid}) is already running on the data directory ${dataDir}; ` +
        `stop it first, or give this one its own --data-dir`,
    );
    this.name = 'LockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
