import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/** Where a queued request body lives, and what it holds. */
export interface QueuedRecord {
  segment: number;
  offset: number;
  length: number;
  samples: number;
  enqueuedAt: number;
  maxTimestamp: number;
}

const HEADER = 24; // u32 body length, u32 samples, f64 enqueued at, f64 newest sample timestamp
const SEGMENT_BYTES = 8 << 20;

function segmentName(n: number): string {
  return `${String(n).padStart(8, '0')}.seg`;
}

/**
 * The remote-write buffer on disk: encoded WriteRequest bodies appended to
 * numbered segment files, and a head position saved after each
 * acknowledged send. What is not acknowledged is sent again after a restart;
 * a record torn by a crash is cut off when the queue opens.
 */
export class DiskQueue {
  private records: QueuedRecord[] = [];
  private writeSegment = 1;
  private writeOffset = 0;
  private fd: number | undefined;
  private pending = 0;

  private constructor(private readonly dir: string) {}

  static open(dir: string): DiskQueue {
    mkdirSync(dir, { recursive: true });
    const q = new DiskQueue(dir);
    q.load();
    return q;
  }

  private load(): void {
    const segments = readdirSync(this.dir)
      .filter((n) => /^\d{8}\.seg$/.test(n))
      .map((n) => Number(n.slice(0, 8)))
      .sort((a, b) => a - b);
    let head = { segment: segments[0] ?? 1, offset: 0 };
    try {
      head = JSON.parse(readFileSync(join(this.dir, 'head.json'), 'utf8')) as typeof head;
    } catch {
      // No head yet: everything on disk is unsent.
    }
    for (const seg of segments) {
      if (seg < head.segment) {
        rmSync(join(this.dir, segmentName(seg)), { force: true });
        continue;
      }
      const path = join(this.dir, segmentName(seg));
      const buf = readFileSync(path);
      let pos = seg === head.segment ? head.offset : 0;
      let valid = pos;
      while (pos + HEADER <= buf.length) {
        const length = buf.readUInt32LE(pos);
        if (pos + HEADER + length > buf.length) break;
        this.records.push({
          segment: seg,
          offset: pos + HEADER,
          length,
          samples: buf.readUInt32LE(pos + 4),
          enqueuedAt: buf.readDoubleLE(pos + 8),
          maxTimestamp: buf.readDoubleLE(pos + 16),
        });
        this.pending += buf.readUInt32LE(pos + 4);
        pos += HEADER + length;
        valid = pos;
      }
      if (valid < buf.length && seg === segments[segments.length - 1]) {
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, Math.max(valid, seg === head.segment ? head.offset : 0));
        closeSync(fd);
      }
      this.writeSegment = seg;
      this.writeOffset = statSync(path).size;
    }
  }

  /** Appends one request body holding `samples` samples. */
  append(body: Uint8Array, samples: number, maxTimestamp: number): void {
    if (this.fd === undefined || this.writeOffset >= SEGMENT_BYTES) this.rotate();
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32LE(body.length, 0);
    header.writeUInt32LE(samples, 4);
    header.writeDoubleLE(Date.now(), 8);
    header.writeDoubleLE(maxTimestamp, 16);
    writeSync(this.fd!, header);
    writeSync(this.fd!, body);
    this.records.push({
      segment: this.writeSegment,
      offset: this.writeOffset + HEADER,
      length: body.length,
      samples,
      enqueuedAt: Date.now(),
      maxTimestamp,
    });
    this.writeOffset += HEADER + body.length;
    this.pending += samples;
  }

  private rotate(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.writeSegment++;
      this.writeOffset = 0;
    }
    this.fd = openSync(join(this.dir, segmentName(this.writeSegment)), 'a');
    this.writeOffset = statSync(join(this.dir, segmentName(this.writeSegment))).size;
  }

  /** The oldest records, as many as fit in `maxSamples` (at least one). */
  peek(maxSamples: number): QueuedRecord[] {
    const out: QueuedRecord[] = [];
    let samples = 0;
    for (const r of this.records) {
      if (out.length > 0 && samples + r.samples > maxSamples) break;
      out.push(r);
      samples += r.samples;
    }
    return out;
  }

  /** The bodies of `records`, in order. */
  read(records: readonly QueuedRecord[]): Buffer[] {
    const parts: Buffer[] = [];
    let fd: number | undefined;
    let fdSegment = -1;
    try {
      for (const r of records) {
        if (r.segment !== fdSegment) {
          if (fd !== undefined) closeSync(fd);
          fd = openSync(join(this.dir, segmentName(r.segment)), 'r');
          fdSegment = r.segment;
        }
        const buf = Buffer.allocUnsafe(r.length);
        readSync(fd!, buf, 0, r.length, r.offset);
        parts.push(buf);
      }
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return parts;
  }

  /** Drops the first `n` records for good: they were sent (or refused for good). */
  ack(n: number): void {
    const done = this.records.splice(0, n);
    for (const r of done) this.pending -= r.samples;
    const next = this.records[0];
    const head = next
      ? { segment: next.segment, offset: next.offset - HEADER }
      : { segment: this.writeSegment, offset: this.writeOffset };
    const tmp = join(this.dir, 'head.json.tmp');
    writeFileSync(tmp, JSON.stringify(head));
    renameSync(tmp, join(this.dir, 'head.json'));
    for (const name of readdirSync(this.dir)) {
      const m = /^(\d{8})\.seg$/.exec(name);
      if (m && Number(m[1]) < head.segment) rmSync(join(this.dir, name), { force: true });
    }
  }

  pendingSamples(): number {
    return this.pending;
  }

  size(): number {
    return this.records.length;
  }

  oldestEnqueuedAt(): number | undefined {
    return this.records[0]?.enqueuedAt;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
