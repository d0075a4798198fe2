import type { Logger } from 'pino';
import type { LogStream } from '../../../logs/sink.js';
import type { ComponentMetrics } from '../../component.js';
import type { DiskBuffer } from './disk-buffer.js';
import { PushFailure, type PushTarget } from './push-target.js';

export interface EndpointSettings {
  name: string;
  batchSizeBytes: number;
  /** A batch that is not full leaves this long after its first entry (Alloy's batch_wait). */
  batchWaitMs: number;
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
  createdAt: number;
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

/**
 * One `endpoint` block: delivers batches to its target and resolves each
 * `send` once the entries are durable: acknowledged by the target, or —
 * when the target fails — written to the disk buffer, which `run` drains
 * with exponential backoff. While the buffer holds anything, new batches go
 * behind it to keep order. As in Alloy, a batch leaves once it is full
 * (`batch_size`) or `batch_wait` after its first entry; one push is in
 * flight at a time.
 */
export class Endpoint {
  private queue: Pending[] = [];
  private inflight = false;
  private wake: (() => void) | undefined;
  private spaceWaiters: (() => void)[] = [];
  private stopped = false;
  /** Sends the head batch when its batch_wait is up. */
  private timer: NodeJS.Timeout | undefined;

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
        const waiters = [{ resolve, reject }];
        this.queue.push({ streams: [...streams], entries, bytes, createdAt: Date.now(), waiters });
      }
      this.kick(false);
    });
  }

  /** Starts sending when the head batch is due (or `force`), else arms the batch_wait timer. */
  private kick(force: boolean): void {
    if (this.inflight) return;
    const head = this.queue[0];
    if (!head) return;
    if (force || this.due(head)) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.pump();
    } else if (!this.timer) {
      const wait = head.createdAt + this.settings.batchWaitMs - Date.now();
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick(true);
      }, wait);
    }
  }

  /**
   * Full (another batch queued behind it, or at batch_size), batch_wait old,
   * or anything that goes to the disk buffer anyway (stopping, or behind
   * what the buffer holds).
   */
  private due(p: Pending): boolean {
    return (
      this.queue.length > 1 ||
      p.bytes >= this.settings.batchSizeBytes ||
      Date.now() - p.createdAt >= this.settings.batchWaitMs ||
      this.stopped ||
      this.buffer.unread > 0
    );
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
      clearTimeout(this.timer);
      this.timer = undefined;
      for (const r of this.spaceWaiters.splice(0)) r();
      while (this.inflight) await new Promise((r) => setTimeout(r, 5));
      for (const p of this.queue.splice(0)) await this.toBuffer(p);
    }
  }

  private async pump(): Promise<void> {
    if (this.inflight) return;
    this.inflight = true;
    try {
      // kick() found the head due; each batch after it goes once due too.
      while (this.queue.length > 0) {
        const p = this.queue.shift()!;
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
        if (this.queue.length > 0 && !this.due(this.queue[0]!)) break;
      }
    } finally {
      this.inflight = false;
    }
    this.kick(false);
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
