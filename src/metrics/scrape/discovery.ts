import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { parsePromDuration } from '../../common/duration.js';
import type { Labels } from '../../common/labels.js';
import { expandGlob, type ScrapeConfig } from '../config/index.js';
import { scrapeMetrics } from './metrics.js';
import type { TargetGroup } from './target.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The target groups of one scrape config: its static_configs, and its
 * file_sd_configs re-read on change (watched, and every refresh_interval as
 * Prometheus does); a file that fails to parse keeps its previous targets.
 */
export class Discovery {
  private readonly fileGroups = new Map<string, TargetGroup[]>();
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
    this.onChange(this.groups());
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
    return out;
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
  const data: unknown = ext === '.json' ? JSON.parse(text) : parseYaml(text);
  if (data === null || data === undefined) return [];
  if (!Array.isArray(data))
    throw new Error(`error parsing file "${file}": expected a list of target groups`);
  return data.map((raw, i) => {
    if (raw === null || typeof raw !== 'object') {
      throw new Error(`error parsing file "${file}": target group ${i} is not a mapping`);
    }
    const g = raw as { targets?: unknown; labels?: unknown };
    const targets = g.targets ?? [];
    if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string')) {
      throw new Error(`error parsing file "${file}": targets must be a list of strings`);
    }
    const labels: Labels = { __meta_filepath: file };
    for (const [name, value] of Object.entries((g.labels ?? {}) as Record<string, unknown>)) {
      if (!LABEL_NAME.test(name)) throw new Error(`"${name}" is not a valid label name`);
      labels[name] = String(value);
    }
    return {
      source: `${file}:${i}`,
      targets: (targets as string[]).map((t) => ({ __address__: t })),
      labels,
    };
  });
}
