import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Appendable } from '../../appender.js';
import type { PrometheusConfig, RemoteWriteConfig } from '../../config/index.js';
import { RemoteWriteQueue, type SampleBatch } from './queue.js';
import { teeAppendable } from './tee.js';
import type { FamilyMetadata } from './encode.js';

export interface RemoteWriteManagerOptions {
  /** Queues keep their on-disk buffers under `<dataDir>/remote-write/<queue name>`. */
  dataDir: string;
  logger: Logger;
  userAgent: string;
  /** --storage.remote.flush-deadline */
  flushDeadlineMs: number;
  /** Metric metadata for metadata_config sends. */
  metadata?: () => FamilyMetadata[];
}

/**
 * Every `remote_write` of the config: one queue each, kept across reloads
 * while its config is unchanged. `wrap` gives the Appendable whose commits
 * feed the queues.
 */
export class RemoteWriteManager {
  private queues = new Map<string, { hash: string; queue: RemoteWriteQueue }>();

  constructor(private readonly opts: RemoteWriteManagerOptions) {}

  wrap(inner: Appendable): Appendable {
    return teeAppendable(
      inner,
      (batch) => this.enqueue(batch),
      () => this.queues.size > 0,
    );
  }

  async applyConfig(config: PrometheusConfig): Promise<void> {
    const wanted = new Map<string, { hash: string; cfg: RemoteWriteConfig }>();
    const external = config.global.external_labels ?? {};
    for (const cfg of config.remote_write) {
      const hash = createHash('md5').update(JSON.stringify({ cfg, external })).digest('hex');
      wanted.set(cfg.name || hash.slice(0, 6), { hash, cfg });
    }
    const stopping: Promise<void>[] = [];
    for (const [name, q] of this.queues) {
      if (wanted.get(name)?.hash !== q.hash) {
        this.queues.delete(name);
        stopping.push(q.queue.stop(this.opts.flushDeadlineMs));
      }
    }
    await Promise.all(stopping);
    for (const [name, { hash, cfg }] of wanted) {
      if (this.queues.has(name)) continue;
      const queue = new RemoteWriteQueue({
        cfg,
        name,
        dir: join(this.opts.dataDir, 'remote-write', name),
        externalLabels: external,
        logger: this.opts.logger.child({ component: 'remote', remote_name: name }),
        userAgent: this.opts.userAgent,
        ...(this.opts.metadata ? { metadata: this.opts.metadata } : {}),
      });
      queue.start();
      this.queues.set(name, { hash, queue });
    }
  }

  pendingSamples(): number {
    let n = 0;
    for (const { queue } of this.queues.values()) n += queue.pendingSamples();
    return n;
  }

  async stop(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(queues.map((q) => q.queue.stop(this.opts.flushDeadlineMs)));
  }

  /** The store has the batch already: a queue that cannot take it logs, the commit stands. */
  private enqueue(batch: SampleBatch): void {
    for (const [name, { queue }] of this.queues) {
      try {
        queue.enqueue(batch);
      } catch (err) {
        this.opts.logger.error(
          { remote_name: name, err: (err as Error).message, samples: batch.length },
          'Remote write queue could not buffer samples',
        );
      }
    }
  }
}
