/**
 * At most `max` queries at a time, the others waiting in arrival order, as
 * Loki's queriers take at most `querier.max_concurrent` (default 4) queries
 * from the scheduler's queue. Queries share DuckDB's memory limit: with six
 * at once beside loads, one in ~170 ran out of it.
 */
export class QuerySlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  /** Runs `fn` once a slot is free; a query aborted while waiting never runs. */
  async run<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) {
      await new Promise<void>((resolve, reject) => {
        const start = (): void => {
          signal.removeEventListener('abort', cancel);
          resolve();
        };
        const cancel = (): void => {
          this.waiting.splice(this.waiting.indexOf(start), 1);
          reject(signal.reason);
        };
        this.waiting.push(start);
        signal.addEventListener('abort', cancel, { once: true });
      });
    } else {
      this.running++;
    }
    try {
      return await fn();
    } finally {
      // The slot passes to the next query in line, or is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
