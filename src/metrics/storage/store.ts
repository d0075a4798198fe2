import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { LabelMatcher, Labels } from '../../common/labels.js';
import type { SampleAppender } from '../appender.js';
import type { Querier } from '../queryable.js';
import { Block, writeBlock, type BlockSeriesInput } from './block.js';
import { HeadAppender } from './head-appender.js';
import { HeadChunkFiles } from './head-chunk-files.js';
import { HeapTrim } from '../../common/heap-trim.js';
import { HeadSeries, SAMPLES_PER_CHUNK, countSamples, type HeadChunk } from './head.js';
import { duplicate, outOfBounds, outOfOrder } from './errors.js';
import { SeriesIndex, compareEntries, type SeriesEntry } from './series-index.js';
import { StoreQuerier } from './querier.js';
import { Wal, fsyncDir, replayWal, type RecordParts } from './wal.js';
import {
  RecordType,
  decodeHeadChunk,
  decodeSeries,
  decodeTombstones,
  encodeSamples,
  encodeSeries,
  encodeTombstones,
  forEachSample,
  headChunkParts,
  type WalTombstone,
} from './wal-records.js';
import { XorChunkEncoder, chunkCount, decodeXorChunk } from './xor-chunk.js';
import { buildTsdbStatus, type TsdbStatus } from './tsdb-status.js';
import { mergedSeries, planMerge } from './compactor.js';
import { lockDir } from './dir-lock.js';
import type { MetricMetadata, MetricsStore, MetricsStoreOptions } from './types.js';

const DEFAULT_BLOCK_RANGE_MS = 2 * 3600 * 1000;

/**
 * The TSDB: series index + head (WAL-backed) + immutable blocks, laid out as
 * Prometheus's: `<dir>/wal/`, `<dir>/<ULID>/` blocks, `<dir>/snapshots/`.
 */
export class TsdbStore implements MetricsStore {
  readonly index = new SeriesIndex();
  private head = new Map<number, HeadSeries>();
  blocks: Block[] = [];
  private wal!: Wal;
  private chunkFiles!: HeadChunkFiles;
  private headMinT = Infinity;
  private headMaxT = -Infinity;
  /** Newest block's maxTime: the head starts here. */
  private blocksMaxT = -Infinity;
  private compaction: Promise<void> | null = null;
  private meta = new Map<string, MetricMetadata>();
  /** Series ids of one commit's samples, reused (the WAL record copies them). */
  private idScratch = new Uint32Array(0);
  /**
   * Remote-write bursts leave the old generation committed at several times
   * the live set (decoded requests promoted while their fsync was pending): a
   * quiet second after a commit, with the heap grown well past the last live
   * size, collects once; a steady scrape load below that never does. A few
   * more quiet seconds give back the young generation the burst grew (32 MiB
   * resident for nothing).
   */
  private readonly idle = new HeapTrim({
    idleLimitBytes: (live) => live * 1.5 + 32 * 1024 * 1024,
    settleYoung: true,
  });
  private readonly blockRange: number;
  private closed = false;
  private unlock: () => void = () => {};

  constructor(private readonly opts: MetricsStoreOptions) {
    this.blockRange = opts.blockRangeMs ?? DEFAULT_BLOCK_RANGE_MS;
  }

  get dir(): string {
    return this.opts.dir;
  }

  async open(): Promise<void> {
    const dir = this.opts.dir;
    fs.mkdirSync(dir, { recursive: true });
    this.unlock = lockDir(dir);
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      if (name.endsWith('.tmp')) fs.rmSync(full, { recursive: true, force: true });
      else if (/^[0-9A-Z]{26}$/.test(name) && fs.existsSync(path.join(full, 'meta.json'))) {
        this.blocks.push(Block.open(full, this.index));
      }
    }
    this.dropSupersededBlocks();
    this.sortBlocks();
    this.chunkFiles = new HeadChunkFiles(path.join(dir, 'chunks_head'), this.blockRange);
    this.replay();
    await this.wal.checkpoint(this.checkpointRecords());
    this.applyRetention();
    this.gcSeries();
  }

  /**
   * A crash after a merge but before deleting its inputs leaves both: a block
   * whose sources all belong to a higher-level block is dropped (Prometheus's rule).
   */
  private dropSupersededBlocks(): void {
    const keep = this.blocks.filter((b) => {
      const superseded = this.blocks.some(
        (c) =>
          c !== b &&
          c.meta.compaction.level > b.meta.compaction.level &&
          b.meta.compaction.sources.every((s) => c.meta.compaction.sources.includes(s)),
      );
      if (superseded) b.dropWhenUnused();
      return !superseded;
    });
    this.blocks = keep;
  }

  private sortBlocks(): void {
    this.blocks.sort((a, b) => a.meta.minTime - b.meta.minTime);
    this.blocksMaxT = this.blocks.length
      ? Math.max(...this.blocks.map((b) => b.meta.maxTime))
      : -Infinity;
  }

  /** Rebuilds the head from the WAL; ids in the log are the previous process's. */
  private replay(): void {
    const walDir = path.join(this.opts.dir, 'wal');
    const byWalId = new Map<number, SeriesEntry>();
    const last = replayWal(walDir, (payload) => {
      switch (payload[0] as RecordType) {
        case RecordType.Series:
          for (const s of decodeSeries(payload))
            byWalId.set(s.id, this.index.getOrCreate(s.labels));
          break;
        case RecordType.Samples:
        case RecordType.SamplesSnappy:
          forEachSample(payload, (id, t, hi, lo) => {
            const e = byWalId.get(id);
            if (e) this.replaySample(e, t, hi, lo);
          });
          break;
        case RecordType.Tombstones:
          for (const s of decodeTombstones(payload)) {
            const e = byWalId.get(s.id);
            const hs = e && this.head.get(e.id);
            if (hs) hs.deleteRange(s.mint, s.maxt, this.blockRange);
          }
          break;
        case RecordType.HeadChunk: {
          const { id, bytes } = decodeHeadChunk(payload);
          const e = byWalId.get(id);
          if (!e) break;
          const n = chunkCount(bytes);
          const ts = new Float64Array(n);
          const vs = new Float64Array(n);
          const got = decodeXorChunk(bytes, -Infinity, Infinity, ts, vs, 0);
          const words = new Uint32Array(vs.buffer);
          for (let i = 0; i < got; i++)
            this.replaySample(e, ts[i]!, words[i * 2 + 1]!, words[i * 2]!);
          break;
        }
      }
    });
    this.wal = Wal.open(walDir, last);
  }

  private replaySample(e: SeriesEntry, t: number, hi: number, lo: number): void {
    // Samples already persisted in a block (crash between block write and checkpoint).
    if (t < this.blocksMaxT) return;
    let hs = this.head.get(e.id);
    if (!hs) this.head.set(e.id, (hs = new HeadSeries(e, this.chunkFiles)));
    if (t <= hs.lastT) return;
    hs.append(t, hi, lo, this.blockRange);
    if (t < this.headMinT) this.headMinT = t;
    if (t > this.headMaxT) this.headMaxT = t;
  }

  /**
   * The head's whole state as WAL records, with this process's series ids,
   * produced one at a time for the WAL to frame as it goes.
   */
  private *checkpointRecords(): Generator<RecordParts> {
    let series: { id: number; labels: Labels }[] = [];
    for (const hs of this.head.values()) {
      hs.logged = true;
      series.push({ id: hs.entry.id, labels: hs.entry.labels });
      if (series.length === 1000) {
        yield [encodeSeries(series)];
        series = [];
      }
    }
    if (series.length) yield [encodeSeries(series)];
    for (const hs of this.head.values()) {
      for (const c of hs.chunks()) yield headChunkParts(hs.entry.id, c.bytes);
    }
  }

  appender(): SampleAppender {
    if (this.closed) throw new Error('metrics store is closed');
    return new HeadAppender({
      entryFor: (labels) => this.index.getOrCreate(labels),
      headSeries: (id) => this.head.get(id),
      minValidTime: () => this.minValidTime(),
      commitSamples: (entries, ts, his, los) => this.commitSamples(entries, ts, his, los),
    });
  }

  /** Prometheus's appendable minimum: not in a block, and within half a block range of the newest. */
  private minValidTime(): number {
    return Math.max(this.blocksMaxT, this.headMaxT - this.blockRange / 2);
  }

  private commitSamples(
    entries: SeriesEntry[],
    ts: Float64Array,
    words: Uint32Array,
    n: number,
  ): Promise<void> {
    // Re-check against commits that landed since append(): all or nothing.
    // Samples of one series are contiguous runs, in order; check each run's first.
    const minValid = this.minValidTime();
    for (let i = 0; i < n; i++) {
      const t = ts[i]!;
      if (t < minValid) return Promise.reject(outOfBounds());
      if (i > 0 && entries[i] === entries[i - 1]) continue;
      const last = this.head.get(entries[i]!.id)?.lastT ?? -Infinity;
      if (t < last) return Promise.reject(outOfOrder());
      if (t === last) return Promise.reject(duplicate());
    }
    const newSeries: { id: number; labels: Labels }[] = [];
    if (this.idScratch.length < n) this.idScratch = new Uint32Array(n * 2);
    const ids = this.idScratch;
    let hs: HeadSeries | undefined;
    let minT = this.headMinT;
    let maxT = this.headMaxT;
    for (let i = 0; i < n; i++) {
      const e = entries[i]!;
      if (!hs || hs.entry !== e) {
        hs = this.head.get(e.id);
        if (!hs) this.head.set(e.id, (hs = new HeadSeries(e, this.chunkFiles)));
        if (!hs.logged) {
          hs.logged = true;
          newSeries.push({ id: e.id, labels: e.labels });
        }
      }
      const t = ts[i]!;
      hs.append(t, words[i * 2 + 1]!, words[i * 2]!, this.blockRange);
      if (t < minT) minT = t;
      if (t > maxT) maxT = t;
      ids[i] = e.id;
    }
    this.headMinT = minT;
    this.headMaxT = maxT;
    const logged: Promise<void>[] = [];
    if (newSeries.length) logged.push(this.wal.log([encodeSeries(newSeries)]));
    logged.push(this.wal.log(encodeSamples(ids, ts, words, n)));
    this.maybeCompact();
    this.idle.touch();
    return Promise.all(logged).then(() => undefined);
  }

  async querier(mintMs: number, maxtMs: number): Promise<Querier> {
    const blocks = this.blocks.filter((b) => b.meta.maxTime > mintMs && b.meta.minTime <= maxtMs);
    for (const b of blocks) b.refs++;
    return new StoreQuerier(
      {
        index: this.index,
        blocks,
        headSeries: (id) => this.head.get(id),
        readHeadChunks: (reads) => this.chunkFiles.readMany(reads),
        release: (bs) => bs.forEach((b) => b.release()),
        bounds: () => [
          Math.min(this.blocks[0]?.meta.minTime ?? Infinity, this.headMinT),
          Math.max(this.blocksMaxT, this.headMaxT),
        ],
      },
      mintMs,
      maxtMs,
    );
  }

  private maybeCompact(): void {
    if (this.compaction || this.closed) return;
    if (!(this.headMaxT - this.headMinT > this.blockRange * 1.5)) return;
    this.compaction = this.compact()
      .catch((err) => this.opts.logger?.error({ err }, 'compaction failed'))
      .finally(() => {
        this.compaction = null;
      });
  }

  /**
   * Cuts the oldest block-range windows out of the head into blocks while the
   * head spans more than 1.5 ranges (Prometheus's rule), then checkpoints the
   * WAL and applies retention.
   */
  async compact(): Promise<void> {
    let cut = false;
    while (this.headMaxT - this.headMinT > this.blockRange * 1.5) {
      const mint = Math.floor(this.headMinT / this.blockRange) * this.blockRange;
      await this.persistHead(mint, mint + this.blockRange);
      cut = true;
    }
    if (!cut) return;
    await this.wal.checkpoint(this.checkpointRecords());
    await this.mergeBlocks();
    this.applyRetention();
    this.gcSeries();
  }

  private async persistHead(mint: number, maxt: number): Promise<void> {
    const entries = [...this.head.values()].sort((a, b) => compareEntries(a.entry, b.entry));
    // Read from the chunk files series by series as the block is written.
    function* series(): Generator<BlockSeriesInput> {
      for (const hs of entries) {
        const chunks = hs.chunksBefore(maxt);
        if (chunks.length) yield blockInput(hs, chunks, (c) => c.bytes);
      }
    }
    // The chunks stay queryable in the head while the block is written; the
    // swap below runs without an await, so no query sees both or neither.
    // Chunks are cut at window boundaries: one starting before maxt ends before it.
    if (entries.some((hs) => (hs.firstT ?? Infinity) < maxt)) {
      const meta = await writeBlock(this.opts.dir, mint, maxt, series());
      this.blocks.push(Block.open(path.join(this.opts.dir, meta.ulid), this.index));
    }
    for (const hs of entries) hs.dropBefore(maxt);
    this.chunkFiles.dropBefore(maxt);
    this.blocksMaxT = Math.max(this.blocksMaxT, maxt);
    this.sortBlocks();
    let minT = Infinity;
    for (const [id, hs] of this.head) {
      const first = hs.firstT;
      if (first === undefined) {
        if (hs.lastT < maxt) this.head.delete(id);
        continue;
      }
      if (first < minT) minT = first;
    }
    this.headMinT = minT;
    if (minT === Infinity) this.headMaxT = -Infinity;
  }

  /** Merges completed windows of blocks into larger blocks until none is left to merge. */
  private async mergeBlocks(): Promise<void> {
    const retention = this.opts.retentionMs > 0 ? this.opts.retentionMs : 15 * 86400_000;
    const maxRange = Math.min(retention / 10, 31 * 86400_000);
    for (;;) {
      const group = planMerge(this.blocks, this.blockRange, maxRange, this.blocksMaxT);
      if (!group) return;
      const first = group.reduce((a, b) => (a.meta.minTime < b.meta.minTime ? a : b));
      const last = group.reduce((a, b) => (a.meta.maxTime > b.meta.maxTime ? a : b));
      const sources = group.flatMap((b) => b.meta.compaction.sources);
      const level = Math.max(...group.map((b) => b.meta.compaction.level)) + 1;
      const meta = await writeBlock(
        this.opts.dir,
        first.meta.minTime,
        last.meta.maxTime,
        mergedSeries(group, this.index),
        sources,
        level,
      );
      const merged = Block.open(path.join(this.opts.dir, meta.ulid), this.index);
      this.blocks = [...this.blocks.filter((b) => !group.includes(b)), merged];
      this.sortBlocks();
      for (const b of group) b.dropWhenUnused();
    }
  }

  /** Drops whole blocks beyond the time or size retention, oldest first. */
  private applyRetention(): void {
    const { retentionMs, retentionBytes } = this.opts;
    const newest = this.blocksMaxT;
    const keep: Block[] = [];
    const byNewest = [...this.blocks].reverse();
    let bytes = retentionBytes ? this.wal.sizeBytes() : 0;
    let over = false;
    for (const b of byNewest) {
      let drop = over || (retentionMs > 0 && newest - b.meta.maxTime > retentionMs);
      if (!drop && retentionBytes) {
        bytes += b.sizeBytes();
        if (bytes > retentionBytes) drop = over = true;
      }
      if (drop) {
        this.opts.logger?.info({ block: b.meta.ulid }, 'deleting block beyond retention');
        b.dropWhenUnused();
      } else keep.push(b);
    }
    if (keep.length !== this.blocks.length) {
      this.blocks = keep.reverse();
    }
  }

  /** Forgets series that have no samples left anywhere. */
  private gcSeries(): void {
    const live = new Set<number>();
    for (const id of this.head.keys()) live.add(id);
    for (const b of this.blocks) for (const id of b.seriesIds()) live.add(id);
    // A series that never got a sample may belong to an appender not yet
    // committed: it survives one collection, so only abandoned ones go.
    this.index.retain((e) => {
      if (live.has(e.id)) return true;
      if (e.minT !== Infinity || e.spared) return false;
      e.spared = true;
      return true;
    });
  }

  async deleteSeries(matchers: LabelMatcher[][], startMs: number, endMs: number): Promise<void> {
    const ids = new Set<number>();
    for (const set of matchers) for (const id of this.index.match(set)) ids.add(id);
    const stones: WalTombstone[] = [];
    const touched = new Set<Block>();
    for (const id of ids) {
      const e = this.index.get(id)!;
      const hs = this.head.get(id);
      if (hs) {
        hs.deleteRange(startMs, endMs, this.blockRange);
        stones.push({ id, mint: startMs, maxt: endMs });
      }
      for (const b of this.blocks) {
        if (b.meta.maxTime <= startMs || b.meta.minTime > endMs || b.row(id) < 0) continue;
        b.addTombstones([{ id, labels: e.labels, interval: { mint: startMs, maxt: endMs } }]);
        touched.add(b);
      }
    }
    for (const b of touched) b.persistTombstones((id) => this.index.get(id)!.labels);
    if (stones.length) await this.wal.log([encodeTombstones(stones)]);
  }

  /** Rewrites blocks with tombstones without the deleted samples. */
  async cleanTombstones(): Promise<void> {
    for (const b of [...this.blocks]) {
      if (b.tombstones.size === 0) continue;
      const series: BlockSeriesInput[] = [];
      const entries = [...b.seriesIds()].map((id) => this.index.get(id)!).sort(compareEntries);
      const q = new StoreQuerier(
        {
          index: this.index,
          blocks: [b],
          headSeries: () => undefined,
          readHeadChunks: () => {},
          release: () => {},
          bounds: () => [b.meta.minTime, b.meta.maxTime],
        },
        b.meta.minTime,
        b.meta.maxTime,
      );
      for (const e of entries) {
        const s = rechunk(q, e);
        if (s) series.push(s);
      }
      const meta = await writeBlock(this.opts.dir, b.meta.minTime, b.meta.maxTime, series, [
        b.meta.ulid,
      ]);
      const next = Block.open(path.join(this.opts.dir, meta.ulid), this.index);
      this.blocks = this.blocks.map((x) => (x === b ? next : x));
      b.dropWhenUnused();
    }
    this.sortBlocks();
    this.gcSeries();
  }

  async snapshot(dir: string, skipHead: boolean): Promise<string> {
    const now = new Date();
    const stamp = now
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const name = `${stamp}-${randomBytes(8).toString('hex')}`;
    const target = path.join(dir, name);
    fs.mkdirSync(target, { recursive: true });
    for (const b of this.blocks) {
      const dest = path.join(target, path.basename(b.dir));
      fs.mkdirSync(dest);
      for (const f of fs.readdirSync(b.dir)) {
        try {
          fs.linkSync(path.join(b.dir, f), path.join(dest, f));
        } catch {
          fs.copyFileSync(path.join(b.dir, f), path.join(dest, f));
        }
      }
    }
    if (!skipHead && this.head.size) {
      const series: BlockSeriesInput[] = [];
      const entries = [...this.head.values()].sort((a, b) => compareEntries(a.entry, b.entry));
      for (const hs of entries) {
        const chunks = hs.chunks();
        if (chunks.length) series.push(blockInput(hs, chunks, (c) => c.bytes.slice()));
      }
      if (series.length) await writeBlock(target, this.headMinT, this.headMaxT + 1, series);
    }
    fsyncDir(dir);
    return name;
  }

  async tsdbStatus(limit: number): Promise<TsdbStatus> {
    let chunks = 0;
    const entries: SeriesEntry[] = [];
    for (const hs of this.head.values()) {
      chunks += hs.chunkCount;
      entries.push(hs.entry);
    }
    return buildTsdbStatus(entries, limit, {
      chunkCount: chunks,
      minTime: this.headMinT,
      maxTime: this.headMaxT,
    });
  }

  async diskBytes(): Promise<number> {
    let n = this.wal.sizeBytes();
    for (const b of this.blocks) n += b.sizeBytes();
    return n;
  }

  setMetadata(metric: string, md: MetricMetadata): void {
    this.meta.set(metric, md);
  }

  metadata(): Map<string, MetricMetadata> {
    return this.meta;
  }

  /** Head and block counts, for the store's own metrics and tests. */
  stats(): { headSeries: number; blocks: number; series: number } {
    return { headSeries: this.head.size, blocks: this.blocks.length, series: this.index.size };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.idle.stop();
    while (this.compaction) await this.compaction;
    await this.wal.close();
    this.chunkFiles.close();
    for (const b of this.blocks) if (b.refs === 0) b.close();
    this.unlock();
  }
}

/** A head series' chunks (at least one, oldest first) as block input. */
function blockInput(
  hs: HeadSeries,
  chunks: HeadChunk[],
  bytes: (c: HeadChunk) => Uint8Array,
): BlockSeriesInput {
  return {
    labels: hs.entry.labels,
    chunks: chunks.map(bytes),
    minT: chunks[0]!.minT,
    maxT: chunks[chunks.length - 1]!.maxT,
    samples: countSamples(chunks),
  };
}

/** A series' surviving samples re-encoded into fresh chunks. */
function rechunk(q: StoreQuerier, e: SeriesEntry): BlockSeriesInput | null {
  const s = q.readSeries(e);
  if (!s) return null;
  const chunks: Uint8Array[] = [];
  let enc = new XorChunkEncoder();
  const words = new Uint32Array(s.values.buffer, s.values.byteOffset, s.values.length * 2);
  for (let i = 0; i < s.timestamps.length; i++) {
    if (enc.count >= SAMPLES_PER_CHUNK) {
      chunks.push(enc.finish());
      enc = new XorChunkEncoder();
    }
    enc.append(s.timestamps[i]!, words[i * 2 + 1]!, words[i * 2]!);
  }
  if (enc.count) chunks.push(enc.finish());
  return {
    labels: e.labels,
    chunks,
    minT: s.timestamps[0]!,
    maxT: s.timestamps[s.timestamps.length - 1]!,
    samples: s.timestamps.length,
  };
}
