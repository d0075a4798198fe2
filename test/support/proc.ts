import fs from 'node:fs';

/** The NUL-separated words of a process's /proc file (`cmdline`, `environ`). */
export function procWords(pid: number, file: 'cmdline' | 'environ'): string[] {
  return fs
    .readFileSync(`/proc/${pid}/${file}`, 'utf8')
    .split('\0')
    .filter((w) => w !== '');
}
