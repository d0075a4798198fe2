import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * The write-ahead log: numbered segment files of length- and CRC-framed
 * records. `log` resolves after the record is written and fdatasync'd, so an
 * acknowledged commit survives kill -9 and power loss; concurrent commits
 * share one fsync (group commit). Replay stops at the first torn record.
 */
export class Wal {
  private fd: number;
  private queue: { parts: RecordParts; done: (err?: Error) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private segment: number,
  ) {
    this.fd = fs.openSync(segmentPath(dir, segment), 'a');
  }

  /** Opens the log for appending after `replay` has read it. */
  static open(dir: string, lastSegment: number): Wal {
    return new Wal(dir, lastSegment);
  }

  /** Appends one record (given as parts, not concatenated) and resolves once it is durable. */
  log(parts: RecordParts): Promise<void> {
    if (this.closed) return Promise.reject(new Error('WAL is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ parts, done: (err) => (err ? reject(err) : resolve()) });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue;
      this.queue = [];
      try {
        // Writing to the page cache is quick; only the fdatasync goes to the thread pool.
        for (const b of batch) writeRecordSync(this.fd, b.parts);
        await new Promise<void>((res, rej) => fs.fdatasync(this.fd, (e) => (e ? rej(e) : res())));
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err as Error);
      }
    }
    this.flushing = null;
  }

  /** Waits until every queued record is durable. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /**
   * Starts a new segment holding `checkpoint` (the head's full state) and
   * deletes the older segments, so the log stays as small as the head.
   * Records are framed straight into one reused buffer as they are produced:
   * building them all first held a second copy of the head (tens of MiB at
   * 10,000 series) and left the malloc heap fragmented at that size.
   */
  async checkpoint(checkpoint: Iterable<RecordParts>): Promise<void> {
    await this.drain();
    const next = this.segment + 1;
    const file = segmentPath(this.dir, next);
    const fd = fs.openSync(file, 'w');
    const out = new RecordWriter(fd);
    for (const parts of checkpoint) out.write(parts);
    out.flush();
    fs.fdatasyncSync(fd);
    const old = this.fd;
    this.fd = fd;
    const previous = this.segment;
    this.segment = next;
    fs.closeSync(old);
    for (const s of listSegments(this.dir)) if (s <= previous) fs.rmSync(segmentPath(this.dir, s));
    fsyncDir(this.dir);
  }

  sizeBytes(): number {
    let n = 0;
    for (const s of listSegments(this.dir)) n += fs.statSync(segmentPath(this.dir, s)).size;
    return n;
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/**
 * Writes one framed record (length, CRC, parts) with one writev: no copy of
 * the payload into a framed buffer, which doubled the WAL's allocations.
 */
function writeRecordSync(fd: number, parts: RecordParts, [len, crc] = frame(parts)): void {
  const head = Buffer.allocUnsafe(8);
  head.writeUInt32LE(len, 0);
  head.writeUInt32LE(crc, 4);
  const all = [head, ...parts];
  let written = fs.writevSync(fd, all);
  // A short write (rare): finish part by part from where it stopped.
  for (const p of all) {
    if (written >= p.length) {
      written -= p.length;
      continue;
    }
    writeAllSync(fd, Buffer.from(p.buffer, p.byteOffset + written, p.length - written));
    written = 0;
  }
}

/** A record's framing: payload length and CRC-32 over its parts. */
function frame(parts: RecordParts): [len: number, crc: number] {
  let len = 0;
  let crc = 0;
  for (const p of parts) {
    len += p.length;
    crc = crc32(p, crc);
  }
  return [len, crc];
}

function writeAllSync(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
}

/** One record given as parts that are written back to back (framed once, never concatenated). */
export type RecordParts = readonly Uint8Array[];

const WRITER_BYTES = 1 << 20;

/** Frames records into one buffer and writes it out whenever it fills. */
class RecordWriter {
  private buf = Buffer.allocUnsafe(WRITER_BYTES);
  private pos = 0;

  constructor(private readonly fd: number) {}

  write(parts: RecordParts): void {
    const [len, crc] = frame(parts);
    if (this.pos + 8 + len > this.buf.length) this.flush();
    if (8 + len > this.buf.length) {
      writeRecordSync(this.fd, parts, [len, crc]);
      return;
    }
    this.buf.writeUInt32LE(len, this.pos);
    this.buf.writeUInt32LE(crc, this.pos + 4);
    this.pos += 8;
    for (const p of parts) {
      this.buf.set(p, this.pos);
      this.pos += p.length;
    }
  }

  flush(): void {
    writeAllSync(this.fd, this.buf.subarray(0, this.pos));
    this.pos = 0;
  }
}

function segmentPath(dir: string, n: number): string {
  return path.join(dir, String(n).padStart(8, '0'));
}

function listSegments(dir: string): number[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{8}$/.test(f))
    .map(Number)
    .sort((a, b) => a - b);
}

export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Calls `onRecord` for every intact record, oldest segment first, and cuts a
 * torn tail off the last segment so later appends follow valid data.
 * Returns the number of the segment to keep appending to.
 */
export function replayWal(dir: string, onRecord: (payload: Buffer) => void): number {
  fs.mkdirSync(dir, { recursive: true });
  const segments = listSegments(dir);
  if (segments.length === 0) {
    fs.writeFileSync(segmentPath(dir, 1), '');
    return 1;
  }
  for (const s of segments) {
    const file = segmentPath(dir, s);
    const data = fs.readFileSync(file);
    let off = 0;
    while (off + 8 <= data.length) {
      const len = data.readUInt32LE(off);
      const end = off + 8 + len;
      if (end > data.length) break;
      const payload = data.subarray(off + 8, end);
      if (crc32(payload) !== data.readUInt32LE(off + 4)) break;
      onRecord(payload);
      off = end;
    }
    if (off < data.length) fs.truncateSync(file, off);
  }
  return segments[segments.length - 1]!;
}
