/**
 * Queries bind to a day's database by name; settling a day detaches it and
 * attaches its rewritten file under the same name. A query bound in between
 * failed with `Binder Error: Database "dN" not found`, and a result still
 * streaming from the detached database crashed DuckDB (bad_weak_ptr,
 * SIGSEGV). So every query holds the gate from its start to its last row,
 * and the swap waits until none does; queries arriving meanwhile wait for
 * the swap. A swap that cannot start within `waitMs` (a consumer reading a
 * stream slowly, or waiting on a query that waits on the swap) is given up,
 * never deadlocked: the day stays as it was and is settled another time.
 */
export class ReadGate {
  private active = 0;
  private drained: (() => void)[] = [];
  private closing: Promise<void> | undefined;

  async enter(): Promise<void> {
    while (this.closing) await this.closing;
    this.active++;
  }

  leave(): void {
    if (--this.active === 0) for (const resolve of this.drained.splice(0)) resolve();
  }

  async shared<T>(fn: () => Promise<T>): Promise<T> {
    await this.enter();
    try {
      return await fn();
    } finally {
      this.leave();
    }
  }

  /** Runs `fn` with no query running; false when queries did not finish within `waitMs`. */
  async exclusive(fn: () => Promise<void>, waitMs: number): Promise<boolean> {
    while (this.closing) await this.closing;
    let open!: () => void;
    this.closing = new Promise((resolve) => (open = resolve));
    try {
      if (this.active > 0) {
        let timer: NodeJS.Timeout | undefined;
        const drained = await Promise.race([
          new Promise<boolean>((resolve) => this.drained.push(() => resolve(true))),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), waitMs))),
        ]);
        clearTimeout(timer);
        if (!drained) return false;
      }
      await fn();
      return true;
    } finally {
      this.closing = undefined;
      open();
    }
  }
}
