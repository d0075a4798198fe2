import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlatKeyed } from './cgroup.js';

/** /proc/meminfo as field -> value in kB (as the file states it); throws when unreadable. */
export function readMeminfoKb(procfs: string): Map<string, number> {
  const text = readFileSync(join(procfs, 'meminfo'), 'latin1');
  return parseFlatKeyed(text.replace(/:\s+/g, ' ').replace(/ kB$/gm, ''));
}
