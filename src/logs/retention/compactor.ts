import type { Logger } from 'pino';
import type { LokiConfig } from '../config/index.js';
import type { LogStore } from '../store/index.js';
import { DAY_NS, HOUR_NS } from '../store/index.js';
import { compileRetentionRules, retentionPeriodFor } from './stream-retention.js';

export interface CompactionReport {
  retiredDays: number[];
  droppedDays: number[];
  deletedEntries: number;
  /** Days rewritten into their settled form (not written for a compaction interval). */
  settledDays: number[];
}

/**
 * Loki's compactor with retention, for the DuckDB store. Each run, with
 * `retention_enabled`: whole days older than every stream's retention are
 * hidden from queries and, `retention_delete_delay` later, dropped; streams
 * whose `retention_stream` rule (or the global period) is shorter lose
 * their older entries row by row; then a checkpoint returns the space. With
 * or without it, days no longer being written are then rewritten compactly
 * (settled), and days still being written have their new rows indexed.
 */
export class RetentionCompactor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<CompactionReport> | undefined;
  /** When each retired day may be dropped (ms since the epoch). */
  private readonly dropAfter = new Map<number, number>();
  private readonly rules;

  constructor(
    private readonly store: LogStore,
    private readonly config: Pick<LokiConfig, 'limits' | 'compactor'>,
    private readonly logger?: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.rules = compileRetentionRules(config.limits.retentionStream);
  }

  /**
   * Runs once now, then every `compaction_interval`. As Loki's compactor,
   * it runs without `retention_enabled` too: it then only compacts (settles).
   */
  start(): void {
    const tick = (): void => {
      this.runOnce().catch((err: unknown) => this.logger?.error({ err }, 'compaction failed'));
    };
    tick();
    this.timer = setInterval(tick, this.config.compactor.compactionIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  runOnce(): Promise<CompactionReport> {
    this.running ??= this.compact().finally(() => (this.running = undefined));
    return this.running;
  }

  private async compact(): Promise<CompactionReport> {
    const nowMs = this.now();
    const report: CompactionReport = {
      retiredDays: [],
      droppedDays: [],
      deletedEntries: 0,
      settledDays: [],
    };
    if (this.config.compactor.retentionEnabled) await this.applyRetention(nowMs, report);
    report.settledDays = await this.store.settle(this.config.compactor.compactionIntervalMs);
    return report;
  }

  /** Hides days past retention, deletes streams' older entries, drops hidden days after the delay. */
  private async applyRetention(nowMs: number, report: CompactionReport): Promise<void> {
    const nowNs = BigInt(nowMs) * 1_000_000n;
    const globalMs = this.config.limits.retentionPeriodMs;
    const streams = this.store.streamsWithAge().map((s) => ({
      ...s,
      periodMs: retentionPeriodFor(s.labels, this.rules, globalMs),
    }));
    // A day goes as a whole once even the longest-kept stream no longer needs it.
    const keepForever = globalMs === 0 || streams.some((s) => s.periodMs === 0);
    const longestMs = Math.max(globalMs, ...streams.map((s) => s.periodMs));
    if (!keepForever) {
      const cutoffNs = nowNs - BigInt(longestMs) * 1_000_000n;
      for (const day of this.store.partitionDays()) {
        if (BigInt(day + 1) * DAY_NS > cutoffNs) break;
        this.store.retireDay(day);
        this.dropAfter.set(day, nowMs + this.config.compactor.retentionDeleteDelayMs);
        report.retiredDays.push(day);
      }
    }
    // Streams kept less than the longest period lose entries row by row.
    const byPeriod = new Map<number, number[]>();
    for (const s of streams) {
      if (s.periodMs === 0 || s.oldestHour === undefined) continue;
      const cutoffNs = nowNs - BigInt(s.periodMs) * 1_000_000n;
      if (BigInt(s.oldestHour) * HOUR_NS >= cutoffNs) continue;
      const ids = byPeriod.get(s.periodMs) ?? [];
      ids.push(s.id);
      byPeriod.set(s.periodMs, ids);
    }
    for (const [periodMs, ids] of byPeriod) {
      report.deletedEntries += await this.store.deleteEntries(
        ids,
        nowNs - BigInt(periodMs) * 1_000_000n,
      );
    }
    for (const day of this.store.retiredDays()) {
      const due = this.dropAfter.get(day) ?? nowMs + this.config.compactor.retentionDeleteDelayMs;
      this.dropAfter.set(day, due);
      if (due > nowMs) continue;
      await this.store.dropDay(day);
      this.dropAfter.delete(day);
      report.droppedDays.push(day);
    }
    const changed =
      report.retiredDays.length + report.droppedDays.length + report.deletedEntries > 0;
    if (changed) {
      await this.store.reloadHours();
      await this.store.checkpoint();
      this.logger?.info(report, 'retention applied');
    }
  }
}
