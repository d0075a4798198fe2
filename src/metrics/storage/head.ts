import { XorChunkEncoder, chunkCount, decodeXorChunk } from './xor-chunk.js';
import type { SeriesEntry } from './series-index.js';

/** Samples per chunk, as Prometheus: small enough to decode cheaply, large enough to compress. */
export const SAMPLES_PER_CHUNK = 120;

export interface HeadChunk {
  bytes: Uint8Array;
  minT: number;
  maxT: number;
  count: number;
}

/**
 * Closed head chunks are copied into shared 64 KiB pages rather than each
 * getting its own ArrayBuffer: tens of thousands of small mallocs fragment the
 * heap and cost far more RSS than the bytes they hold. Chunks leave the head
 * oldest first, so pages empty out roughly in order and are then collected.
 */
const PAGE_BYTES = 64 * 1024;
let page = new Uint8Array(PAGE_BYTES);
let pageUsed = 0;

function toPage(bytes: Uint8Array): Uint8Array {
  if (bytes.length > PAGE_BYTES / 8) return bytes.slice();
  if (pageUsed + bytes.length > PAGE_BYTES) {
    page = new Uint8Array(PAGE_BYTES);
    pageUsed = 0;
  }
  const view = page.subarray(pageUsed, pageUsed + bytes.length);
  view.set(bytes);
  pageUsed += bytes.length;
  return view;
}

/** One series' recent samples: closed chunks plus the one being appended to. */
export class HeadSeries {
  closed: HeadChunk[] = [];
  open: XorChunkEncoder | null = null;
  /** The encoder kept for reuse once its chunk is closed. */
  private spare: XorChunkEncoder | null = null;
  lastT = -Infinity;
  lastHi = 0;
  lastLo = 0;
  /** Whether the WAL already holds this series' labels. */
  logged = false;

  constructor(readonly entry: SeriesEntry) {}

  get empty(): boolean {
    return this.closed.length === 0 && this.open === null;
  }

  /** Appends a sample known to be newer than lastT; cuts chunks at block boundaries. */
  append(t: number, hi: number, lo: number, blockRangeMs: number): void {
    let open = this.open;
    if (
      open &&
      (open.count >= SAMPLES_PER_CHUNK ||
        Math.floor(t / blockRangeMs) !== Math.floor(open.minT / blockRangeMs))
    ) {
      this.closeOpen();
      open = null;
    }
    if (!open) {
      // 64 bytes fit V8's on-heap typed arrays (no malloc'd backing store): a
      // series with few samples costs ~0.4 KB less; a busy one grows its buffer
      // once and keeps it as the spare for later chunks.
      open = this.open = this.spare ?? new XorChunkEncoder(64);
      this.spare = null;
    }
    open.append(t, hi, lo);
    this.lastT = t;
    this.lastHi = hi;
    this.lastLo = lo;
    if (t < this.entry.minT) this.entry.minT = t;
    if (t > this.entry.maxT) this.entry.maxT = t;
  }

  closeOpen(): void {
    const open = this.open;
    if (!open) return;
    this.closed.push({
      bytes: toPage(open.bytes.subarray(0, open.byteLength)),
      minT: open.minT,
      maxT: open.maxT,
      count: open.count,
    });
    open.reset();
    this.spare = open;
    this.open = null;
  }

  /** Every chunk, oldest first, the open one as a snapshot of its current bytes. */
  chunks(): HeadChunk[] {
    if (!this.open) return this.closed;
    const o = this.open;
    return [
      ...this.closed,
      { bytes: o.bytes.subarray(0, o.byteLength), minT: o.minT, maxT: o.maxT, count: o.count },
    ];
  }

  /**
   * Chunks wholly before `boundary`, closed so their bytes no longer change.
   * They stay in the head (still queried) until `dropBefore` once persisted.
   */
  chunksBefore(boundary: number): HeadChunk[] {
    if (this.open && this.open.maxT < boundary) this.closeOpen();
    let i = 0;
    while (i < this.closed.length && this.closed[i]!.maxT < boundary) i++;
    return this.closed.slice(0, i);
  }

  dropBefore(boundary: number): void {
    let i = 0;
    while (i < this.closed.length && this.closed[i]!.maxT < boundary) i++;
    this.closed.splice(0, i);
  }

  /** Drops samples in [mint, maxt] by re-encoding the affected chunks (a head tombstone). */
  deleteRange(mint: number, maxt: number, blockRangeMs: number): void {
    const chunks = this.chunks();
    if (!chunks.some((c) => c.maxT >= mint && c.minT <= maxt)) return;
    const total = chunks.reduce((n, c) => n + c.count, 0);
    const ts = new Float64Array(total);
    const vs = new Float64Array(total);
    let n = 0;
    for (const c of chunks) n = decodeXorChunk(c.bytes, -Infinity, Infinity, ts, vs, n);
    const words = new Uint32Array(vs.buffer);
    const { lastT, lastHi, lastLo } = this;
    this.closed = [];
    this.open = null;
    for (let i = 0; i < n; i++) {
      const t = ts[i]!;
      if (t >= mint && t <= maxt) continue;
      this.append(t, words[i * 2 + 1]!, words[i * 2]!, blockRangeMs);
    }
    // Deleting never reopens the past for appends: keep the newest accepted time.
    this.lastT = lastT;
    this.lastHi = lastHi;
    this.lastLo = lastLo;
  }
}

export function countSamples(chunks: { bytes: Uint8Array }[]): number {
  let n = 0;
  for (const c of chunks) n += chunkCount(c.bytes);
  return n;
}
