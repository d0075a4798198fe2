import type { GlobalSettings } from './global-settings.js';

/** DuckDB's error when its buffer pool cannot allocate or pin within the limit. */
export function isOutOfMemory(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('Out of Memory Error');
}

/** How long a limit that could not be lowered waits before the next try. */
const LOWER_RETRY_MS = 1000;

/**
 * DuckDB's memory limit, held at `base` and raised to `burst` only while
 * some work that ran out of memory at `base` runs again.
 *
 * The buffer pool keeps the blocks scans read until it reaches its limit,
 * so the limit is what a busy role holds. At 40 MB the role stays under its
 * 200 MiB budget while querying, where 64 MB took it to ~220; but a load's
 * hash tables (17-25 MB) beside queries can need more than that at once
 * (without reruns, up to one query in ten failed during ingest at 40 MB).
 * Such work runs once more at `burst`; the limit goes back to `base` when no
 * such rerun is left (DuckDB then evicts cached blocks down to it, or
 * refuses while more is pinned: tried again later).
 */
export class MemoryBudget {
  /** Work run again at the burst limit so far. */
  reruns = 0;
  private raised = 0;
  private lowering: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly settings: GlobalSettings,
    readonly base: string,
    readonly burst: string,
  ) {}

  /** Runs `fn`; when it runs out of memory at the base limit, once more at the burst limit. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!isOutOfMemory(err) || this.base === this.burst || this.closed) throw err;
    }
    this.reruns++;
    await this.raise();
    try {
      return await fn();
    } finally {
      await this.lower();
    }
  }

  /** Stops lowering the limit later (the instance is closing). */
  close(): void {
    this.closed = true;
    clearTimeout(this.lowering);
  }

  private async raise(): Promise<void> {
    clearTimeout(this.lowering);
    this.lowering = undefined;
    if (this.raised++ > 0) {
      // The first rerun's setting, which may still be on its way.
      await this.settings.settled();
      return;
    }
    try {
      await this.set(this.burst);
    } catch (err) {
      this.raised--;
      throw err;
    }
  }

  private async lower(): Promise<void> {
    if (--this.raised > 0 || this.closed) return;
    await this.backToBase();
  }

  /**
   * Sets the base limit, or, while work still running pins more than it,
   * tries again later unless a rerun has raised the limit meanwhile.
   */
  private async backToBase(): Promise<void> {
    try {
      await this.set(this.base);
    } catch (err) {
      if (!isOutOfMemory(err)) throw err;
      const retry = async (): Promise<void> => {
        this.lowering = undefined;
        if (this.raised === 0 && !this.closed) await this.backToBase();
      };
      // A later failure is the instance closing under it: nothing left to lower.
      this.lowering = setTimeout(() => retry().catch(() => undefined), LOWER_RETRY_MS);
      this.lowering.unref();
    }
  }

  private set(limit: string): Promise<unknown> {
    return this.settings.set('memory_limit', limit);
  }
}
