import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Appendable, MetricsSource } from '../appender.js';
import type { PrometheusConfig, ScrapeConfig } from '../config/index.js';
import { Discovery } from './discovery.js';
import type { MetricMetadata } from './exposition/index.js';
import { fnv64a, type ScrapeLoop } from './loop.js';
import { ScrapePool, type ActiveTargetJson, type DroppedTargetJson } from './pool.js';
import { labelsKey } from './target.js';

export interface ScrapeManagerOptions {
  appendable: Appendable;
  logger: Logger;
  /** In-process sources, scraped by calling collect() when a target's address is their instance. */
  sources?: readonly MetricsSource[];
  onMetadata?(metric: string, md: MetricMetadata): void;
  /** Prometheus's User-Agent, e.g. `Prometheus/2.52.0`. */
  userAgent: string;
  /** --enable-feature=extra-scrape-metrics */
  extraMetrics?: boolean;
}

export interface TargetsJson {
  activeTargets: ActiveTargetJson[];
  droppedTargets: DroppedTargetJson[];
  droppedTargetCounts: Record<string, number>;
}

interface Job {
  cfg: ScrapeConfig;
  pool: ScrapePool;
  discovery: Discovery;
}

/**
 * Prometheus's scrape manager: one pool per scrape config, fed by that
 * config's discovery; applyConfig reloads in place (unchanged jobs keep
 * running, changed ones keep their loops' staleness state, removed ones stop
 * with stale markers).
 */
export class ScrapeManager {
  private jobs = new Map<string, Job>();
  private stopped = false;

  constructor(private readonly opts: ScrapeManagerOptions) {}

  async applyConfig(config: PrometheusConfig): Promise<void> {
    const external = config.global.external_labels ?? {};
    const offsetSeed = fnv64a(hostname() + labelsKey(external));
    const wanted = new Map(config.scrape_configs.map((c) => [c.job_name, c]));
    const stopping: Promise<void>[] = [];
    for (const [name, job] of this.jobs) {
      if (!wanted.has(name)) {
        job.discovery.stop();
        stopping.push(job.pool.stop());
        this.jobs.delete(name);
      }
    }
    const starting: Promise<void>[] = [];
    for (const [name, cfg] of wanted) {
      const existing = this.jobs.get(name);
      if (existing && JSON.stringify(existing.cfg) === JSON.stringify(cfg)) continue;
      if (existing) existing.discovery.stop();
      const pool =
        existing?.pool ??
        new ScrapePool(cfg, {
          appendable: this.opts.appendable,
          logger: this.opts.logger,
          sources: this.opts.sources ?? [],
          onMetadata: this.opts.onMetadata,
          offsetSeed,
          userAgent: this.opts.userAgent,
          extraMetrics: this.opts.extraMetrics ?? false,
        });
      if (existing) pool.setConfig(cfg);
      const discovery = new Discovery(
        cfg,
        (groups) => {
          if (this.stopped) return;
          pool.sync(groups).catch((err: unknown) => {
            this.opts.logger.error(
              { job: name, err: (err as Error).message },
              'Syncing targets failed',
            );
          });
        },
        this.opts.logger.child({ component: 'discovery', job: name }),
      );
      this.jobs.set(name, { cfg, pool, discovery });
      starting.push(discovery.start());
    }
    await Promise.all([...stopping, ...starting]);
  }

  targets(): TargetsJson {
    const active: ActiveTargetJson[] = [];
    const dropped: DroppedTargetJson[] = [];
    const counts: Record<string, number> = {};
    for (const name of [...this.jobs.keys()].sort()) {
      const pool = this.jobs.get(name)!.pool;
      active.push(...pool.activeTargets().sort((a, b) => a.scrapeUrl.localeCompare(b.scrapeUrl)));
      dropped.push(...pool.droppedTargets());
      counts[name] = pool.droppedTargetCount();
    }
    return { activeTargets: active, droppedTargets: dropped, droppedTargetCounts: counts };
  }

  /** Every running loop (tests scrape on demand through these). */
  loops(): ScrapeLoop[] {
    return [...this.jobs.values()].flatMap((j) => j.pool.allLoops());
  }

  /** Stops every job; their series get stale markers, as when Prometheus shuts a target down. */
  async stop(): Promise<void> {
    this.stopped = true;
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    for (const job of jobs) job.discovery.stop();
    await Promise.all(jobs.map((j) => j.pool.stop()));
  }
}
