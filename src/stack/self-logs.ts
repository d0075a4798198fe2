import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { LogSink, LogStream } from '../logs/sink.js';
import { SEED } from './defaults.js';

/**
 * Receives obs's own pino lines and pushes them into the logs role with
 * job="obs", so the stack's logs are queryable like any other. Lines written
 * before the sink exists are kept (up to a bound) and sent once it does.
 */
export class SelfLogForwarder extends Writable {
  private sink: LogSink | undefined;
  private pending: { timestamp: bigint; line: string; level: string }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private static readonly MAX_PENDING = 10_000;

  constructor() {
    super({ decodeStrings: false });
  }

  attach(sink: LogSink): void {
    this.sink = sink;
    this.timer = setInterval(() => void this.flush(), 1000);
    this.timer.unref();
  }

  override _write(chunk: string | Buffer, _enc: BufferEncoding, done: (err?: Error) => void): void {
    const line = chunk.toString().trimEnd();
    let level = 'info';
    try {
      level = pino.levels.labels[(JSON.parse(line) as { level?: number }).level ?? 30] ?? 'info';
    } catch {
      // not JSON: keep the line as it is
    }
    if (this.pending.length < SelfLogForwarder.MAX_PENDING) {
      this.pending.push({ timestamp: BigInt(Date.now()) * 1_000_000n, line, level });
    }
    done();
  }

  /** Pushes what is pending; called every second and at shutdown. */
  async flush(): Promise<void> {
    if (!this.sink || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const byLevel = new Map<string, LogStream>();
    for (const { timestamp, line, level } of batch) {
      let stream = byLevel.get(level);
      if (!stream) {
        stream = {
          labels: { job: 'obs', env: SEED.labels.env, host: hostname(), level },
          entries: [],
        };
        byLevel.set(level, stream);
      }
      stream.entries.push({ timestamp, line });
    }
    try {
      await this.sink.push([...byLevel.values()]);
    } catch {
      // The store refused or is stopping: obs's own logs are still on stderr.
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
    this.sink = undefined;
  }
}
