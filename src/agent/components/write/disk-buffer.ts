import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogStream } from '../../../logs/sink.js';

/** Where reading stands: a segment number and a byte offset in it. */
export interface BufferPosition {
  segment: number;
  offset: number;
}

export interface BufferedBatch {
  streams: LogStream[];
  entries: number;
  bytes: number;
  end: BufferPosition;
}

/** One record on disk: `[labels, [[ts, line, metadata?], ...]][]`, timestamps as decimal strings. */
type BufferRecord = [Record<string, string>, [string, string, Record<string, string>?][]][];

const SEGMENT_BYTES = 16 * 1024 * 1024;
const HEADER = 4;

/**
 * loki.write's on-disk buffer: batches the endpoint could not deliver yet,
 * appended as length-prefixed JSON records to numbered segment files and
 * fsynced before `append` resolves (concurrent appends share one fsync).
 * A cursor file records what the endpoint has delivered; segments behind it
 * are deleted. A record torn by a crash was never acknowledged and is cut
 * off when the buffer is opened.
 */
export class DiskBuffer {
  private writeSegment = 0;
  private writer: FileHandle | undefined;
  /** Durable length of the write segment: readers never look past it. */
  private writeSize = 0;
  private cursor: BufferPosition = { segment: 0, offset: 0 };
  private unreadBytes = 0;
  private queue: { data: Buffer[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;

  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<DiskBuffer> {
    await mkdir(dir, { recursive: true });
    const b = new DiskBuffer(dir);
    await b.recover();
    return b;
  }

  /** Bytes appended and not yet committed as delivered. */
  get unread(): number {
    return this.unreadBytes;
  }

  append(streams: LogStream[]): Promise<void> {
    const record: BufferRecord = streams.map((s) => [
      s.labels,
      s.entries.map((e) =>
        e.metadata
          ? [e.timestamp.toString(), e.line, e.metadata]
          : [e.timestamp.toString(), e.line],
      ),
    ]);
    const payload = Buffer.from(JSON.stringify(record));
    const header = Buffer.alloc(HEADER);
    header.writeUInt32BE(payload.length);
    return new Promise((resolve, reject) => {
      this.queue.push({ data: [header, payload], resolve, reject });
      void this.flush();
    });
  }

  /** Records from the cursor, up to about `maxBytes` (at least one record). */
  async read(maxBytes: number): Promise<BufferedBatch | undefined> {
    let pos = { ...this.cursor };
    const streams = new Map<string, LogStream>();
    let bytes = 0;
    let entries = 0;
    while (bytes < maxBytes) {
      const limit =
        pos.segment === this.writeSegment ? this.writeSize : await this.sizeOf(pos.segment);
      if (pos.offset >= limit) {
        if (pos.segment >= this.writeSegment) break;
        pos = { segment: pos.segment + 1, offset: 0 };
        continue;
      }
      const fh = await open(this.path(pos.segment), 'r');
      try {
        while (pos.offset < limit && bytes < maxBytes) {
          const header = Buffer.alloc(HEADER);
          await fh.read(header, 0, HEADER, pos.offset);
          const len = header.readUInt32BE(0);
          const payload = Buffer.alloc(len);
          await fh.read(payload, 0, len, pos.offset + HEADER);
          for (const [labels, values] of JSON.parse(payload.toString('utf8')) as BufferRecord) {
            const key = JSON.stringify(labels);
            let s = streams.get(key);
            if (!s) streams.set(key, (s = { labels, entries: [] }));
            for (const [ts, line, metadata] of values) {
              s.entries.push(
                metadata
                  ? { timestamp: BigInt(ts), line, metadata }
                  : { timestamp: BigInt(ts), line },
              );
              entries++;
            }
          }
          pos = { segment: pos.segment, offset: pos.offset + HEADER + len };
          bytes += HEADER + len;
        }
      } finally {
        await fh.close();
      }
    }
    if (entries === 0 && bytes === 0) return undefined;
    return { streams: [...streams.values()], entries, bytes, end: pos };
  }

  /** Marks everything before `end` delivered: persists the cursor, deletes finished segments. */
  async commit(end: BufferPosition, bytes: number): Promise<void> {
    const old = this.cursor.segment;
    this.cursor = end;
    this.unreadBytes = Math.max(0, this.unreadBytes - bytes);
    const tmp = join(this.dir, 'cursor.json.tmp');
    await writeFile(tmp, JSON.stringify(end));
    await rename(tmp, join(this.dir, 'cursor.json'));
    for (let s = old; s < end.segment; s++) await rm(this.path(s), { force: true });
  }

  async close(): Promise<void> {
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
    await this.writer?.close();
    this.writer = undefined;
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0);
        try {
          if (!this.writer) this.writer = await open(this.path(this.writeSegment), 'a');
          const data = group.flatMap((g) => g.data);
          let written = 0;
          for (const d of data) written += d.length;
          await this.writer.writev(data);
          await this.writer.datasync();
          this.writeSize += written;
          this.unreadBytes += written;
          if (this.writeSize >= SEGMENT_BYTES) {
            await this.writer.close();
            this.writer = undefined;
            this.writeSegment++;
            this.writeSize = 0;
          }
          for (const g of group) g.resolve();
        } catch (err) {
          for (const g of group) g.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async recover(): Promise<void> {
    try {
      this.cursor = JSON.parse(
        await readFile(join(this.dir, 'cursor.json'), 'utf8'),
      ) as BufferPosition;
    } catch {
      this.cursor = { segment: 0, offset: 0 };
    }
    const segments = (await readdir(this.dir))
      .filter((f) => /^\d{16}\.seg$/.test(f))
      .map((f) => Number(f.slice(0, 16)))
      .sort((a, b) => a - b);
    for (const s of segments) if (s < this.cursor.segment) await rm(this.path(s), { force: true });
    const live = segments.filter((s) => s >= this.cursor.segment);
    this.writeSegment = Math.max(this.cursor.segment, ...live);
    for (const s of live) {
      const valid = await this.validLength(s);
      const from = s === this.cursor.segment ? this.cursor.offset : 0;
      this.unreadBytes += Math.max(0, valid - from);
      if (s === this.writeSegment) this.writeSize = valid;
    }
  }

  /** Length of the complete records in a segment; a torn tail is cut off. */
  private async validLength(segment: number): Promise<number> {
    const data = await readFile(this.path(segment));
    let off = 0;
    while (off + HEADER <= data.length) {
      const len = data.readUInt32BE(off);
      if (off + HEADER + len > data.length) break;
      off += HEADER + len;
    }
    if (off < data.length) {
      const fh = await open(this.path(segment), 'r+');
      await fh.truncate(off);
      await fh.close();
    }
    return off;
  }

  private async sizeOf(segment: number): Promise<number> {
    try {
      return (await stat(this.path(segment))).size;
    } catch {
      return 0;
    }
  }

  private path(segment: number): string {
    return join(this.dir, `${String(segment).padStart(16, '0')}.seg`);
  }
}
