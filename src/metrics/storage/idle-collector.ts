import v8 from 'node:v8';
import vm from 'node:vm';

/** Quiet time after the last commit before the heap is looked at. */
const IDLE_MS = 1000;
/** Collect only when the committed heap exceeds the live set after the last collection by this factor... */
const GROWTH = 1.5;
/** ...plus this much, so steady scrapes of a small heap never pay for a full collection. */
const SLACK_BYTES = 32 * 1024 * 1024;

function exposeGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

/**
 * A full collection once ingestion pauses. Remote-write bursts leave V8's
 * old generation committed at several times the live set (decoded requests
 * promoted while their fsync was pending): after 100,000 series were written,
 * 250 MiB were committed for 120 MiB live, and V8 would keep them until the
 * next allocation pressure. A second of quiet after a commit, with the heap
 * grown well past the last live size, triggers one collection that returns
 * those pages; a steady scrape load below that never does.
 */
export class IdleCollector {
  private readonly gc = exposeGc();
  private timer: NodeJS.Timeout | undefined;
  private liveBytes = 0;

  /** Call after a commit: (re)arms the quiet-time check. */
  touch(): void {
    if (!this.gc) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.check(), IDLE_MS);
    this.timer.unref();
  }

  private check(): void {
    if (v8.getHeapStatistics().total_heap_size <= this.liveBytes * GROWTH + SLACK_BYTES) return;
    this.gc!();
    this.liveBytes = v8.getHeapStatistics().used_heap_size;
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
