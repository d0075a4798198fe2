import fs from 'node:fs';
import path from 'node:path';

/**
 * One process per storage directory, as Prometheus's `lock` file: two
 * writers would interleave WAL records and blocks. The file holds the owner's
 * PID, so a lock left by a killed process (kill -9, power loss) is taken over.
 */
export function lockDir(dir: string): () => void {
  const file = path.join(dir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(file, 'utf8').trim());
      if (owner === process.pid || !alive(owner)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      throw new Error(
        `opening storage failed: lock DB directory: ${file} is held by process ${owner}; ` +
          'stop that process or point --storage.tsdb.path elsewhere',
      );
    }
  }
  throw new Error(`opening storage failed: could not take ${file}`);
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
