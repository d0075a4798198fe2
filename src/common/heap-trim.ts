import v8 from 'node:v8';
import vm from 'node:vm';

/** Quiet time after the last `touch` before the heap is looked at. */
const IDLE_MS = 1000;
/** At most one collection per this interval (a full GC of the live set takes ~10-40 ms). */
const MIN_INTERVAL_MS = 1000;
/**
 * V8 shrinks its young generation in a collection only when allocation, as
 * measured between earlier collections over the last 5 s, averaged below
 * 1 KB/ms and above zero (Heap::ShouldResizeNewSpace). A collection soon
 * after a burst still counts the burst, so the collection that can shrink
 * follows another one by this much.
 */
const LOW_ALLOCATION_WINDOW_MS = 5500;
/** Young generation above which the settle collections run (V8 starts it at 2 x 1 MiB). */
const YOUNG_SETTLED_BYTES = 4 * 1024 * 1024;
const SETTLE_TRIES = 4;
/**
 * Young-generation growth per step (V8 doubles it: 1, 2, 4, 8, 16 MiB per
 * semi-space). After a settle shrank it, a query's first runs paid for each
 * step in scavenges: rate over 1,667 series took 1.35-1.65x Prometheus's
 * median, 1.15-1.22x growing back in one step. The maximum is unchanged.
 */
const YOUNG_GROWTH_FACTOR = 16;

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

/** Sets V8's young-generation growth at run time (once per process; V8 reads it at each growth). */
let youngGrowthSet = false;
function growYoungInOneStep(): void {
  if (youngGrowthSet) return;
  youngGrowthSet = true;
  try {
    v8.setFlagsFromString(`--semi-space-growth-factor=${YOUNG_GROWTH_FACTOR}`);
  } catch {
    // Left at V8's default: only queries right after a settle are slower.
  }
}

export interface HeapTrimOptions {
  /**
   * Committed old generation (the heap outside the young generation) above
   * which a finished request (not part of a steady flow) or a step of a
   * long read collects at once. The young generation is left out: V8 keeps
   * it at up to 2 x --max-semi-space-size whatever a collection finds (32
   * MiB by default, 8 with 4), so counting it made the limit mean less old
   * garbage with the default and more with a smaller one. Without it, only
   * quiet time collects.
   */
  busyLimitBytes?: number;
  /** Committed heap above which a quiet second collects, given the live size after the last collection. */
  idleLimitBytes: (liveBytes: number) => number;
  /**
   * Once quiet, collect twice a window apart so that V8 shrinks the young
   * generation: a burst grows it to 2 x 16 MiB, all resident, and the
   * collection after one quiet second comes too soon for V8 to shrink it.
   * It then grows back to its maximum in one step, not five. Unset: the
   * young generation is left to V8.
   */
  settleYoung?: boolean;
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
  private settle: NodeJS.Timeout | undefined;

  constructor(private readonly opts: HeapTrimOptions) {
    if (opts.settleYoung) growYoungInOneStep();
  }

  /**
   * Call when a request or commit finished. `streaming`: one of a steady
   * flow (pushes, scrapes), trimmed only once the flow stops, so ingestion
   * does not pay for full collections of a heap that fills again at once.
   */
  touch(streaming = false): void {
    if (!this.gc) return;
    if (!streaming) this.during();
    clearTimeout(this.settle);
    // One timer re-armed per touch: commits come thousands of times a second.
    if (this.idle) this.idle.refresh();
    else {
      this.idle = setTimeout(() => this.quiet(), IDLE_MS);
      this.idle.unref();
    }
  }

  private quiet(): void {
    const before = this.last;
    if (committed() > this.opts.idleLimitBytes(this.liveBytes)) this.collect();
    if (!this.opts.settleYoung || youngCommitted() <= YOUNG_SETTLED_BYTES) return;
    // This collection closes the burst's measuring window; the next one can shrink.
    if (this.last === before) this.collect();
    this.settleAfter(SETTLE_TRIES);
  }

  /** Collects a window later, again while work after the last touch (a compaction) kept allocation above V8's bar. */
  private settleAfter(tries: number): void {
    this.settle = setTimeout(() => {
      if (youngCommitted() <= YOUNG_SETTLED_BYTES) return;
      this.collect();
      // Once shrunk, no more: a query growing it again is not to be interrupted.
      if (tries > 1 && youngCommitted() > YOUNG_SETTLED_BYTES) this.settleAfter(tries - 1);
    }, LOW_ALLOCATION_WINDOW_MS);
    this.settle.unref();
  }

  /**
   * Call now and then during a long read (per batch): trims when the heap
   * passed the busy limit, at most once per `minIntervalMs`. Steps that each
   * leave much garbage pass 0 (a quantile's slices of 200k unwrapped values
   * took V8 to 61-66 MiB committed with the default, 53 with 0).
   */
  during(minIntervalMs = MIN_INTERVAL_MS): void {
    const limit = this.opts.busyLimitBytes;
    if (this.gc && limit !== undefined && oldCommitted() > limit) this.collect(minIntervalMs);
  }

  private collect(minIntervalMs = MIN_INTERVAL_MS): void {
    const now = Date.now();
    if (now - this.last < minIntervalMs) return;
    this.last = now;
    this.gc!();
    this.liveBytes = v8.getHeapStatistics().used_heap_size;
  }

  stop(): void {
    clearTimeout(this.idle);
    this.idle = undefined;
    clearTimeout(this.settle);
  }
}

function committed(): number {
  return v8.getHeapStatistics().total_heap_size;
}

/** Committed heap outside the young generation (its semi-spaces and its large objects). */
function oldCommitted(): number {
  let total = 0;
  for (const s of v8.getHeapSpaceStatistics()) {
    if (s.space_name !== 'new_space' && s.space_name !== 'new_large_object_space') {
      total += s.space_size;
    }
  }
  return total;
}

function youngCommitted(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}
