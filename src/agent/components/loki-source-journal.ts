import { join } from 'node:path';
import type { Labels } from '../../common/labels.js';
import { relabel, type CompiledRelabel } from '../../common/relabel.js';
import type {
  AgentEntry,
  ArgumentSchema,
  Component,
  ComponentDefinition,
  ComponentOptions,
  LogsReceiver,
} from '../component.js';
import { aborted } from './aborted.js';
import { forward, sleep } from './file/forward.js';
import { legacyPositionsToConvert } from './file/legacy-positions.js';
import { PositionsFile } from './file/positions.js';
import { fieldsAsJson, journalLabels, parseJournalLine } from './journal/journal-entry.js';
import { journalctl } from './journal/journalctl.js';
import { relabelRulesArg } from './relabel-rules.js';

/** Alloy 1.x's `loki.source.journal` arguments (docs/sources/reference/components/loki/loki.source.journal.md). */
const schema: ArgumentSchema = {
  attributes: {
    forward_to: { type: 'list', required: true },
    format_as_json: { type: 'bool', default: false },
    labels: { type: 'map', default: {} },
    matches: { type: 'string', default: '' },
    max_age: { type: 'duration', default: '7h' },
    path: { type: 'string', default: '' },
    relabel_rules: { type: 'any' },
  },
  blocks: {
    legacy_position: {
      schema: {
        attributes: {
          file: { type: 'string', required: true },
          name: { type: 'string', required: true },
        },
        blocks: {},
      },
    },
  },
};

interface Settings {
  forwardTo: LogsReceiver[];
  formatAsJson: boolean;
  labels: Labels;
  matches: string[];
  maxAgeMs: number;
  path: string;
  relabelRules?: CompiledRelabel;
  /** A Promtail positions file and the journal job whose cursor it holds. */
  legacyPosition?: { file: string; name: string };
}

function settings(id: string, args: Record<string, unknown>): Settings {
  const matches = ((args.matches as string | undefined) ?? '').split(/\s+/).filter(Boolean);
  for (const m of matches) {
    if (m === '+') throw new Error('loki.source.journal: "+" (OR) is not supported in matches');
    if (!m.includes('=')) throw new Error(`loki.source.journal: match "${m}" is not FIELD=value`);
  }
  return {
    forwardTo: (args.forward_to as LogsReceiver[] | undefined) ?? [],
    formatAsJson: (args.format_as_json as boolean | undefined) ?? false,
    // Alloy labels every line with job = the component's name unless `labels` sets it.
    labels: { job: id, ...((args.labels as Labels | undefined) ?? {}) },
    matches,
    maxAgeMs: (args.max_age as number | undefined) ?? 7 * 3600_000,
    path: (args.path as string | undefined) ?? '',
    relabelRules: relabelRulesArg(args.relabel_rules),
    legacyPosition: args.legacy_position as Settings['legacyPosition'],
  };
}

/** Records gathered while a send is in flight before journalctl's pipe is paused. */
const MAX_PENDING = 10_000;
const RESTART_DELAY_MS = 1000;

/**
 * `loki.source.journal`: follows the journal with journalctl, each entry's
 * fields as `__journal_<field lowercased>` labels for relabel_rules (the
 * `__` ones dropped before forwarding), and the cursor of the last
 * acknowledged entry in positions.yml, so a restart resumes just after it.
 */
class LokiSourceJournal implements Component {
  readonly id: string;
  private settings: Settings;
  private restart: AbortController | undefined;
  private error: string | undefined;

  constructor(
    private readonly options: ComponentOptions,
    args: Record<string, unknown>,
  ) {
    this.id = options.id;
    this.settings = settings(options.id, args);
  }

  exports(): Record<string, unknown> {
    return {};
  }

  async update(args: Record<string, unknown>): Promise<void> {
    this.settings = settings(this.id, args);
    this.restart?.abort();
  }

  async run(signal: AbortSignal): Promise<void> {
    const file = join(this.options.dataPath, 'positions.yml');
    const key = `cursor-${this.id}`;
    const positions = await PositionsFile.open(file);
    await this.convertLegacy(positions, key);
    while (!signal.aborted) {
      this.restart = new AbortController();
      const inner = AbortSignal.any([signal, this.restart.signal]);
      const exit = await this.follow(positions, key, inner);
      if (!exit || this.restart.signal.aborted) continue;
      // A stop signal sent to the whole process group (Ctrl-C, systemd's
      // control-group kill) ends journalctl just before the agent's own stop:
      // only an exit the stop does not follow within the delay is news.
      await sleep(RESTART_DELAY_MS, signal);
      if (!signal.aborted) this.options.logger.warn(exit, 'journalctl exited; restarting');
    }
    await positions.save();
  }

  /**
   * Promtail's cursor for the journal job `legacy_position.name` becomes this
   * component's, as Alloy's ConvertLegacyPositionsFileJournal does: only
   * while positions.yml is missing or empty.
   */
  private async convertLegacy(converted: PositionsFile, key: string): Promise<void> {
    const legacy = this.settings.legacyPosition;
    if (!legacy) return;
    const { positions, reason } = await legacyPositionsToConvert(legacy.file, converted.file);
    const cursor = positions?.[`cursor-${legacy.name}`];
    if (cursor === undefined) {
      this.options.logger.info(
        { legacy_path: legacy.file, reason: reason ?? `no cursor for job ${legacy.name}` },
        'will not convert the legacy positions file',
      );
      return;
    }
    converted.put(key, '', cursor);
    await converted.save();
  }

  health(): { healthy: boolean; message?: string } {
    return this.error ? { healthy: false, message: this.error } : { healthy: true };
  }

  /** One journalctl run, until it exits (returned) or `signal` aborts (undefined). */
  private async follow(
    positions: PositionsFile,
    key: string,
    signal: AbortSignal,
  ): Promise<{ code: number | null; stderr: string } | undefined> {
    const s = this.settings;
    const cursor = positions.get(key, '');
    // Resuming from a cursor, entries older than max_age are still not read, as in Alloy
    // (which then starts at max_age instead of the cursor).
    const cutoff = cursor ? BigInt(Date.now() - s.maxAgeMs) * 1_000_000n : undefined;
    let pending: { entries: AgentEntry[]; cursor: string | undefined } = { entries: [], cursor };
    let sending: Promise<void> | undefined;
    let running = false;
    let paused = false;
    const stop = new AbortController();
    const stopSignal = AbortSignal.any([signal, stop.signal]);
    // `running` drops in the same tick as the loop's last check, so no record is stranded.
    const flush = async (): Promise<void> => {
      running = true;
      while (
        pending.cursor !== undefined &&
        pending.cursor !== positions.get(key, '') &&
        !signal.aborted
      ) {
        const batch = pending;
        pending = { entries: [], cursor: batch.cursor };
        if (paused) {
          paused = false;
          proc.resume();
        }
        if (batch.entries.length > 0) {
          this.options.metrics?.read(batch.entries.length);
          if (!(await forward(s.forwardTo, batch.entries, signal, this.options.logger))) break;
        }
        positions.put(key, '', batch.cursor!);
        positions.scheduleSave();
      }
      running = false;
    };
    const labelCache = new Map<string, Labels | null>();
    const onLine = (line: string) => {
      let record;
      try {
        record = parseJournalLine(line);
      } catch {
        this.options.metrics?.dropped(1, 'parse_error');
        return;
      }
      if (!record) return;
      pending.cursor = record.cursor;
      // Resumed from a cursor: entries older than max_age are passed over, the cursor moving on.
      if (cutoff === undefined || record.timestamp >= cutoff) {
        const text = s.formatAsJson ? fieldsAsJson(record.fields) : record.fields.MESSAGE;
        if (text === undefined) {
          this.options.metrics?.dropped(1, 'no_message');
        } else {
          const labels = this.labelsFor(record.fields, labelCache);
          if (labels) pending.entries.push({ labels, timestamp: record.timestamp, line: text });
          else this.options.metrics?.dropped(1, 'empty_labels');
        }
      }
      if (pending.entries.length >= MAX_PENDING && !paused) {
        paused = true;
        proc.pause();
      }
      if (!running) sending = flush();
    };
    const proc = journalctl(
      {
        path: s.path,
        afterCursor: cursor,
        sinceSeconds: cursor ? undefined : (Date.now() - s.maxAgeMs) / 1000,
        matches: s.matches,
      },
      onLine,
      stopSignal,
    );
    void aborted(signal).then(() => stop.abort());
    const { code, stderr } = await proc.exited;
    await sending;
    if (!signal.aborted) await flush();
    if (signal.aborted) {
      this.error = undefined;
      return undefined;
    }
    this.error = `journalctl exited (${code ?? 'signal'}): ${stderr || 'no output'}`;
    return { code, stderr };
  }

  /**
   * Labels for one entry: fields as `__journal_*`, the component's labels,
   * relabel_rules, `__` labels dropped; null drops the entry (no labels
   * left, as in Alloy). Cached by field set, which repeats per unit.
   */
  private labelsFor(
    fields: Record<string, string>,
    cache: Map<string, Labels | null>,
  ): Labels | null {
    const input: Labels = { ...journalLabels(fields), ...this.settings.labels };
    const rules = this.settings.relabelRules;
    if (!rules) return this.settings.labels;
    const { MESSAGE: _m, ...rest } = fields;
    const key = JSON.stringify(rest);
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const result = relabel(input, rules);
    let out: Labels | null = null;
    if (result) {
      out = {};
      for (const [k, v] of Object.entries(result)) if (!k.startsWith('__')) out[k] = v;
      if (Object.keys(out).length === 0) out = null;
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(key, out);
    return out;
  }
}

export const lokiSourceJournal: ComponentDefinition = {
  name: 'loki.source.journal',
  arguments: schema,
  build: (options, args) => new LokiSourceJournal(options, args),
};
