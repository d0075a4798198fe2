import { XorChunkEncoder, chunkCount, decodeXorChunk } from './xor-chunk.js';
import type { HeadChunkFiles, StoredChunk } from './head-chunk-files.js';
import type { SeriesEntry } from './series-index.js';

/** Samples per chunk, as Prometheus: small enough to decode cheaply, large enough to compress. */
export const SAMPLES_PER_CHUNK = 120;

export interface HeadChunk {
  bytes: Uint8Array;
  minT: number;
  maxT: number;
  count: number;
}

/** Numbers kept per closed chunk in `HeadSeries.closed`. */
const CLOSED_STRIDE = 4;

const NOT_READ = new Uint8Array(0);

/** One series' recent samples: closed chunks (on disk) plus the one being appended to. */
export class HeadSeries {
  /**
   * Closed chunks, oldest first, CLOSED_STRIDE numbers each (position in the
   * chunk files, minT, maxT, count * 65536 + byte length): one flat array of
   * doubles instead of an object and a byte view per chunk.
   */
  private closed: number[] = [];
  open: XorChunkEncoder | null = null;
  /** The encoder kept for reuse once its chunk is closed. */
  private spare: XorChunkEncoder | null = null;
  lastT = -Infinity;
  lastHi = 0;
  lastLo = 0;
  /** Whether the WAL already holds this series' labels. */
  logged = false;

  constructor(
    readonly entry: SeriesEntry,
    private readonly files: HeadChunkFiles,
  ) {}

  /** How many chunks the series has in the head, the open one included. */
  get chunkCount(): number {
    return this.closed.length / CLOSED_STRIDE + (this.open ? 1 : 0);
  }

  /** The oldest sample time still in the head, undefined when it has none. */
  get firstT(): number | undefined {
    return this.closed.length ? this.closed[1] : this.open?.minT;
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
    const length = open.byteLength;
    const ref = this.files.write(open.minT, open.bytes.subarray(0, length));
    this.closed.push(ref, open.minT, open.maxT, open.count * 65536 + length);
    open.reset();
    this.spare = open;
    this.open = null;
  }

  /**
   * Chunks overlapping [mint, maxt] that `needed` accepts, oldest first, the
   * open one as a view of its current bytes; closed ones are read from disk
   * only when wanted. With `deferred`, closed ones are only listed there, for
   * the caller to read many series' chunks at once (HeadChunkFiles.readMany)
   * before using their bytes.
   */
  chunks(
    mint = -Infinity,
    maxt = Infinity,
    needed?: (minT: number, maxT: number) => boolean,
    deferred?: StoredChunk[],
  ): HeadChunk[] {
    const out: HeadChunk[] = [];
    const reads = deferred ?? [];
    const c = this.closed;
    for (let i = 0; i < c.length; i += CLOSED_STRIDE) {
      const minT = c[i + 1]!;
      const maxT = c[i + 2]!;
      if (maxT < mint || minT > maxt || (needed && !needed(minT, maxT))) continue;
      const packed = c[i + 3]!;
      const length = packed % 65536;
      const chunk = {
        bytes: NOT_READ,
        minT,
        maxT,
        count: (packed - length) / 65536,
        ref: c[i]!,
        length,
      };
      out.push(chunk);
      reads.push(chunk);
    }
    if (!deferred && reads.length) this.files.readMany(reads);
    const o = this.open;
    if (o && o.maxT >= mint && o.minT <= maxt && (!needed || needed(o.minT, o.maxT))) {
      const bytes = o.bytes.subarray(0, o.byteLength);
      out.push({ bytes, minT: o.minT, maxT: o.maxT, count: o.count });
    }
    return out;
  }

  /**
   * Chunks wholly before `boundary`, closed so their bytes no longer change.
   * They stay in the head (still queried) until `dropBefore` once persisted.
   */
  chunksBefore(boundary: number): HeadChunk[] {
    if (this.open && this.open.maxT < boundary) this.closeOpen();
    const n = this.closedBefore(boundary);
    if (n === 0) return [];
    return this.chunks(-Infinity, this.closed[n - CLOSED_STRIDE + 2]!).slice(0, n / CLOSED_STRIDE);
  }

  dropBefore(boundary: number): void {
    this.closed.splice(0, this.closedBefore(boundary));
  }

  /** How many numbers of `closed` belong to chunks ending before `boundary`. */
  private closedBefore(boundary: number): number {
    const c = this.closed;
    let i = 0;
    while (i < c.length && c[i + 2]! < boundary) i += CLOSED_STRIDE;
    return i;
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
