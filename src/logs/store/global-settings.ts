/** A connection of its own that changes DuckDB's global settings. */
export interface SettingsConnection {
  run(sql: string): Promise<unknown>;
  closeSync(): void;
}

/**
 * DuckDB's global settings, changed one at a time in the order they were
 * asked for, on a connection of their own (the memory limit, the allocator's
 * bulk-free threshold).
 */
export class GlobalSettings {
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly conn: SettingsConnection) {}

  /** Sets `name` to `value` after every setting asked for before. */
  set(name: string, value: string): Promise<unknown> {
    const done = this.last.then(() => this.conn.run(`SET GLOBAL ${name} = '${value}'`));
    this.last = done.catch(() => undefined);
    return done;
  }

  /** Resolves once every setting asked for so far is done or has failed. */
  settled(): Promise<unknown> {
    return this.last;
  }

  close(): void {
    this.conn.closeSync();
  }
}
