import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Kernel text files (cgroupfs, procfs) read through descriptors kept open
 * between scrapes: a positioned read at offset 0 makes the kernel generate
 * the content afresh, so each read is one syscall instead of the four of
 * open, fstat, read and close. Opening cgroup files dominated the
 * container exporter's CPU time before this.
 *
 * `sweep()` after each scrape closes what that scrape did not read, so the
 * descriptors of departed containers do not accumulate. Only for files the
 * kernel generates: a regular file replaced by rename would be read stale.
 */
export class FileCache {
  private readonly fds = new Map<string, number>();
  /** Paths known to be absent (optional files such as memory.peak), until swept. */
  private readonly missing = new Set<string>();
  private readonly used = new Set<string>();
  private buf = Buffer.allocUnsafe(64 * 1024);

  /** The file's text, or undefined when it is absent or unreadable. */
  read(path: string): string | undefined {
    try {
      return this.readStrict(path);
    } catch {
      return undefined;
    }
  }

  /** The file's text; throws the system error (ENOENT, EINVAL, ...) when it cannot be read. */
  readStrict(path: string): string {
    this.used.add(path);
    if (this.missing.has(path)) {
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), {
        code: 'ENOENT',
      });
    }
    let fd = this.fds.get(path);
    try {
      if (fd === undefined) {
        fd = openSync(path, 'r');
        this.fds.set(path, fd);
      }
      let len = 0;
      for (;;) {
        const n = readSync(fd, this.buf, len, this.buf.length - len, len);
        len += n;
        if (n === 0 || len < this.buf.length) break;
        const bigger = Buffer.allocUnsafe(this.buf.length * 2);
        this.buf.copy(bigger, 0, 0, len);
        this.buf = bigger;
      }
      return this.buf.toString('latin1', 0, len);
    } catch (err) {
      if (fd !== undefined) this.drop(path);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.missing.add(path);
      throw err;
    }
  }

  /** Closes descriptors and forgets absences not used since the last sweep. */
  sweep(): void {
    for (const path of this.fds.keys()) if (!this.used.has(path)) this.drop(path);
    for (const path of this.missing) if (!this.used.has(path)) this.missing.delete(path);
    this.used.clear();
  }

  close(): void {
    for (const path of [...this.fds.keys()]) this.drop(path);
    this.missing.clear();
  }

  private drop(path: string): void {
    const fd = this.fds.get(path);
    this.fds.delete(path);
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // Already gone.
      }
    }
  }
}
