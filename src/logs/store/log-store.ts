import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { LabelMatcher, Labels } from '../../common/labels.js';
import type {
  BucketRequest,
  ExtractedRequest,
  ExtractedSeries,
  LogReader,
  SelectLogsRequest,
  StoredEntry,
  StreamBuckets,
} from '../reader.js';
import type { LogSink, LogStream } from '../sink.js';
import { BlockBlooms } from './block-blooms.js';
import type { HeapTrim } from '../../common/heap-trim.js';
import { BulkFreePolicy, SCAN_BULK_FREE_THRESHOLD } from './bulk-free-policy.js';
import { GlobalSettings } from './global-settings.js';
import { MemoryBudget } from './memory-budget.js';
import { ReadGate } from './read-gate.js';
import { StreamCatalog, type StreamInfo } from './catalog.js';
import { DayBatch } from './day-batch.js';
import { EntryWriter } from './entry-writer.js';
import { extractedAggregation } from './extracted-aggregation.js';
import { scanInWindows, type ScanDensity, type ScanWindow } from './scan-windows.js';
import { SegmentLog, type SegmentFile } from './segment-log.js';
import {
  DAY_NS,
  dayOf,
  daysInRange,
  HOUR_NS,
  hourOf,
  partitionDay,
  partitionDb,
  partitionFile,
  partitionTables,
} from './partitions.js';
import { aggregateSql, selectSql, unionSql } from './queries.js';
import { matcherSql, sqlString } from './sql.js';

export interface LogStoreOptions {
  /** Directory of the database files (created if missing). */
  dir: string;
  /**
   * DuckDB's buffer-pool limit (default 40MB): bounds the store's memory; sorts
   * spill to disk. The pool keeps what scans read until the limit, so the limit
   * is what a busy role holds: in bench:logs the role's peak RSS while querying
   * was 220-228 MiB at 64MB, 200-207 at 48-52MB, 194-199 at 44MB and 191-197
   * at 40MB (with BulkFreePolicy's 256 KiB, which took 44MB to 203). A
   * filtered rate over a third of the streams' lines took ~1.4x as long at
   * 44MB as at 64MB, its blocks no longer all cached; at 40MB it is as fast
   * as at 44MB, where it already read them again every time.
   */
  memoryLimit?: string;
  /**
   * The limit for work that ran out of memory at `memoryLimit`, run once more
   * (default 64MB; see MemoryBudget): loads beside queries, a day's settle;
   * every statement on the writer connection and every read goes through it.
   */
  burstMemoryLimit?: string;
  /** DuckDB worker threads for scans. */
  threads?: number;
  /** Trims the V8 heap during long reads (a query streaming millions of lines). */
  heapTrim?: HeapTrim;
}

/** Streams as they were stored by one push, for live tailing. */
export type AppendListener = (streams: LogStream[]) => void;

interface PendingWrite {
  days: Map<number, DayBatch>;
  created: StreamInfo[];
  accepted: LogStream[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

const DB_FILE = 'logs.duckdb';
/** Limits up to this are answered by a top-N query per window. */
const TOP_N_LIMIT = 10_000;
/** Matching entries per window of an unlimited scan (bounds the sort's memory). */
const WINDOW_ROWS = 40_000;
const WAL_DIR = 'wal';
/** A segment generation is loaded into DuckDB once it holds this much or is this old. */
const SEGMENT_BYTES = 4 * 1024 * 1024;
const SEGMENT_AGE_MS = 1000;
/** How long settling a day waits for running queries before trying another time. */
const SWAP_WAIT_MS = 10_000;

/**
 * The log store: streams in DuckDB's main database, entries in one attached
 * database per day. Pushes from any number of clients are group-committed
 * to obs's own write-ahead log (fsync'd CSV segments) and acknowledged;
 * segments are bulk-loaded into DuckDB in the background, and every read
 * first loads what is pending, so reads see every acknowledged write. Each
 * query runs on a connection of its own, so a long scan never holds up a
 * write (DuckDB's MVCC lets both proceed).
 */
export class LogStore implements LogSink, LogReader {
  private readonly catalog = new StreamCatalog();
  private readonly days = new Set<number>();
  private readonly retired = new Set<number>();
  private readonly listeners = new Set<AppendListener>();
  private readonly blooms = new BlockBlooms();
  private readonly gate = new ReadGate();
  private pending: PendingWrite[] = [];
  private draining: Promise<void> | undefined;
  /** Serialises segment appends and rotations. */
  private readonly withSegments = serialiser();
  /** Serialises statements on the writer connection (loads, deletes, checkpoints). */
  private readonly writerQueue = serialiser();
  /** Closed segments waiting to be loaded, oldest first. */
  private toLoad: SegmentFile[] = [];
  private loading: Promise<void> | undefined;
  private loadError: unknown;
  private timer: NodeJS.Timeout | undefined;
  /** Days written since they were last settled, with the time of the last write. */
  private readonly unsettled = new Map<number, number>();
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writerConn: DuckDBConnection,
    private readonly metaConn: DuckDBConnection,
    private readonly writer: EntryWriter,
    private readonly segments: SegmentLog,
    readonly dir: string,
    private readonly heapTrim: HeapTrim | undefined,
    private readonly memory: MemoryBudget,
    private readonly bulkFrees: BulkFreePolicy,
    private readonly settings: GlobalSettings,
  ) {}

  static async open(opts: LogStoreOptions): Promise<LogStore> {
    fs.mkdirSync(opts.dir, { recursive: true });
    const memoryLimit = opts.memoryLimit ?? '40MB';
    const instance = await DuckDBInstance.create(path.join(opts.dir, DB_FILE), {
      memory_limit: memoryLimit,
      threads: String(opts.threads ?? 2),
      // DuckDB's allocator otherwise keeps up to 128 MiB (512 MiB after bulk
      // frees) of freed memory after each task; even 8 MiB thresholds left
      // ~150 MiB resident after ingest. The role's RSS budget is 200 MiB in
      // all, of which node's and DuckDB's code take ~75 and V8's heap ~60.
      // Bulk frees: see BulkFreePolicy.
      allocator_flush_threshold: '0MB',
      allocator_bulk_deallocation_flush_threshold: SCAN_BULK_FREE_THRESHOLD,
      allocator_background_threads: 'true',
      // New files start with 16 KiB blocks: the streams database holds a few
      // KiB, and took 800 KiB at the default 256 KiB. Day files set their own.
      default_block_size: '16384',
    });
    const conn = await instance.connect();
    const settings = new GlobalSettings(await instance.connect());
    await conn.run(
      'CREATE TABLE IF NOT EXISTS streams (id INTEGER PRIMARY KEY, labels VARCHAR NOT NULL)',
    );
    const { log, leftovers } = SegmentLog.load(path.join(opts.dir, WAL_DIR));
    const store = new LogStore(
      instance,
      conn,
      await instance.connect(),
      new EntryWriter(conn, opts.dir),
      log,
      opts.dir,
      opts.heapTrim,
      new MemoryBudget(settings, memoryLimit, opts.burstMemoryLimit ?? '64MB'),
      new BulkFreePolicy(settings),
      settings,
    );
    await store.load(leftovers);
    store.timer = setInterval(() => store.maybeRotate(), SEGMENT_AGE_MS / 4);
    store.timer.unref();
    return store;
  }

  /** Stores the streams; resolves once they are durable. Exact duplicates are dropped at load. */
  push(streams: LogStream[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('log store is closed'));
    const days = new Map<number, DayBatch>();
    const created: StreamInfo[] = [];
    const accepted: LogStream[] = [];
    // The current day's bounds, so most entries need no bigint division.
    let dayStart = 0n;
    let dayEnd = 0n;
    let batch: DayBatch | undefined;
    for (const stream of streams) {
      const { info, created: isNew } = this.catalog.resolve(stream.labels);
      if (isNew) created.push(info);
      if (stream.entries.length === 0) continue;
      // Kept for tailing only while someone tails: holding every entry
      // until its fsync is what made pushes promote to the old generation.
      if (this.listeners.size > 0) accepted.push({ labels: info.labels, entries: stream.entries });
      // Entries of one hour are counted as a run: no bigint division per entry.
      let hour = 0;
      let hourStart = 0n;
      let hourEnd = 0n;
      let run = 0;
      let oldest = stream.entries[0]!.timestamp;
      let newest = oldest;
      for (const e of stream.entries) {
        const ts = e.timestamp;
        if (ts < oldest) oldest = ts;
        else if (ts > newest) newest = ts;
        if (!batch || ts < dayStart || ts >= dayEnd) {
          const day = dayOf(ts);
          dayStart = BigInt(day) * DAY_NS;
          dayEnd = dayStart + DAY_NS;
          batch = days.get(day);
          if (!batch) days.set(day, (batch = new DayBatch(ts)));
        }
        batch.add(info.id, ts, e.line, e.metadata);
        if (run === 0 || ts < hourStart || ts >= hourEnd) {
          if (run > 0) this.catalog.noteEntries(info, hour, run);
          hour = hourOf(ts);
          hourStart = BigInt(hour) * HOUR_NS;
          hourEnd = hourStart + HOUR_NS;
          run = 0;
        }
        run++;
      }
      if (run > 0) this.catalog.noteEntries(info, hour, run);
      this.catalog.noteSpan(info, oldest, newest);
    }
    for (const b of days.values()) b.seal();
    if (days.size === 0 && created.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ days, created, accepted, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Called with what each push stored, after it is durable. */
  onAppend(listener: AppendListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.write(batch);
        for (const w of batch) w.resolve();
        for (const w of batch) if (w.accepted.length > 0) this.notify(w.accepted);
      } catch (err) {
        for (const w of batch) this.undo(w);
        for (const w of batch) w.reject(err);
      }
    }
    this.draining = undefined;
  }

  private async write(batch: PendingWrite[]): Promise<void> {
    const created = batch.flatMap((w) => w.created);
    if (created.length > 0) {
      const values = created
        .map((c) => `(${c.id}, ${sqlString(JSON.stringify(c.labels))})`)
        .join(', ');
      await this.metaConn.run(`INSERT INTO streams (id, labels) VALUES ${values}`);
    }
    const byDay = new Map<number, DayBatch>();
    for (const w of batch) {
      for (const [day, part] of w.days) {
        const all = byDay.get(day);
        if (all) all.merge(part);
        else byDay.set(day, part);
      }
    }
    await this.withSegments(() => this.segments.append(byDay));
  }

  /** Starts loading the current segments when they are big or old enough. */
  private maybeRotate(): void {
    if (this.segments.pendingBytes >= SEGMENT_BYTES || this.segments.ageMs >= SEGMENT_AGE_MS) {
      this.flushSegments().catch(() => undefined);
    }
  }

  /** Closes the current segments and loads every closed segment into DuckDB. */
  private async flushSegments(): Promise<void> {
    const files = await this.withSegments(() => this.segments.rotate());
    this.toLoad.push(...files);
    while (this.loading) await this.loading;
    if (this.toLoad.length === 0) return;
    this.loading = this.loadPending().finally(() => (this.loading = undefined));
    await this.loading;
  }

  private async loadPending(): Promise<void> {
    while (this.toLoad.length > 0) {
      const segment = this.toLoad[0]!;
      try {
        await this.withWriter(() => this.writer.load(segment));
        this.blooms.invalidate(segment.day);
        // Queries see a day once it is attached (reads load pending segments first).
        this.days.add(segment.day);
      } catch (err) {
        // Kept for the next attempt (and for replay at start); reads report it.
        this.loadError = err;
        throw err;
      }
      this.loadError = undefined;
      this.toLoad.shift();
      this.unsettled.set(segment.day, Date.now());
      fs.rmSync(segment.path, { force: true });
    }
  }

  /** Makes every acknowledged entry visible to DuckDB queries. */
  async sync(): Promise<void> {
    await this.idle();
    // Always through a rotation: another caller's rotation empties the
    // current segments before it queues them, and a sync that saw neither
    // returned before acknowledged entries were loaded.
    await this.flushSegments();
    if (this.loadError) throw this.loadError;
  }

  private undo(w: PendingWrite): void {
    for (const info of w.created) this.catalog.remove(info.id);
  }

  private notify(streams: LogStream[]): void {
    for (const listener of this.listeners) listener(streams);
  }

  /** Rebuilds the in-memory catalog; loads the segments a crash left behind. */
  private async load(leftovers: SegmentFile[]): Promise<void> {
    const streams = await this.writerConn.runAndReadAll('SELECT id, labels FROM streams');
    for (const [id, labels] of streams.getRows()) {
      this.catalog.add(Number(id), JSON.parse(String(labels)) as Labels);
    }
    for (const file of fs.readdirSync(this.dir)) {
      const day = partitionDay(file);
      if (day === undefined) continue;
      await this.writer.attach(day);
      this.days.add(day);
    }
    for (const segment of leftovers) {
      await this.memory.run(() => this.writer.load(segment));
      fs.rmSync(segment.path, { force: true });
      this.days.add(segment.day);
      this.unsettled.set(segment.day, Date.now());
    }
    const newest = Math.max(...this.days);
    if (Number.isFinite(newest)) this.unsettled.set(newest, Date.now());
    await this.reloadHours();
  }

  /** Recomputes every stream's active hours and time span (at start and after deletions). */
  async reloadHours(): Promise<void> {
    for (const info of this.catalog.all()) {
      info.hours.clear();
      info.oldestNs = info.newestNs = undefined;
    }
    for (const day of this.days) {
      const rows = await this.withConnection(undefined, (conn) =>
        conn.runAndReadAll(
          `SELECT stream_id, ts // ${HOUR_NS} AS h, count(*), min(ts), max(ts) FROM (${unionSql([day])}) GROUP BY ALL`,
        ),
      );
      for (const [id, hour, count, oldest, newest] of rows.getRows()) {
        const info = this.catalog.get(Number(id));
        if (!info) continue;
        info.hours.set(Number(hour), Number(count));
        this.catalog.noteSpan(info, oldest as bigint, newest as bigint);
      }
    }
  }

  // ---- reads ----

  /** Ids of the streams matching every matcher (evaluated by DuckDB, RE2 regexes). */
  async streamIds(matchers: LabelMatcher[]): Promise<number[]> {
    if (matchers.length === 0) return [...this.catalog.all()].map((s) => s.id);
    const where = matchers.map(matcherSql).join(' AND ');
    return this.withConnection(undefined, async (conn) => {
      const r = await conn.runAndReadAll(`SELECT id FROM streams WHERE ${where}`);
      return r.getRows().map(([id]) => Number(id));
    });
  }

  private async activeStreams(
    matchers: LabelMatcher[],
    startNs: bigint,
    endNs: bigint,
  ): Promise<StreamInfo[]> {
    const ids = await this.streamIds(matchers);
    const out: StreamInfo[] = [];
    for (const id of ids) {
      const info = this.catalog.get(id);
      if (info && this.catalog.activeIn(info, startNs, endNs)) out.push(info);
    }
    return out;
  }

  async *selectEntries(req: SelectLogsRequest): AsyncIterable<StoredEntry[]> {
    await this.sync();
    const streams = await this.activeStreams(req.matchers, req.startNs, req.endNs);
    const days = daysInRange(this.days, req.startNs, req.endNs);
    if (streams.length === 0 || days.length === 0 || req.limit === 0) return;
    const ids = streams.map((s) => s.id);
    if (req.unordered) {
      // Metric queries: no sort at all, one streaming scan per day.
      if (req.direction === 'backward') days.reverse();
      let left = req.limit;
      for (const day of days) {
        const source = await this.sourceSql([day], ids, req.filters, req.startNs, req.endNs);
        for await (const batch of this.streamRows(selectSql(source, ids, req, left), req.signal)) {
          yield batch;
          if (left !== undefined) left -= batch.length;
        }
        if (req.signal?.aborted || (left !== undefined && left <= 0)) return;
      }
      return;
    }
    // Up to TOP_N_LIMIT a window is a top-N of what the limit still needs
    // (DuckDB keeps only that many rows); beyond it each window holds about
    // WINDOW_ROWS matches, so that every sort stays small.
    const windows = {
      density: scanDensity(streams),
      startNs: req.startNs,
      endNs: req.endNs,
      backward: req.direction === 'backward',
      limit: req.limit,
      topN: req.limit !== undefined && req.limit <= TOP_N_LIMIT,
      filtered: req.filters.length > 0,
      windowMatches: WINDOW_ROWS,
      ...(req.signal ? { signal: req.signal } : {}),
    };
    yield* scanInWindows(windows, (w, limit) => this.windowRows(req, ids, w, limit));
  }

  /** One window of an ordered scan. */
  private async *windowRows(
    req: SelectLogsRequest,
    ids: number[],
    w: ScanWindow,
    limit: number | undefined,
  ): AsyncIterable<StoredEntry[]> {
    const days = daysInRange(this.days, w.startNs, w.endNs);
    if (days.length === 0) return;
    const source = await this.sourceSql(days, ids, req.filters, w.startNs, w.endNs);
    yield* this.streamRows(selectSql(source, ids, { ...req, ...w }, limit), req.signal);
  }

  private async *streamRows(sql: string, signal?: AbortSignal): AsyncIterable<StoredEntry[]> {
    await this.gate.enter();
    const conn = await this.instance.connect();
    const abort = (): void => conn.interrupt();
    signal?.addEventListener('abort', abort);
    try {
      // Until its first rows, a stream can run again at the burst limit.
      const result = await this.memory.run(async () => {
        const started = await conn.stream(sql);
        return { stream: started, first: await started.fetchChunk() };
      });
      let chunk = result.first;
      for (;;) {
        if (signal?.aborted || !chunk || chunk.rowCount === 0) return;
        const [ids, tss, lines, metas] = chunk.getColumns() as [
          number[],
          bigint[],
          string[],
          (string | null)[],
        ];
        const batch: StoredEntry[] = new Array(ids.length);
        for (let i = 0; i < ids.length; i++) {
          const entry: StoredEntry = {
            labels: this.catalog.get(ids[i]!)!.labels,
            timestamp: tss[i]!,
            line: lines[i]!,
          };
          const meta = metas[i];
          if (meta) entry.metadata = JSON.parse(meta) as Labels;
          batch[i] = entry;
        }
        this.heapTrim?.during();
        yield batch;
        chunk = await result.stream.fetchChunk();
      }
    } finally {
      signal?.removeEventListener('abort', abort);
      conn.closeSync();
      this.gate.leave();
    }
  }

  async aggregateBuckets(req: BucketRequest): Promise<StreamBuckets[]> {
    await this.sync();
    const streams = await this.activeStreams(req.matchers, req.startNs, req.endNs);
    const days = daysInRange(this.days, req.startNs, req.endNs);
    if (streams.length === 0 || days.length === 0) return [];
    // Not narrowed by blooms: under a hash aggregate every UNION ALL branch
    // keeps partitioned tables of its own, and a common word's 15 branches
    // ran DuckDB out of its 96 MB where one scan of everything needs 35.
    const sql = aggregateSql(
      unionSql(days),
      streams.map((s) => s.id),
      req,
    );
    const byStream = new Map<number, StreamBuckets>();
    await this.withConnection(req.signal, async (conn) => {
      const r = await conn.runAndReadAll(sql);
      for (const [id, k, count, bytes] of r.getRows()) {
        const sid = Number(id);
        let sb = byStream.get(sid);
        if (!sb) {
          sb = { labels: this.catalog.get(sid)!.labels, buckets: new Map() };
          byStream.set(sid, sb);
        }
        sb.buckets.set(Number(k), { count: Number(count), bytes: Number(bytes) });
      }
    });
    return [...byStream.values()];
  }

  async extractedAggregation(req: ExtractedRequest): Promise<ExtractedSeries[] | undefined> {
    await this.sync();
    const streams = await this.activeStreams(req.matchers, req.startNs, req.endNs);
    const days = daysInRange(this.days, req.startNs, req.endNs);
    if (days.length === 0) return [];
    const aggregate = (c: DuckDBConnection) =>
      extractedAggregation(c, days, streams, req, () => this.heapTrim?.during(0));
    // Unwrapped values come back as lists (see BulkFreePolicy).
    return this.withConnection(req.signal, (c) =>
      req.unwrap ? this.bulkFrees.returningFreedMemory(() => aggregate(c)) : aggregate(c),
    );
  }

  /**
   * The entries of these days as one relation, each settled day narrowed by
   * its blooms to the blocks that can pass the line filters.
   */
  private async sourceSql(
    days: number[],
    streamIds: number[],
    filters: SelectLogsRequest['filters'],
    startNs: bigint,
    endNs: bigint,
  ): Promise<string> {
    if (filters.length === 0) return unionSql(days);
    return this.withConnection(undefined, async (conn) => {
      const parts: string[] = [];
      for (const day of days) {
        const narrowed = await this.blooms.daySql(conn, day, streamIds, filters, startNs, endNs);
        parts.push(narrowed ?? unionSql([day]));
      }
      return parts.join(' UNION ALL ');
    });
  }

  async series(matchers: LabelMatcher[], startNs: bigint, endNs: bigint): Promise<Labels[]> {
    return (await this.activeStreams(matchers, startNs, endNs)).map((s) => s.labels);
  }

  async labelNames(startNs: bigint, endNs: bigint, matchers?: LabelMatcher[]): Promise<string[]> {
    const names = new Set<string>();
    for (const s of await this.activeStreams(matchers ?? [], startNs, endNs)) {
      for (const name of Object.keys(s.labels)) names.add(name);
    }
    return [...names].sort();
  }

  async labelValues(
    name: string,
    startNs: bigint,
    endNs: bigint,
    matchers?: LabelMatcher[],
  ): Promise<string[]> {
    const values = new Set<string>();
    for (const s of await this.activeStreams(matchers ?? [], startNs, endNs)) {
      const v = s.labels[name];
      if (v !== undefined) values.add(v);
    }
    return [...values].sort();
  }

  private async withConnection<T>(
    signal: AbortSignal | undefined,
    fn: (conn: DuckDBConnection) => Promise<T>,
  ): Promise<T> {
    const conn = await this.instance.connect();
    const abort = (): void => conn.interrupt();
    signal?.addEventListener('abort', abort);
    try {
      return await this.memory.run(() => this.gate.shared(() => fn(conn)));
    } finally {
      signal?.removeEventListener('abort', abort);
      conn.closeSync();
    }
  }

  // ---- maintenance (retention) ----

  /** Days that queries see, ascending. */
  partitionDays(): number[] {
    return [...this.days].sort((a, b) => a - b);
  }

  /** Every stream with its labels and the oldest hour it has entries in. */
  streamsWithAge(): { id: number; labels: Labels; oldestHour: number | undefined }[] {
    return [...this.catalog.all()].map((s) => ({
      id: s.id,
      labels: s.labels,
      oldestHour: s.hours.size > 0 ? Math.min(...s.hours.keys()) : undefined,
    }));
  }

  /**
   * Hides a day from queries at once; its table stays until `dropDay`, as
   * Loki's compactor marks chunks and deletes them after a delay.
   */
  retireDay(day: number): void {
    if (this.days.delete(day)) this.retired.add(day);
  }

  retiredDays(): number[] {
    return [...this.retired].sort((a, b) => a - b);
  }

  /** Removes a whole day: detaches its database and deletes its files. */
  async dropDay(day: number): Promise<void> {
    await this.sync();
    this.days.delete(day);
    this.retired.delete(day);
    await this.withWriter(() => this.writer.detach(day));
    this.blooms.invalidate(day);
    const file = path.join(this.dir, partitionFile(day));
    fs.rmSync(file, { force: true });
    fs.rmSync(`${file}.wal`, { force: true });
  }

  /** Deletes the entries of these streams older than `beforeNs`; returns how many. */
  async deleteEntries(streamIds: number[], beforeNs: bigint): Promise<number> {
    if (streamIds.length === 0) return 0;
    await this.sync();
    const lastDay = dayOf(beforeNs);
    let deleted = 0;
    for (const day of this.partitionDays()) {
      if (day > lastDay) break;
      for (const table of partitionTables(day)) {
        const r = await this.withWriter(() =>
          this.writerConn.run(
            `DELETE FROM ${table} WHERE stream_id IN (${streamIds.join(',')}) AND ts < ${beforeNs}`,
          ),
        );
        deleted += Number(r.rowsChanged);
      }
    }
    return deleted;
  }

  /**
   * Rewrites the days that have not been written for `idleMs` into fresh
   * files: appends and checkpoints leave free blocks behind (DuckDB never
   * shrinks a file), and a settled day's lines are ZSTD-compressed, which
   * suits log lines better than FSST. Days written since give the rows
   * loaded into them blooms (block-blooms.ts). Returns the days rewritten.
   */
  async settle(idleMs: number): Promise<number[]> {
    await this.sync();
    const now = Date.now();
    const done: number[] = [];
    for (const [day, lastWrite] of [...this.unsettled]) {
      if (this.closed) break;
      if (!this.days.has(day)) continue;
      if (now - lastWrite < idleMs) {
        // Still being written (today, on a busy host): only its new rows get
        // blocks, so that needle queries keep pruning it; the spans there are
        // now, a slice at a time (loads go on between, and make new spans).
        const until = await this.withWriter(() => this.writer.spansEnd(day));
        if (until === undefined) continue;
        while (await this.withWriter(() => this.writer.indexSpans(day, until))) {
          this.blooms.invalidate(day);
          if (this.closed) break;
        }
        continue;
      }
      let swapped: boolean;
      try {
        swapped = await this.withWriter(() =>
          this.writer.rewrite(day, (fn) => this.gate.exclusive(fn, SWAP_WAIT_MS)),
        );
      } finally {
        this.blooms.invalidate(day);
      }
      if (!swapped) continue;
      if (this.unsettled.get(day) === lastWrite) this.unsettled.delete(day);
      done.push(day);
    }
    return done;
  }

  /** Moves every database's write-ahead log into its file (compressed columns). */
  async checkpoint(): Promise<void> {
    await this.sync();
    await this.withWriter(async () => {
      await this.writerConn.run('CHECKPOINT');
      // Only attached days: a push to a new day is attached when it is loaded.
      for (const day of this.writer.attachedDays()) {
        await this.writerConn.run(`CHECKPOINT ${partitionDb(day)}`);
      }
    });
  }

  /**
   * Runs `fn` on the writer connection after the statements before it; when
   * it runs out of DuckDB's memory, once more at the burst limit (loads,
   * settles and index slices can need more than the base limit beside queries).
   */
  private withWriter<T>(fn: () => Promise<T>): Promise<T> {
    return this.writerQueue(() => this.memory.run(fn));
  }

  /** Bytes on disk: the databases, DuckDB's write-ahead logs and obs's segments. */
  diskBytes(): number {
    let total = 0;
    for (const e of fs.readdirSync(this.dir, { withFileTypes: true, recursive: true })) {
      // DuckDB's spill files and loaded segments come and go while we walk.
      if (e.isFile())
        total += fs.statSync(path.join(e.parentPath, e.name), { throwIfNoEntry: false })?.size ?? 0;
    }
    return total;
  }

  /** Bytes DuckDB's buffer manager holds (cached blocks, sort and hash memory). */
  async memoryBytes(): Promise<number> {
    const r = await this.metaConn.runAndReadAll(
      'SELECT sum(memory_usage_bytes) FROM duckdb_memory()',
    );
    return Number(r.getRows()[0]![0] ?? 0);
  }

  /** Work that ran out of DuckDB's memory at the base limit and ran again at the burst limit. */
  get memoryReruns(): number {
    return this.memory.reruns;
  }

  get streamCount(): number {
    return this.catalog.size;
  }

  /** Waits until every accepted push is committed. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.checkpoint();
    await this.withSegments(async () => undefined);
    this.memory.close();
    this.settings.close();
    this.metaConn.closeSync();
    this.writerConn.closeSync();
    this.instance.closeSync();
  }
}

/** Runs each function passed after the previous one has settled. */
function serialiser(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** Entries per hour of these streams together, and their span (the catalog's counts). */
function scanDensity(streams: StreamInfo[]): ScanDensity {
  const perHour = new Map<number, number>();
  let dataStartNs: bigint | undefined;
  let dataEndNs: bigint | undefined;
  for (const s of streams) {
    for (const [h, n] of s.hours) perHour.set(h, (perHour.get(h) ?? 0) + n);
    if (s.oldestNs !== undefined && (dataStartNs === undefined || s.oldestNs < dataStartNs)) {
      dataStartNs = s.oldestNs;
    }
    if (s.newestNs !== undefined && (dataEndNs === undefined || s.newestNs >= dataEndNs)) {
      dataEndNs = s.newestNs + 1n;
    }
  }
  return {
    perHour,
    dataStartNs: dataStartNs ?? -(2n ** 63n),
    dataEndNs: dataEndNs ?? 2n ** 63n,
  };
}
