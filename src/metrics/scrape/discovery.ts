import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { parsePromDuration } from '../../common/duration.js';
import type { Labels } from '../../common/labels.js';
import { expandGlob, type ScrapeConfig } from '../config/index.js';
import { scrapeHttp } from './http-scrape.js';
import { scrapeMetrics } from './metrics.js';
import type { TargetGroup } from './target.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The target groups of one scrape config: its static_configs, its
 * file_sd_configs re-read on change (watched, and every refresh_interval as
 * Prometheus does), and its http_sd_configs polled every refresh_interval; a
 * file or endpoint that fails keeps its previous targets.
 */
export class Discovery {
  private readonly fileGroups = new Map<string, TargetGroup[]>();
  private readonly httpGroups = new Map<number, TargetGroup[]>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly watchers: FSWatcher[] = [];
  private debounce: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly cfg: ScrapeConfig,
    private readonly onChange: (groups: TargetGroup[]) => void,
    private readonly logger: Logger,
  ) {}

  /** Reads everything once and reports; then keeps watching files. */
  async start(): Promise<void> {
    await this.refreshFiles();
    await Promise.all((this.cfg.http_sd_configs ?? []).map((_sd, i) => this.refreshHttp(i)));
    this.onChange(this.groups());
    (this.cfg.http_sd_configs ?? []).forEach((sd, i) => {
      const every = parsePromDuration(sd.refresh_interval) ?? 60e3;
      const timer = setInterval(() => {
        void this.refreshHttp(i).then(() => {
          if (!this.stopped) this.onChange(this.groups());
        });
      }, every);
      timer.unref();
      this.timers.push(timer);
    });
    for (const sd of this.cfg.file_sd_configs ?? []) {
      const every = parsePromDuration(sd.refresh_interval) ?? 300e3;
      const timer = setInterval(() => void this.refreshAndReport(), every);
      timer.unref();
      this.timers.push(timer);
      for (const dir of new Set(sd.files.map((f) => dirname(f)))) {
        try {
          const w = watch(dir, () => this.scheduleRefresh());
          w.on('error', () => undefined);
          w.unref();
          this.watchers.push(w);
        } catch {
          // A missing directory is re-checked at every refresh_interval.
        }
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const w of this.watchers) w.close();
    if (this.debounce) clearTimeout(this.debounce);
  }

  groups(): TargetGroup[] {
    const out: TargetGroup[] = [];
    (this.cfg.static_configs ?? []).forEach((sc, i) => {
      out.push({
        source: `static_configs/${i}`,
        targets: sc.targets.map((t) => ({ __address__: t })),
        labels: { ...(sc.labels ?? {}) },
      });
    });
    for (const groups of this.fileGroups.values()) out.push(...groups);
    for (const groups of this.httpGroups.values()) out.push(...groups);
    return out;
  }

  /** One http_sd_configs endpoint; on failure its last good targets stay. */
  private async refreshHttp(i: number): Promise<void> {
    const sd = this.cfg.http_sd_configs![i]!;
    try {
      const res = await scrapeHttp(sd.url, {
        timeoutMs: Math.min(parsePromDuration(sd.refresh_interval) ?? 60e3, 30e3),
        accept: 'application/json',
        enableCompression: true,
        bodySizeLimit: 0,
        userAgent: 'Prometheus/2.52.0',
        client: sd,
      });
      if (!/^application\/json\b/i.test(res.contentType)) {
        throw new Error(`unsupported content type "${res.contentType}"`);
      }
      this.httpGroups.set(i, parseGroups(JSON.parse(res.body), sd.url, '__meta_url'));
    } catch (err) {
      scrapeMetrics().sdHttpFailures.inc();
      this.logger.error(
        { url: sd.url, err: (err as Error).message },
        'Unable to refresh target groups',
      );
    }
  }

  private scheduleRefresh(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.refreshAndReport(), 50);
    this.debounce.unref();
  }

  private async refreshAndReport(): Promise<void> {
    if (this.stopped) return;
    await this.refreshFiles();
    if (!this.stopped) this.onChange(this.groups());
  }

  private async refreshFiles(): Promise<void> {
    const seen = new Set<string>();
    for (const sd of this.cfg.file_sd_configs ?? []) {
      for (const pattern of sd.files) {
        for (const file of expandGlob(pattern)) {
          seen.add(file);
          try {
            this.fileGroups.set(file, await readGroups(file));
          } catch (err) {
            scrapeMetrics().sdFileReadErrors.inc();
            this.logger.error(
              { file, err: (err as Error).message },
              'Error reading file for service discovery',
            );
          }
        }
      }
    }
    for (const file of [...this.fileGroups.keys()]) {
      if (!seen.has(file)) this.fileGroups.delete(file);
    }
  }
}

/** A file_sd file: a JSON or YAML list of {targets, labels}, with `__meta_filepath` added. */
export async function readGroups(file: string): Promise<TargetGroup[]> {
  const text = await readFile(file, 'utf8');
  const ext = extname(file).toLowerCase();
  return parseGroups(ext === '.json' ? JSON.parse(text) : parseYaml(text), file, '__meta_filepath');
}

/** A list of {targets, labels} from file or HTTP SD, each group labelled with its origin. */
function parseGroups(data: unknown, origin: string, originLabel: string): TargetGroup[] {
  if (data === null || data === undefined) return [];
  if (!Array.isArray(data)) {
    throw new Error(`error parsing "${origin}": expected a list of target groups`);
  }
  return data.map((raw, i) => {
    if (raw === null || typeof raw !== 'object') {
      throw new Error(`error parsing "${origin}": target group ${i} is not a mapping`);
    }
    const g = raw as { targets?: unknown; labels?: unknown };
    const targets = g.targets ?? [];
    if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string')) {
      throw new Error(`error parsing "${origin}": targets must be a list of strings`);
    }
    const labels: Labels = { [originLabel]: origin };
    for (const [name, value] of Object.entries((g.labels ?? {}) as Record<string, unknown>)) {
      if (!LABEL_NAME.test(name)) throw new Error(`"${name}" is not a valid label name`);
      labels[name] = String(value);
    }
    return {
      source: `${origin}:${i}`,
      targets: (targets as string[]).map((t) => ({ __address__: t })),
      labels,
    };
  });
}
