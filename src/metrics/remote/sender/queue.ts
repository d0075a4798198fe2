import type { Logger } from 'pino';
import type { Labels } from '../../../common/labels.js';
import { compileRelabel, relabel, type CompiledRelabel } from '../../../common/relabel.js';
import { parsePromDuration } from '../../../common/duration.js';
import { authorizationHeader, type RemoteWriteConfig } from '../../config/index.js';
import { seriesKey } from '../../storage/index.js';
import { snappyCompress, snappyUncompress } from '../../../common/snappy.js';
import { DiskQueue } from './disk-queue.js';
import {
  encodeMetadataRequest,
  encodeWriteRequest,
  type FamilyMetadata,
  type SeriesSamples,
} from './encode.js';
import { remoteMetrics } from './metrics.js';
import { post } from './post.js';

/** Samples committed together, values as raw doubles (stale markers intact). */
export interface SampleBatch {
  labels: Labels[];
  timestamps: number[];
  values: Float64Array;
  length: number;
}

export interface RemoteWriteQueueOptions {
  cfg: RemoteWriteConfig;
  /** The queue's name: `name` from the config, else a hash of it, as Prometheus names queues. */
  name: string;
  dir: string;
  externalLabels: Labels;
  logger: Logger;
  userAgent: string;
  /** Metric metadata to send every metadata_config.send_interval (scraped TYPE/HELP/UNIT). */
  metadata?: () => FamilyMetadata[];
}

const RELABEL_CACHE_MAX = 100_000;

/**
 * One `remote_write` endpoint: committed samples get the external labels and
 * write_relabel_configs, are encoded into request bodies and appended to an
 * on-disk queue; a sender posts them in order (protobuf + snappy, batches of
 * max_samples_per_send, waiting at most batch_send_deadline to fill one),
 * retrying recoverable failures with exponential backoff, so nothing is lost
 * while the receiver is down, even across restarts.
 */
export class RemoteWriteQueue {
  private readonly disk: DiskQueue;
  private readonly rules: CompiledRelabel;
  private readonly relabelCache = new Map<string, Labels | null>();
  private readonly labels: { remote_name: string; url: string };
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private inflight: AbortController | undefined;
  private metadataTimer: NodeJS.Timeout | undefined;
  lastError = '';

  constructor(private readonly opts: RemoteWriteQueueOptions) {
    this.disk = DiskQueue.open(opts.dir);
    this.rules = compileRelabel(opts.cfg.write_relabel_configs ?? []);
    this.labels = { remote_name: opts.name, url: opts.cfg.url };
    remoteMetrics().shards.labels(this.labels).set(1);
    this.updatePending();
  }

  start(): void {
    this.loop = this.run();
    const md = this.opts.cfg.metadata_config;
    if (md.send && this.opts.metadata) {
      const every = parsePromDuration(md.send_interval) ?? 60_000;
      this.metadataTimer = setInterval(() => void this.sendMetadata(), every);
      this.metadataTimer.unref();
    }
  }

  /**
   * Sends every known family's metadata in requests of its own, as
   * Prometheus's queue manager does; a failure waits for the next round.
   */
  private async sendMetadata(): Promise<void> {
    const families = this.opts.metadata?.() ?? [];
    const max = this.opts.cfg.metadata_config.max_samples_per_send || families.length;
    for (let i = 0; i < families.length && !this.stopped; i += max) {
      const body = snappyCompress(encodeMetadataRequest(families.slice(i, i + max)));
      try {
        const res = await post(
          this.opts.cfg.url,
          body,
          this.requestHeaders(),
          parsePromDuration(this.opts.cfg.remote_timeout) ?? 30_000,
          this.opts.cfg,
        );
        if (res.status >= 300) throw new Error(`server returned HTTP status ${res.statusText}`);
      } catch (err) {
        this.opts.logger.warn(
          { remote_name: this.opts.name, err: (err as Error).message },
          'Failed to send metadata, will retry at the next interval',
        );
        return;
      }
    }
  }

  private requestHeaders(): Record<string, string> {
    const headers: Record<string, string> = {
      ...(this.opts.cfg.headers ?? {}),
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'User-Agent': this.opts.userAgent,
      'X-Prometheus-Remote-Write-Version': '0.1.0',
    };
    const auth = authorizationHeader(this.opts.cfg);
    if (auth) headers.Authorization = auth;
    return headers;
  }

  /** Queues a committed batch (durably, before returning). */
  enqueue(batch: SampleBatch): void {
    if (this.stopped || batch.length === 0) return;
    const bySeries = new Map<string, SeriesSamples>();
    let dropped = 0;
    let maxTs = -Infinity;
    for (let i = 0; i < batch.length; i++) {
      const labels = this.prepare(batch.labels[i]!);
      if (labels === null) {
        dropped++;
        continue;
      }
      const key = seriesKey(labels);
      let s = bySeries.get(key);
      if (!s) {
        s = { labels, timestamps: [], values: new Float64Array(4) };
        bySeries.set(key, s);
      }
      const n = s.timestamps.length;
      if (n === s.values.length) {
        const grown = new Float64Array(n * 2);
        grown.set(s.values);
        s.values = grown;
      }
      copyDouble(batch.values, i, s.values, n);
      s.timestamps.push(batch.timestamps[i]!);
      if (batch.timestamps[i]! > maxTs) maxTs = batch.timestamps[i]!;
    }
    if (dropped > 0) remoteMetrics().samplesDropped.labels(this.labels).inc(dropped);
    const max = this.opts.cfg.queue_config.max_samples_per_send;
    let chunk: SeriesSamples[] = [];
    let chunkSamples = 0;
    const flush = (): void => {
      if (chunkSamples === 0) return;
      // Kept snappy-compressed on disk: a long outage costs a fraction of the space.
      this.disk.append(snappyCompress(encodeWriteRequest(chunk)), chunkSamples, maxTs);
      chunk = [];
      chunkSamples = 0;
    };
    for (const s of bySeries.values()) {
      const n = s.timestamps.length;
      for (let from = 0; from < n;) {
        const take = Math.min(n - from, max - chunkSamples);
        chunk.push({
          labels: s.labels,
          timestamps: s.timestamps.slice(from, from + take),
          values: s.values.subarray(from, from + take),
        });
        chunkSamples += take;
        from += take;
        if (chunkSamples >= max) flush();
      }
    }
    flush();
    if (Number.isFinite(maxTs)) remoteMetrics().highestTimestamp.set(maxTs / 1000);
    this.updatePending();
    this.wake?.();
  }

  /** Stops sending; what is unsent stays on disk for the next start. */
  async stop(flushDeadlineMs: number): Promise<void> {
    this.stopped = true;
    if (this.metadataTimer) clearInterval(this.metadataTimer);
    this.wake?.();
    const deadline = setTimeout(() => this.inflight?.abort(), flushDeadlineMs);
    await this.loop;
    clearTimeout(deadline);
    this.disk.close();
  }

  pendingSamples(): number {
    return this.disk.pendingSamples();
  }

  private prepare(labels: Labels): Labels | null {
    const key = seriesKey(labels);
    const cached = this.relabelCache.get(key);
    if (cached !== undefined) return cached;
    let out: Labels | null = labels;
    const external = this.opts.externalLabels;
    if (Object.keys(external).length > 0) {
      out = { ...labels };
      for (const [name, value] of Object.entries(external)) {
        if (out[name] === undefined) out[name] = value;
      }
    }
    if (this.rules.rules.length > 0) out = relabel(out, this.rules);
    if (this.relabelCache.size >= RELABEL_CACHE_MAX) this.relabelCache.clear();
    this.relabelCache.set(key, out);
    return out;
  }

  private updatePending(): void {
    remoteMetrics().samplesPending.labels(this.labels).set(this.disk.pendingSamples());
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const q = this.opts.cfg.queue_config;
    const deadlineMs = parsePromDuration(q.batch_send_deadline) ?? 5000;
    const minBackoff = parsePromDuration(q.min_backoff) ?? 30;
    const maxBackoff = parsePromDuration(q.max_backoff) ?? 5000;
    let backoff = minBackoff;
    while (!this.stopped) {
      try {
        backoff = await this.step(deadlineMs, minBackoff, maxBackoff, backoff);
      } catch (err) {
        // A disk error must not end the sender: log, wait, try again.
        this.lastError = (err as Error).message;
        this.opts.logger.error(
          { remote_name: this.opts.name, err: this.lastError },
          'Remote write queue error',
        );
        await this.sleep(maxBackoff);
      }
    }
  }

  /** One round: wait for a batch to fill, or send one; returns the next backoff. */
  private async step(
    deadlineMs: number,
    minBackoff: number,
    maxBackoff: number,
    backoff: number,
  ): Promise<number> {
    const max = this.opts.cfg.queue_config.max_samples_per_send;
    const records = this.disk.peek(max);
    if (records.length === 0) {
      await this.sleep(60_000);
      return backoff;
    }
    // sample_age_limit: what is older than that is not worth sending any more.
    const ageLimit = parsePromDuration(this.opts.cfg.queue_config.sample_age_limit ?? '0') ?? 0;
    if (ageLimit > 0) {
      let old = 0;
      while (old < records.length && records[old]!.maxTimestamp < Date.now() - ageLimit) old++;
      if (old > 0) {
        const n = records.slice(0, old).reduce((sum, r) => sum + r.samples, 0);
        this.disk.ack(old);
        remoteMetrics().samplesDropped.labels(this.labels).inc(n);
        this.updatePending();
        return backoff;
      }
    }
    const samples = records.reduce((n, r) => n + r.samples, 0);
    const waitMs = records[0]!.enqueuedAt + deadlineMs - Date.now();
    if (samples < max && waitMs > 0) {
      await this.sleep(waitMs);
      return backoff;
    }
    const outcome = await this.send(records.length, samples, records);
    if (outcome !== 'retry') return minBackoff;
    await this.sleep(backoff);
    return Math.min(backoff * 2, maxBackoff);
  }

  private async send(
    count: number,
    samples: number,
    records: ReturnType<DiskQueue['peek']>,
  ): Promise<'ok' | 'retry' | 'dropped'> {
    const m = remoteMetrics();
    const parts = this.disk.read(records);
    let body: Buffer;
    try {
      // Encoded WriteRequests concatenate into one: merge the records, compress once.
      body =
        parts.length === 1
          ? parts[0]!
          : snappyCompress(Buffer.concat(parts.map((p) => snappyUncompress(p))));
    } catch (err) {
      this.disk.ack(count);
      m.samplesFailed.labels(this.labels).inc(samples);
      this.updatePending();
      this.opts.logger.error(
        { remote_name: this.opts.name, err: (err as Error).message, count: samples },
        'Dropping an unreadable batch from the remote write buffer',
      );
      return 'dropped';
    }
    const headers = this.requestHeaders();
    const timeoutMs = parsePromDuration(this.opts.cfg.remote_timeout) ?? 30_000;
    const started = Date.now();
    let result;
    try {
      this.inflight = new AbortController();
      result = await post(
        this.opts.cfg.url,
        body,
        headers,
        timeoutMs,
        this.opts.cfg,
        this.inflight.signal,
      );
    } catch (err) {
      this.lastError = (err as Error).message;
      m.samplesRetried.labels(this.labels).inc(samples);
      this.opts.logger.warn(
        { remote_name: this.opts.name, err: this.lastError },
        'Failed to send batch, retrying',
      );
      return 'retry';
    } finally {
      this.inflight = undefined;
      m.sentBatchDuration.labels(this.labels).observe((Date.now() - started) / 1000);
    }
    const retry429 = this.opts.cfg.queue_config.retry_on_http_429 !== false;
    if (result.status >= 200 && result.status < 300) {
      this.disk.ack(count);
      m.samplesTotal.labels(this.labels).inc(samples);
      m.bytesTotal.labels(this.labels).inc(body.length);
      const newest = Math.max(...records.map((r) => r.maxTimestamp));
      if (Number.isFinite(newest)) m.highestSent.labels(this.labels).set(newest / 1000);
      this.lastError = '';
      this.updatePending();
      return 'ok';
    }
    this.lastError = `server returned HTTP status ${result.statusText}: ${result.body.trim()}`;
    if (result.status >= 500 || (result.status === 429 && retry429)) {
      m.samplesRetried.labels(this.labels).inc(samples);
      this.opts.logger.warn(
        { remote_name: this.opts.name, err: this.lastError },
        'Failed to send batch, retrying',
      );
      if (result.retryAfterMs) await this.sleep(result.retryAfterMs);
      return 'retry';
    }
    // Any other answer will not change on retry: Prometheus drops the batch.
    this.disk.ack(count);
    m.samplesFailed.labels(this.labels).inc(samples);
    this.updatePending();
    this.opts.logger.error(
      { remote_name: this.opts.name, err: this.lastError, count: samples },
      'non-recoverable error',
    );
    return 'dropped';
  }
}

/** Copies one double by its bytes (same-type typed-array copies are raw), keeping NaN payloads. */
function copyDouble(src: Float64Array, i: number, dst: Float64Array, j: number): void {
  dst.set(src.subarray(i, i + 1), j);
}
