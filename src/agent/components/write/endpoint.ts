import type { Logger } from 'pino';
import type { LogStream } from '../../../logs/sink.js';
import type { ComponentMetrics } from '../../component.js';
import type { DiskBuffer } from './disk-buffer.js';
import { PushFailure, type PushTarget } from './push-target.js';

export interface EndpointSettings {
  name: string;
  batchSizeBytes: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** 0 retries for ever. */
  maxRetries: number;
  /** Senders wait while the disk buffer holds more than this (backpressure, never loss). */
  maxBufferBytes: number;
}

interface Pending {
  streams: LogStream[];
  entries: number;
  bytes: number;
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

/**
 * One `endpoint` block: delivers batches to its target and resolves each
 * `send` once the entries are durable: acknowledged by the target, or —
 * when the target fails — written to the disk buffer, which `run` drains
 * with exponential backoff. While the buffer holds anything, new batches go
 * behind it to keep order. One push is in flight at a time; what arrives
 * meanwhile is merged into the next batch, so batches grow with load.
 */
export class Endpoint {
  private queue: Pending[] = [];
  private inflight = false;
  private wake: (() => void) | undefined;
  private spaceWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly settings: EndpointSettings,
    private readonly target: PushTarget,
    private readonly buffer: DiskBuffer,
    private readonly logger: Logger,
    private readonly metrics?: ComponentMetrics,
  ) {}

  send(streams: LogStream[], entries: number, bytes: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const last = this.queue[this.queue.length - 1];
      if (last && last.bytes + bytes <= this.settings.batchSizeBytes) {
        last.streams.push(...streams);
        last.entries += entries;
        last.bytes += bytes;
        last.waiters.push({ resolve, reject });
      } else {
        this.queue.push({ streams: [...streams], entries, bytes, waiters: [{ resolve, reject }] });
      }
      void this.pump();
    });
  }

  /** Drains the disk buffer until `signal` aborts; then writes what is queued to it. */
  async run(signal: AbortSignal): Promise<void> {
    const onAbort = () => this.wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        if (this.buffer.unread === 0) {
          await new Promise<void>((r) => (this.wake = r));
          this.wake = undefined;
          continue;
        }
        const batch = await this.buffer.read(this.settings.batchSizeBytes);
        if (!batch) {
          await this.sleep(this.settings.minBackoffMs, signal);
          continue;
        }
        const delivered = await this.deliverWithRetries(batch.streams, batch.entries, signal);
        if (!delivered) break;
        await this.buffer.commit(batch.end, batch.bytes);
        this.releaseSpace();
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.stopped = true;
      for (const r of this.spaceWaiters.splice(0)) r();
      while (this.inflight) await new Promise((r) => setTimeout(r, 5));
      for (const p of this.queue.splice(0)) await this.toBuffer(p);
    }
  }

  private async pump(): Promise<void> {
    if (this.inflight) return;
    this.inflight = true;
    try {
      for (let p = this.queue.shift(); p; p = this.queue.shift()) {
        if (this.stopped || this.buffer.unread > 0) {
          await this.toBuffer(p);
          continue;
        }
        try {
          await this.target.push(p.streams);
          this.metrics?.sent(p.entries);
          for (const w of p.waiters) w.resolve();
        } catch (err) {
          if (err instanceof PushFailure && !err.retryable) {
            this.drop(p.entries, err);
            for (const w of p.waiters) w.resolve();
          } else {
            this.logger.warn(
              { err, endpoint: this.settings.name },
              'push failed; buffering on disk',
            );
            await this.toBuffer(p);
          }
        }
      }
    } finally {
      this.inflight = false;
    }
  }

  private async toBuffer(p: Pending): Promise<void> {
    while (this.buffer.unread > this.settings.maxBufferBytes && !this.stopped)
      await new Promise<void>((r) => this.spaceWaiters.push(r));
    try {
      await this.buffer.append(p.streams);
      for (const w of p.waiters) w.resolve();
      this.wake?.();
    } catch (err) {
      for (const w of p.waiters) w.reject(err);
    }
  }

  /** Pushes with Alloy's backoff; false when stopped before delivering (the batch stays buffered). */
  private async deliverWithRetries(
    streams: LogStream[],
    entries: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    let backoff = this.settings.minBackoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.target.push(streams);
        this.metrics?.sent(entries);
        return true;
      } catch (err) {
        if (err instanceof PushFailure && !err.retryable) {
          this.drop(entries, err);
          return true;
        }
        if (this.settings.maxRetries > 0 && attempt > this.settings.maxRetries) {
          this.drop(entries, err, 'max_retries');
          return true;
        }
        this.logger.warn(
          { err, endpoint: this.settings.name, attempt, backoffMs: backoff },
          'push of buffered batch failed; retrying',
        );
        if (!(await this.sleep(backoff, signal))) return false;
        backoff = Math.min(backoff * 2, this.settings.maxBackoffMs);
      }
    }
  }

  private drop(entries: number, err: unknown, reason?: string): void {
    const status = err instanceof PushFailure ? err.status : undefined;
    this.metrics?.dropped(entries, reason ?? (status ? `http_${status}` : 'error'));
    this.logger.error(
      { err, endpoint: this.settings.name, entries },
      'dropping batch the endpoint refused',
    );
  }

  private releaseSpace(): void {
    if (this.buffer.unread > this.settings.maxBufferBytes) return;
    for (const r of this.spaceWaiters.splice(0)) r();
  }

  /** Resolves true after `ms`, false as soon as `signal` aborts. */
  private sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
