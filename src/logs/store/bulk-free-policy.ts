import type { GlobalSettings } from './global-settings.js';

/** DuckDB's setting: a bulk free larger than it returns the allocator's free memory to the OS. */
const SETTING = 'allocator_bulk_deallocation_flush_threshold';

/**
 * Scans keep freed memory up to this: at 0 every bulk free went back to the
 * OS and was faulted in again by the next vector. In bench:logs a filtered
 * rate over a third of the 2 M lines took 182-247 ms at 0 and 154-207 at
 * 256 KiB with a 44 MB pool (141-198 with 40 MB). 1 MiB, without the
 * exception below, took the role's peak RSS to 204-230 MiB.
 */
export const SCAN_BULK_FREE_THRESHOLD = '256KB';

/**
 * Work that builds large lists (unwrapped samples: ~19 MB per slice, freed
 * in many pieces below the scan threshold) runs with every bulk free
 * returned: at 256 KiB jemalloc kept them, 7-12 MiB more RSS at the peak of
 * quantile_over_time, which took the role past its 200 MiB.
 */
const LIST_BULK_FREE_THRESHOLD = '0MB';

/**
 * DuckDB's bulk-free threshold, at SCAN_BULK_FREE_THRESHOLD except while
 * some work passed to `returningFreedMemory` runs. The setting is global:
 * scans running beside such work also return their bulk frees meanwhile,
 * which costs them time, never results.
 */
export class BulkFreePolicy {
  private holders = 0;

  constructor(private readonly settings: GlobalSettings) {}

  /** Runs `fn` with every bulk free returned to the OS, back to the scan threshold after the last such work. */
  async returningFreedMemory<T>(fn: () => Promise<T>): Promise<T> {
    const first = this.holders++ === 0;
    try {
      await (first ? this.set(LIST_BULK_FREE_THRESHOLD) : this.settings.settled());
      return await fn();
    } finally {
      // Failing to go back costs scans time only (and fails once the instance is closing).
      if (--this.holders === 0) await this.set(SCAN_BULK_FREE_THRESHOLD).catch(() => undefined);
    }
  }

  private set(threshold: string): Promise<unknown> {
    return this.settings.set(SETTING, threshold);
  }
}
