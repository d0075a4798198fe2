import type { Logger } from 'pino';
import type { Labels } from '../../common/labels.js';
import { relabel, type CompiledRelabel } from '../../common/relabel.js';
import {
  SampleAppendError,
  type Appendable,
  type MetricsSource,
  type SampleAppender,
} from '../appender.js';
import { parseBase2Bytes, type ScrapeConfig } from '../config/index.js';
import { writeStaleMarker } from '../queryable.js';
import { goQuote } from '../../common/go-quote.js';
import { parseExposition, type MetricMetadata } from './exposition/index.js';
import { scrapeHttp, ScrapeError, type ScrapeBody } from './http-scrape.js';
import { scrapeMetrics } from './metrics.js';
import { labelsKey, publicLabels, type ScrapeTarget } from './target.js';

/** Prometheus's value.StaleNaN as a JS number; pass it straight to append, never via an array. */
export const STALE_NAN: number = (() => {
  const buf = new Float64Array(1);
  writeStaleMarker(buf, 0);
  return buf[0]!;
})();

export interface LoopDeps {
  appendable: Appendable;
  logger: Logger;
  /** Scraped in-process instead of over HTTP when the target's address is its instance. */
  source?: MetricsSource;
  onMetadata?(metric: string, md: MetricMetadata): void;
  /** Per-process seed mixed into each target's offset, as Prometheus's offsetSeed. */
  offsetSeed: bigint;
  userAgent: string;
  /** Also store scrape_timeout_seconds, scrape_sample_limit, scrape_body_size_bytes. */
  extraMetrics: boolean;
}

export type TargetHealth = 'up' | 'down' | 'unknown';

const REPORT_NAMES = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
] as const;
const EXTRA_REPORT_NAMES = [
  'scrape_timeout_seconds',
  'scrape_sample_limit',
  'scrape_body_size_bytes',
];

/**
 * Scrapes one target every interval, at a per-target offset within the
 * interval (Prometheus's hashing, so targets spread out), appends what it got
 * in one appender committed at the end, reports the synthetic series, and
 * writes stale markers for series that vanish and when the target goes away.
 */
export class ScrapeLoop {
  health: TargetHealth = 'unknown';
  lastError = '';
  lastScrape: Date | undefined;
  lastScrapeDurationSeconds = 0;
  /** Set by the pool when the job is over its target_limit. */
  forcedError: string | undefined;

  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private nextAt = 0;
  private lastStart = 0;
  private stopped = false;
  /** Series of the last scrape that take stale markers: key → labels. */
  private prevSeries = new Map<string, Labels>();
  /** Every series of the last scrape, for scrape_series_added. */
  private prevKeys = new Set<string>();

  constructor(
    public target: ScrapeTarget,
    private cfg: ScrapeConfig,
    private metricRules: CompiledRelabel,
    private readonly deps: LoopDeps,
  ) {}

  start(): void {
    this.schedule(this.offsetMs(Date.now()));
  }

  /** Takes a new config for the same target, keeping the staleness state (reload). */
  update(target: ScrapeTarget, cfg: ScrapeConfig, metricRules: CompiledRelabel): void {
    const intervalChanged = target.intervalMs !== this.target.intervalMs;
    this.target = target;
    this.cfg = cfg;
    this.metricRules = metricRules;
    if (!intervalChanged || this.stopped) return;
    // One timer chain only: a running scrape schedules the next beat itself when done.
    this.nextAt = Date.now() + this.offsetMs(Date.now());
    if (this.running === undefined) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.tick(), Math.max(0, this.nextAt - Date.now()));
    }
  }

  /** Stops scraping; with `stale`, the target's series get stale markers now. */
  async stop(stale: boolean): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (!stale) return;
    try {
      const app = this.deps.appendable.appender();
      const now = Date.now();
      for (const labels of this.prevSeries.values())
        this.appendQuietly(app, labels, now, STALE_NAN);
      if (this.health !== 'unknown') {
        const base = publicLabels(this.target.labels);
        const names = this.deps.extraMetrics
          ? [...REPORT_NAMES, ...EXTRA_REPORT_NAMES]
          : REPORT_NAMES;
        for (const name of names)
          this.appendQuietly(app, { ...base, __name__: name }, now, STALE_NAN);
      }
      this.prevSeries.clear();
      await this.commit(app);
    } catch (err) {
      this.deps.logger.error(
        { target: this.target.url, err: (err as Error).message },
        'Writing stale markers failed',
      );
    }
  }

  /** Prometheus's Target.offset: where in each interval this target is scraped. */
  offsetMs(nowMs: number): number {
    const interval = BigInt(this.target.intervalMs);
    const base = interval - (BigInt(nowMs) % interval);
    const offset = (fnv64a(this.target.key + this.target.url) ^ this.deps.offsetSeed) % interval;
    let next = base + offset;
    if (next > interval) next -= interval;
    return Number(next);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.nextAt = Date.now() + delayMs;
    this.timer = setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    if (this.stopped) return;
    this.running = this.scrapeOnce()
      .catch((err: unknown) => {
        // A store failure must not end the loop (nor the process): log it and scrape on.
        this.deps.logger.error(
          { target: this.target.url, err: (err as Error).message },
          'Scrape failed',
        );
      })
      .finally(() => {
        this.running = undefined;
      });
    // Like Go's ticker: fixed beats, skipping any that a slow scrape overran.
    const now = Date.now();
    let next = this.nextAt + this.target.intervalMs;
    while (next <= now) next += this.target.intervalMs;
    this.nextAt = next;
    void this.running.then(() => {
      if (!this.stopped)
        this.timer = setTimeout(() => this.tick(), Math.max(0, this.nextAt - Date.now()));
    });
  }

  /** One scrape, append and report; exposed for tests and for scraping on demand. */
  async scrapeOnce(): Promise<void> {
    const start = Date.now();
    if (this.lastStart > 0) {
      scrapeMetrics()
        .intervalLength.labels({ interval: this.cfg.scrape_interval })
        .observe((start - this.lastStart) / 1000);
    }
    this.lastStart = start;
    let scrapeErr: string | undefined = this.forcedError;
    let body: ScrapeBody | undefined;
    if (scrapeErr === undefined) {
      try {
        body = await this.fetch();
      } catch (err) {
        scrapeErr = (err as Error).message;
      }
    }
    let app = this.deps.appendable.appender();
    let counts = { total: 0, added: 0, seriesAdded: 0 };
    if (body !== undefined) {
      try {
        counts = this.append(app, body, start);
      } catch (err) {
        app.rollback();
        app = this.deps.appendable.appender();
        scrapeErr = (err as Error).message;
        counts = { total: 0, added: 0, seriesAdded: 0 };
      }
    }
    // A failed scrape leaves nothing current: every series of the last one goes stale.
    if (scrapeErr !== undefined) this.staleAllBut(app, new Map(), start);
    const durationSeconds = (Date.now() - start) / 1000;
    this.report(app, start, durationSeconds, counts, scrapeErr, body?.bytes ?? 0);
    await this.commit(app);
    this.health = scrapeErr === undefined ? 'up' : 'down';
    this.lastError = scrapeErr ?? '';
    this.lastScrape = new Date(start);
    this.lastScrapeDurationSeconds = durationSeconds;
    if (scrapeErr !== undefined) {
      this.deps.logger.debug({ target: this.target.url, err: scrapeErr }, 'Scrape failed');
    }
  }

  private async fetch(): Promise<ScrapeBody> {
    const timeoutMs = this.target.timeoutMs;
    const source = this.deps.source;
    if (source) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new ScrapeError(`Get "${this.target.url}": context deadline exceeded`)),
          timeoutMs,
        );
      });
      try {
        const got = await Promise.race([source.collect(), timeout]);
        return {
          contentType: got.contentType,
          body: got.body,
          bytes: Buffer.byteLength(got.body),
          invalidUtf8: false,
        };
      } finally {
        clearTimeout(timer);
      }
    }
    return scrapeHttp(this.target.url, {
      timeoutMs,
      accept: acceptHeader(this.cfg.scrape_protocols),
      enableCompression: this.cfg.enable_compression,
      bodySizeLimit: this.cfg.body_size_limit
        ? (parseBase2Bytes(this.cfg.body_size_limit) ?? 0)
        : 0,
      userAgent: this.deps.userAgent,
      client: this.cfg,
    });
  }

  private append(
    app: SampleAppender,
    body: ScrapeBody,
    ts: number,
  ): { total: number; added: number; seriesAdded: number } {
    const format = body.contentType.toLowerCase().startsWith('application/openmetrics-text')
      ? 'openmetrics'
      : 'prometheus';
    const parsed = parseExposition(body.body, format, body.invalidUtf8);
    if (this.deps.onMetadata) {
      for (const [name, md] of parsed.metadata) this.deps.onMetadata(name, md);
    }
    const m = scrapeMetrics();
    const targetLabels = publicLabels(this.target.labels);
    const hasRules = this.metricRules.rules.length > 0;
    const sampleLimit = this.cfg.sample_limit ?? 0;
    const cur = new Map<string, Labels>();
    const keys = new Set<string>();
    let total = 0;
    let added = 0;
    let seriesAdded = 0;
    for (const sample of parsed.samples) {
      total++;
      let labels = mutateSampleLabels(sample.labels, targetLabels, this.cfg.honor_labels);
      if (hasRules) {
        const out = relabel(labels, this.metricRules);
        if (out === null) continue;
        labels = out;
      }
      if (Object.keys(labels).length === 0) continue;
      if (!labels.__name__) throw new Error('missing metric name (__name__ label)');
      this.verifyLabelLimits(labels);
      const key = labelsKey(labels);
      if (keys.has(key)) {
        m.duplicateTimestamp.inc();
        continue;
      }
      const explicit = this.cfg.honor_timestamps && sample.timestampMs !== undefined;
      if (!this.appendCounted(app, labels, explicit ? sample.timestampMs! : ts, sample.value)) {
        continue;
      }
      keys.add(key);
      added++;
      if (sampleLimit > 0 && added > sampleLimit) {
        m.exceededSampleLimit.inc();
        throw new Error('sample limit exceeded');
      }
      if (!explicit || this.cfg.track_timestamps_staleness) cur.set(key, labels);
      if (!this.prevKeys.has(key)) seriesAdded++;
    }
    this.staleAllBut(app, cur, ts);
    this.prevKeys = keys;
    return { total, added, seriesAdded };
  }

  /** Stale markers for the last scrape's series missing from `cur`, which becomes the last scrape. */
  private staleAllBut(app: SampleAppender, cur: Map<string, Labels>, ts: number): void {
    for (const [key, labels] of this.prevSeries) {
      if (!cur.has(key)) this.appendQuietly(app, labels, ts, STALE_NAN);
    }
    this.prevSeries = cur;
    if (cur.size === 0) this.prevKeys = new Set();
  }

  private verifyLabelLimits(labels: Labels): void {
    const name = labels.__name__ ?? '';
    const met = name.slice(0, 50);
    const limit = this.cfg.label_limit ?? 0;
    const nameLimit = this.cfg.label_name_length_limit ?? 0;
    const valueLimit = this.cfg.label_value_length_limit ?? 0;
    if (limit === 0 && nameLimit === 0 && valueLimit === 0) return;
    const entries = Object.entries(labels);
    const fail = (message: string): never => {
      scrapeMetrics().exceededLabelLimits.inc();
      throw new Error(message);
    };
    if (limit > 0 && entries.length > limit) {
      fail(
        `label_limit exceeded (metric: ${met}, number of labels: ${entries.length}, limit: ${limit})`,
      );
    }
    if (nameLimit === 0 && valueLimit === 0) return;
    for (const [label, value] of entries) {
      const nameLength = Buffer.byteLength(label);
      if (nameLimit > 0 && nameLength > nameLimit) {
        fail(
          `label_name_length_limit exceeded (metric: ${met}, label name: ${label.slice(0, 50)}, length: ${nameLength}, limit: ${nameLimit})`,
        );
      }
      const valueLength = Buffer.byteLength(value);
      if (valueLimit > 0 && valueLength > valueLimit) {
        fail(
          `label_value_length_limit exceeded (metric: ${met}, label name: ${label.slice(0, 50)}, value: ${goQuote(value.slice(0, 50))}, length: ${valueLength}, limit: ${valueLimit})`,
        );
      }
    }
  }

  /** Appends; a sample the store refuses is counted by reason and skipped, as in Prometheus. */
  private appendCounted(app: SampleAppender, labels: Labels, ts: number, value: number): boolean {
    try {
      app.append(labels, ts, value);
      return true;
    } catch (err) {
      if (!(err instanceof SampleAppendError)) throw err;
      const m = scrapeMetrics();
      if (err.reason === 'out_of_order') m.outOfOrder.inc();
      else if (err.reason === 'out_of_bounds') m.outOfBounds.inc();
      else m.duplicateTimestamp.inc();
      return false;
    }
  }

  private appendQuietly(app: SampleAppender, labels: Labels, ts: number, value: number): void {
    try {
      app.append(labels, ts, value);
    } catch (err) {
      if (!(err instanceof SampleAppendError)) throw err;
    }
  }

  private report(
    app: SampleAppender,
    ts: number,
    durationSeconds: number,
    counts: { total: number; added: number; seriesAdded: number },
    scrapeErr: string | undefined,
    bodyBytes: number,
  ): void {
    const base = publicLabels(this.target.labels);
    const values: [string, number][] = [
      ['up', scrapeErr === undefined ? 1 : 0],
      ['scrape_duration_seconds', durationSeconds],
      ['scrape_samples_scraped', counts.total],
      ['scrape_samples_post_metric_relabeling', counts.added],
      ['scrape_series_added', counts.seriesAdded],
    ];
    if (this.deps.extraMetrics) {
      values.push(
        ['scrape_timeout_seconds', this.target.timeoutMs / 1000],
        ['scrape_sample_limit', this.cfg.sample_limit ?? 0],
        ['scrape_body_size_bytes', scrapeErr === undefined ? bodyBytes : 0],
      );
    }
    for (const [name, value] of values)
      this.appendQuietly(app, { ...base, __name__: name }, ts, value);
  }

  private async commit(app: SampleAppender): Promise<void> {
    try {
      await app.commit();
    } catch (err) {
      this.deps.logger.error(
        { target: this.target.url, err: (err as Error).message },
        'Scrape commit failed',
      );
    }
  }
}

/**
 * Prometheus's mutateSampleLabels: target labels are added to each sample;
 * with honor_labels the scraped ones win, otherwise clashing scraped labels
 * are kept as `exported_<name>`.
 */
export function mutateSampleLabels(sample: Labels, target: Labels, honor: boolean): Labels {
  // Built fresh (never `delete`d from) so V8 keeps these objects fast.
  const out: Labels = {};
  if (honor) {
    for (const name in sample) if (sample[name] !== '') out[name] = sample[name]!;
    for (const name in target) if (out[name] === undefined) out[name] = target[name]!;
    return out;
  }
  let conflicts: [string, string][] | undefined;
  for (const name in sample) {
    const value = sample[name]!;
    if (value === '') continue;
    if (target[name] !== undefined) (conflicts ??= []).push([name, value]);
    else out[name] = value;
  }
  for (const name in target) out[name] = target[name]!;
  if (conflicts) {
    for (const [name, value] of conflicts) {
      let exported = `exported_${name}`;
      while (out[exported] !== undefined && out[exported] !== '') exported = `exported_${exported}`;
      out[exported] = value;
    }
  }
  return out;
}

const PROTOCOL_HEADERS: Record<string, string> = {
  PrometheusProto:
    'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
  'PrometheusText0.0.4': 'text/plain;version=0.0.4',
  'OpenMetricsText0.0.1': 'application/openmetrics-text;version=0.0.1',
  'OpenMetricsText1.0.0': 'application/openmetrics-text;version=1.0.0',
};

/** Prometheus's acceptHeader: the protocols by preference, with descending q, then any type. */
export function acceptHeader(protocols: readonly string[]): string {
  const parts: string[] = [];
  let weight = Object.keys(PROTOCOL_HEADERS).length + 1;
  for (const p of protocols) {
    // obs does not parse the protobuf format; it never asks for it.
    if (p === 'PrometheusProto') continue;
    parts.push(`${PROTOCOL_HEADERS[p]};q=0.${weight}`);
    weight--;
  }
  parts.push(`*/*;q=0.${weight}`);
  return parts.join(',');
}

/** FNV-1a, 64 bits. */
export function fnv64a(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  const bytes = Buffer.from(text);
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}
