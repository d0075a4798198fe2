import v8 from 'node:v8';
import vm from 'node:vm';

/** Committed V8 heap above which a finished request triggers a full collection. */
const SOFT_LIMIT_BYTES = 64 * 1024 * 1024;
/** After this long without requests, a heap above IDLE_LIMIT_BYTES is collected once. */
const IDLE_MS = 1000;
const IDLE_LIMIT_BYTES = 24 * 1024 * 1024;
/** At most one collection per this interval (a full GC of the live set takes ~10-40 ms). */
const MIN_INTERVAL_MS = 1000;

function fullGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

/**
 * Keeps the role's V8 heap near its live set. Pushes and log queries
 * allocate hundreds of MiB of short-lived strings per second; V8 grows its
 * old generation to follow (on a machine with GiBs free it collects late)
 * and holds the pages, so a role that ingested 2 M lines kept ~100 MiB of
 * garbage committed, half its RSS budget. A full collection after requests,
 * rate-limited, and once when traffic stops, returns those pages.
 */
export class HeapTrim {
  private readonly gc = fullGc();
  private last = 0;
  private idle: NodeJS.Timeout | undefined;

  /**
   * Call when a request finished. `streaming`: one of a steady flow (pushes),
   * trimmed only once the flow stops, so ingestion does not pay for full
   * collections of a heap that fills again at once.
   */
  touch(streaming = false): void {
    if (!this.gc) return;
    if (!streaming && v8.getHeapStatistics().total_heap_size > SOFT_LIMIT_BYTES) this.collect();
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (v8.getHeapStatistics().total_heap_size > IDLE_LIMIT_BYTES) this.collect();
    }, IDLE_MS);
    this.idle.unref();
  }

  /** Call now and then during a long read (per batch): trims when the heap passed the limit. */
  during(): void {
    if (this.gc && v8.getHeapStatistics().total_heap_size > SOFT_LIMIT_BYTES) this.collect();
  }

  private collect(): void {
    const now = Date.now();
    if (now - this.last < MIN_INTERVAL_MS) return;
    this.last = now;
    this.gc!();
  }

  stop(): void {
    clearTimeout(this.idle);
  }
}
