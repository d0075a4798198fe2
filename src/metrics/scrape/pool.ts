import { hostname } from 'node:os';
import type { Labels } from '../../common/labels.js';
import { isLoopback } from '../../common/net.js';
import { compileRelabel, type CompiledRelabel } from '../../common/relabel.js';
import type { ScrapeConfig } from '../config/index.js';
import { ScrapeLoop, type LoopDeps } from './loop.js';
import { scrapeMetrics } from './metrics.js';
import { populateTarget, publicLabels, type ScrapeTarget, type TargetGroup } from './target.js';
import type { MetricsSource } from '../appender.js';

/** /api/v1/targets' activeTargets entry, in Prometheus 2.52's shape. */
export interface ActiveTargetJson {
  discoveredLabels: Labels;
  labels: Labels;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: string;
  scrapeInterval: string;
  scrapeTimeout: string;
}

export interface DroppedTargetJson {
  discoveredLabels: Labels;
}

export type PoolDeps = Omit<LoopDeps, 'source'> & { sources: readonly MetricsSource[] };

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** Prometheus's globalURL: a loopback host replaced by this machine's name, for links from elsewhere. */
function globalUrl(url: string): string {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isLoopback(host)) u.hostname = hostname();
  return u.toString();
}

/**
 * The targets of one scrape job: turns discovered groups into targets, keeps
 * one loop per target across syncs and reloads, and stops (with stale
 * markers) the loops of targets that disappear.
 */
export class ScrapePool {
  private loops = new Map<string, ScrapeLoop>();
  private dropped: Labels[] = [];
  private droppedCount = 0;
  private targetRules: CompiledRelabel;
  private metricRules: CompiledRelabel;

  constructor(
    private cfg: ScrapeConfig,
    private readonly deps: PoolDeps,
  ) {
    this.targetRules = compileRelabel(cfg.relabel_configs ?? []);
    this.metricRules = compileRelabel(cfg.metric_relabel_configs ?? []);
    scrapeMetrics().pools.inc();
  }

  get job(): string {
    return this.cfg.job_name;
  }

  /** Takes the discovered groups; starts, updates and stops loops to match. */
  async sync(groups: TargetGroup[]): Promise<void> {
    const started = Date.now();
    const active = new Map<string, ScrapeTarget>();
    const dropped: Labels[] = [];
    let discovered = 0;
    for (const group of groups) {
      for (const t of group.targets) {
        discovered++;
        const r = populateTarget(group, t, this.cfg, this.targetRules);
        if (r.kind === 'active') {
          if (!active.has(r.target.key)) active.set(r.target.key, r.target);
        } else {
          if (r.kind === 'error') {
            this.deps.logger.error(
              { scrape_pool: this.job, target: r.discoveredLabels.__address__, err: r.error },
              'Creating target failed',
            );
          }
          dropped.push(r.discoveredLabels);
        }
      }
    }
    scrapeMetrics().discoveredTargets.labels({ config: this.job, name: 'scrape' }).set(discovered);
    this.droppedCount = dropped.length;
    const keep = this.cfg.keep_dropped_targets ?? 0;
    this.dropped = keep > 0 ? dropped.slice(0, keep) : dropped;

    const stopping: Promise<void>[] = [];
    for (const [key, loop] of this.loops) {
      if (!active.has(key)) {
        this.loops.delete(key);
        stopping.push(loop.stop(true));
      }
    }
    for (const [key, target] of active) {
      const loop = this.loops.get(key);
      if (loop) loop.update(target, this.cfg, this.metricRules);
      else {
        const source = this.deps.sources.find((s) => s.instance === target.labels.__address__);
        const created = new ScrapeLoop(target, this.cfg, this.metricRules, {
          ...this.deps,
          source,
        });
        this.loops.set(key, created);
        created.start();
      }
    }
    this.applyTargetLimit();
    await Promise.all(stopping);
    const m = scrapeMetrics();
    m.poolTargets.labels({ scrape_job: this.job }).set(this.loops.size);
    m.syncLength.labels({ scrape_job: this.job }).observe((Date.now() - started) / 1000);
  }

  /** A reload with this job's new config; the next sync applies it, loops keep their state. */
  setConfig(cfg: ScrapeConfig): void {
    scrapeMetrics().poolReloads.inc();
    this.cfg = cfg;
    this.targetRules = compileRelabel(cfg.relabel_configs ?? []);
    this.metricRules = compileRelabel(cfg.metric_relabel_configs ?? []);
  }

  async stop(): Promise<void> {
    const loops = [...this.loops.values()];
    this.loops.clear();
    await Promise.all(loops.map((l) => l.stop(true)));
    scrapeMetrics().poolTargets.labels({ scrape_job: this.job }).set(0);
  }

  /** Every loop, for scraping on demand in tests. */
  allLoops(): ScrapeLoop[] {
    return [...this.loops.values()];
  }

  activeTargets(): ActiveTargetJson[] {
    return [...this.loops.values()].map((loop) => {
      const t = loop.target;
      return {
        discoveredLabels: t.discoveredLabels,
        labels: publicLabels(t.labels),
        scrapePool: this.job,
        scrapeUrl: t.url,
        globalUrl: globalUrl(t.url),
        lastError: loop.lastError,
        lastScrape: loop.lastScrape ? loop.lastScrape.toISOString() : GO_ZERO_TIME,
        lastScrapeDuration: loop.lastScrapeDurationSeconds,
        health: loop.health,
        scrapeInterval: t.labels.__scrape_interval__ ?? this.cfg.scrape_interval,
        scrapeTimeout: t.labels.__scrape_timeout__ ?? this.cfg.scrape_timeout,
      };
    });
  }

  droppedTargets(): DroppedTargetJson[] {
    return this.dropped.map((discoveredLabels) => ({ discoveredLabels }));
  }

  droppedTargetCount(): number {
    return this.droppedCount;
  }

  /** Over target_limit every scrape of the job fails, as in Prometheus. */
  private applyTargetLimit(): void {
    const limit = this.cfg.target_limit ?? 0;
    const over = limit > 0 && this.loops.size > limit;
    const message = over
      ? `target_limit exceeded (number of targets: ${this.loops.size}, limit: ${limit})`
      : undefined;
    for (const loop of this.loops.values()) loop.forcedError = message;
  }
}
