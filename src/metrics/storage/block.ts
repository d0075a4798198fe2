import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Labels } from '../../common/labels.js';
import { fsyncDir } from './wal.js';
import type { SeriesIndex } from './series-index.js';

/**
 * An immutable block: one time range [minTime, maxTime) of samples, chunks
 * laid out series by series (sorted by labels) in one `chunks` file so a long
 * range over few series reads one contiguous run per block. `index` holds
 * each series' labels and byte range (gzip'd JSON: labels repeat, and it is
 * read once at open). Blocks are named by ULID and carry a Prometheus-like
 * meta.json.
 */
export interface BlockMeta {
  ulid: string;
  minTime: number;
  maxTime: number;
  stats: { numSamples: number; numSeries: number; numChunks: number };
  compaction: { level: number; sources: string[] };
  version: 1;
}

export interface BlockSeriesInput {
  labels: Labels;
  chunks: Uint8Array[];
  minT: number;
  maxT: number;
  samples: number;
}

type IndexRow = [Labels, number, number, number, number];

const WRITE_BUFFER_BYTES = 1 << 20;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function newUlid(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (const b of randomBytes(16)) rand += CROCKFORD[b % 32];
  return time + rand;
}

/**
 * Writes a block atomically (temp dir, fsync, rename) and returns its meta.
 * `series` (sorted by labels) is consumed as it is written, so merging large
 * blocks never holds them in memory; every half megabyte the event loop gets a turn.
 */
export async function writeBlock(
  parent: string,
  minTime: number,
  maxTime: number,
  series: Iterable<BlockSeriesInput>,
  sources?: string[],
  level = 1,
): Promise<BlockMeta> {
  const ulid = newUlid();
  const tmp = path.join(parent, `${ulid}.tmp`);
  fs.mkdirSync(tmp, { recursive: true });
  const rows: IndexRow[] = [];
  const fd = fs.openSync(path.join(tmp, 'chunks'), 'w');
  let offset = 0;
  let numSamples = 0;
  let numChunks = 0;
  // One reused buffer instead of a concatenation per megabyte: fresh 1 MiB
  // buffers per flush fragmented the malloc heap for the process's lifetime.
  const out = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  let used = 0;
  const flush = (): void => {
    let off = 0;
    while (off < used) off += fs.writeSync(fd, out, off, used - off);
    used = 0;
  };
  for (const s of series) {
    const start = offset;
    for (const c of s.chunks) {
      if (used + 2 + c.length > out.length) flush();
      out.writeUInt16LE(c.length, used);
      out.set(c, used + 2);
      used += 2 + c.length;
      offset += 2 + c.length;
      numChunks++;
    }
    numSamples += s.samples;
    rows.push([s.labels, start, offset - start, s.minT, s.maxT]);
    if (used > WRITE_BUFFER_BYTES / 2) {
      flush();
      await new Promise((r) => setImmediate(r));
    }
  }
  flush();
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  const meta: BlockMeta = {
    ulid,
    minTime,
    maxTime,
    stats: { numSamples, numSeries: rows.length, numChunks },
    compaction: { level, sources: sources ?? [ulid] },
    version: 1,
  };
  writeSynced(path.join(tmp, 'index'), gzipSync(JSON.stringify(rows)));
  writeSynced(path.join(tmp, 'meta.json'), JSON.stringify(meta, null, 2));
  fsyncDir(tmp);
  fs.renameSync(tmp, path.join(parent, ulid));
  fsyncDir(parent);
  return meta;
}

function writeSynced(file: string, data: string | Buffer): void {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
}

export interface Interval {
  mint: number;
  maxt: number;
}

/** An open block: its series' byte ranges keyed by global series id. */
export class Block {
  /** Global series ids, ascending; `pos[i]` is that series' row. */
  private ids: Int32Array;
  private pos: Int32Array;
  private offsets: Float64Array;
  private lengths: Uint32Array;
  readonly seriesMinT: Float64Array;
  readonly seriesMaxT: Float64Array;
  private fd: number;
  tombstones = new Map<number, Interval[]>();
  /** Open queriers reading this block; a dropped block is removed when none remain. */
  refs = 0;
  dropped = false;

  private constructor(
    readonly dir: string,
    readonly meta: BlockMeta,
    rows: IndexRow[],
    index: SeriesIndex,
  ) {
    const n = rows.length;
    const order: [number, number][] = [];
    this.offsets = new Float64Array(n);
    this.lengths = new Uint32Array(n);
    this.seriesMinT = new Float64Array(n);
    this.seriesMaxT = new Float64Array(n);
    rows.forEach(([labels, off, len, minT, maxT], i) => {
      const entry = index.getOrCreate(labels);
      if (minT < entry.minT) entry.minT = minT;
      if (maxT > entry.maxT) entry.maxT = maxT;
      order.push([entry.id, i]);
      this.offsets[i] = off;
      this.lengths[i] = len;
      this.seriesMinT[i] = minT;
      this.seriesMaxT[i] = maxT;
    });
    order.sort((a, b) => a[0] - b[0]);
    this.ids = Int32Array.from(order, (o) => o[0]);
    this.pos = Int32Array.from(order, (o) => o[1]);
    this.fd = fs.openSync(path.join(dir, 'chunks'), 'r');
    const stones = path.join(dir, 'tombstones.json');
    if (fs.existsSync(stones)) {
      const parsed = JSON.parse(fs.readFileSync(stones, 'utf8')) as [Labels, Interval[]][];
      for (const [labels, intervals] of parsed) {
        this.tombstones.set(index.getOrCreate(labels).id, intervals);
      }
    }
  }

  static open(dir: string, index: SeriesIndex): Block {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as BlockMeta;
    const rows = JSON.parse(gunzipSync(fs.readFileSync(path.join(dir, 'index'))).toString());
    return new Block(dir, meta, rows as IndexRow[], index);
  }

  /** Global ids of every series in the block. */
  seriesIds(): Int32Array {
    return this.ids;
  }

  row(id: number): number {
    let lo = 0;
    let hi = this.ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.ids[mid]!;
      if (v === id) return this.pos[mid]!;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The series' oldest sample time in this block (Infinity when absent). */
  seriesMin(id: number): number {
    const r = this.row(id);
    return r < 0 ? Infinity : this.seriesMinT[r]!;
  }

  /** The series' newest sample time in this block (-Infinity when absent). */
  seriesMax(id: number): number {
    const r = this.row(id);
    return r < 0 ? -Infinity : this.seriesMaxT[r]!;
  }

  /**
   * The series' chunks, or none when it is absent or outside [mint, maxt].
   * With `scratch`, they are views into its reused buffer (grown as needed),
   * valid until the next call with the same scratch.
   */
  chunks(id: number, mint: number, maxt: number, scratch?: { buf: Buffer }): Uint8Array[] {
    const r = this.row(id);
    if (r < 0 || this.seriesMaxT[r]! < mint || this.seriesMinT[r]! > maxt) return [];
    const len = this.lengths[r]!;
    if (scratch && scratch.buf.length < len) {
      scratch.buf = Buffer.allocUnsafe(Math.max(len, scratch.buf.length * 2));
    }
    const buf = scratch ? scratch.buf : Buffer.allocUnsafe(len);
    fs.readSync(this.fd, buf, 0, len, this.offsets[r]!);
    const out: Uint8Array[] = [];
    for (let off = 0; off < len;) {
      const n = buf.readUInt16LE(off);
      out.push(buf.subarray(off + 2, off + 2 + n));
      off += 2 + n;
    }
    return out;
  }

  addTombstones(entries: { id: number; labels: Labels; interval: Interval }[]): void {
    for (const e of entries) {
      if (this.row(e.id) < 0) continue;
      const list = this.tombstones.get(e.id) ?? [];
      list.push(e.interval);
      this.tombstones.set(e.id, list);
    }
  }

  persistTombstones(labelsOf: (id: number) => Labels): void {
    const file = path.join(this.dir, 'tombstones.json');
    if (this.tombstones.size === 0) {
      fs.rmSync(file, { force: true });
      return;
    }
    const rows = [...this.tombstones].map(([id, iv]) => [labelsOf(id), iv]);
    writeSynced(`${file}.tmp`, JSON.stringify(rows));
    fs.renameSync(`${file}.tmp`, file);
  }

  sizeBytes(): number {
    let n = 0;
    for (const f of fs.readdirSync(this.dir)) n += fs.statSync(path.join(this.dir, f)).size;
    return n;
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  /** Deletes the block's files once no querier reads it. */
  dropWhenUnused(): void {
    this.dropped = true;
    if (this.refs === 0) this.remove();
  }

  release(): void {
    this.refs--;
    if (this.dropped && this.refs === 0) this.remove();
  }

  private remove(): void {
    this.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
