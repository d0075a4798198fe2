import { open } from 'node:fs/promises';
import { join } from 'node:path';

let cached: number | undefined;

/**
 * The kernel page size (Go's os.Getpagesize), which Node does not expose:
 * read from the first mapping in /proc/self/smaps, 4096 if that fails.
 */
export async function pageSize(procfs: string): Promise<number> {
  if (cached !== undefined) return cached;
  cached = 4096;
  try {
    const fh = await open(join(procfs, 'self/smaps'));
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      const m = /KernelPageSize:\s+(\d+) kB/.exec(buf.toString('latin1', 0, bytesRead));
      if (m) cached = Number(m[1]) * 1024;
    } finally {
      await fh.close();
    }
  } catch {
    // Keep the common 4 KiB.
  }
  return cached;
}
