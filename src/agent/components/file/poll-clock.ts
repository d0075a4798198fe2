/**
 * One timer for every file reader of a component: readers wait for the
 * clock's ticks instead of each arming its own timer, so fifty idle files
 * wake the process four times a second instead of two hundred.
 */
export class PollClock {
  private waiters: { due: number; resolve: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly periodMs: number) {}

  /** Resolves on the first tick at least `ms` from now (or at `wakeAll`). */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ due: Date.now() + ms - this.periodMs / 2, resolve });
      this.timer ??= setTimeout(() => this.tick(), this.periodMs);
    });
  }

  /** Releases every waiter now (a reader is stopping). */
  wakeAll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private tick(): void {
    this.timer = undefined;
    const now = Date.now();
    const due = this.waiters.filter((w) => w.due <= now);
    this.waiters = this.waiters.filter((w) => w.due > now);
    if (this.waiters.length > 0) this.timer = setTimeout(() => this.tick(), this.periodMs);
    for (const w of due) w.resolve();
  }
}
