import v8 from 'node:v8';
import vm from 'node:vm';

/** Quiet time after the last `touch` before the heap is looked at. */
const IDLE_MS = 1000;
/** At most one collection per this interval (a full GC of the live set takes ~10-40 ms). */
const MIN_INTERVAL_MS = 1000;

/** V8's `gc()`, exposed at run time (once per process: each call makes a context); undefined where the flag cannot be set. */
let exposed: { gc: (() => void) | undefined } | undefined;
function exposeGc(): (() => void) | undefined {
  if (!exposed) {
    try {
      v8.setFlagsFromString('--expose-gc');
      exposed = { gc: vm.runInNewContext('gc') as () => void };
    } catch {
      exposed = { gc: undefined };
    }
  }
  return exposed.gc;
}

export interface HeapTrimOptions {
  /**
   * Committed heap above which a finished request (not part of a steady
   * flow) or a step of a long read collects at once. Without it, only
   * quiet time collects.
   */
  busyLimitBytes?: number;
  /** Committed heap above which a quiet second collects, given the live size after the last collection. */
  idleLimitBytes: (liveBytes: number) => number;
}

/**
 * Keeps a role's V8 heap near its live set. Pushes, remote-write bursts and
 * queries allocate hundreds of MiB of short-lived objects per second; V8
 * grows its old generation to follow (on a machine with GiBs free it
 * collects late) and holds the pages: a logs role that ingested 2 M lines
 * kept ~100 MiB of garbage committed, and a metrics role 250 MiB committed
 * for 120 MiB live after 100,000 series. A full collection once traffic
 * pauses, and (for roles that set a busy limit) after a request that left
 * the heap above it, returns those pages; collections are rate-limited.
 */
export class HeapTrim {
  private readonly gc = exposeGc();
  private last = 0;
  private liveBytes = 0;
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly opts: HeapTrimOptions) {}

  /**
   * Call when a request or commit finished. `streaming`: one of a steady
   * flow (pushes, scrapes), trimmed only once the flow stops, so ingestion
   * does not pay for full collections of a heap that fills again at once.
   */
  touch(streaming = false): void {
    if (!this.gc) return;
    if (!streaming) this.during();
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (committed() > this.opts.idleLimitBytes(this.liveBytes)) this.collect();
    }, IDLE_MS);
    this.idle.unref();
  }

  /** Call now and then during a long read (per batch): trims when the heap passed the busy limit. */
  during(): void {
    const limit = this.opts.busyLimitBytes;
    if (this.gc && limit !== undefined && committed() > limit) this.collect();
  }

  private collect(): void {
    const now = Date.now();
    if (now - this.last < MIN_INTERVAL_MS) return;
    this.last = now;
    this.gc!();
    this.liveBytes = v8.getHeapStatistics().used_heap_size;
  }

  stop(): void {
    clearTimeout(this.idle);
  }
}

function committed(): number {
  return v8.getHeapStatistics().total_heap_size;
}
