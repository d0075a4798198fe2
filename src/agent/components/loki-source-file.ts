import { join } from 'node:path';
import { formatLabels, type Labels } from '../../common/labels.js';
import type {
  AgentEntry,
  ArgumentSchema,
  Component,
  ComponentDefinition,
  ComponentOptions,
  LogsReceiver,
} from '../component.js';
import { DECOMPRESSION_FORMATS, readCompressed } from './file/decompressor.js';
import { aborted } from './aborted.js';
import { forward, sleep } from './file/forward.js';
import { legacyPositionsToConvert } from './file/legacy-positions.js';
import { PositionsFile } from './file/positions.js';
import { PollClock } from './file/poll-clock.js';
import { expandPathTargets } from './file/path-targets.js';
import { FileTailer, type PositionsFileErrorPolicy } from './file/tailer.js';

/** Alloy 1.x's `loki.source.file` arguments (docs/sources/reference/components/loki/loki.source.file.md). */
const schema: ArgumentSchema = {
  attributes: {
    targets: { type: 'list', required: true },
    forward_to: { type: 'list', required: true },
    encoding: { type: 'string', default: '' },
    legacy_positions_file: { type: 'string', default: '' },
    on_positions_file_error: { type: 'string', default: 'restart_from_beginning' },
    tail_from_end: { type: 'bool', default: false },
  },
  blocks: {
    file_match: {
      schema: {
        attributes: {
          enabled: { type: 'bool', default: false },
          sync_period: { type: 'duration', default: '10s' },
          ignore_older_than: { type: 'duration', default: '0s' },
        },
        blocks: {},
      },
    },
    decompression: {
      schema: {
        attributes: {
          enabled: { type: 'bool', required: true },
          format: { type: 'string', required: true },
          initial_delay: { type: 'duration', default: '0s' },
        },
        blocks: {},
      },
    },
    file_watch: {
      schema: {
        attributes: {
          min_poll_frequency: { type: 'duration', default: '250ms' },
          max_poll_frequency: { type: 'duration', default: '250ms' },
        },
        blocks: {},
      },
    },
  },
};

const POSITIONS_FILE_ERROR_POLICIES: PositionsFileErrorPolicy[] = [
  'skip',
  'restart_from_end',
  'restart_from_beginning',
];

interface Settings {
  targets: Labels[];
  forwardTo: LogsReceiver[];
  encoding: string;
  legacyPositionsFile: string;
  tailFromEnd: boolean;
  onPositionsFileError: PositionsFileErrorPolicy;
  /** The `file_match` block, when enabled: `targets` hold globs, expanded every sync period. */
  fileMatch?: { syncMs: number; ignoreOlderThanMs: number };
  decompression?: { format: string; initialDelayMs: number };
  minPollMs: number;
  maxPollMs: number;
}

interface Reader {
  key: string;
  path: string;
  positionLabels: string;
  stop: AbortController;
  done: Promise<void>;
}

function settings(args: Record<string, unknown>): Settings {
  const decompression = args.decompression as
    { enabled: boolean; format: string; initial_delay?: number } | undefined;
  const watch = (args.file_watch as Record<string, number | undefined> | undefined) ?? {};
  const match = args.file_match as
    { enabled?: boolean; sync_period?: number; ignore_older_than?: number } | undefined;
  const onError = (args.on_positions_file_error as string | undefined) ?? 'restart_from_beginning';
  if (!POSITIONS_FILE_ERROR_POLICIES.includes(onError as PositionsFileErrorPolicy))
    throw new Error(`unknown OnPositionsFileError value: ${onError}`);
  const s: Settings = {
    targets: (args.targets as Labels[] | undefined) ?? [],
    forwardTo: (args.forward_to as LogsReceiver[] | undefined) ?? [],
    encoding: (args.encoding as string | undefined) ?? '',
    legacyPositionsFile: (args.legacy_positions_file as string | undefined) ?? '',
    tailFromEnd: (args.tail_from_end as boolean | undefined) ?? false,
    onPositionsFileError: onError as PositionsFileErrorPolicy,
    minPollMs: watch.min_poll_frequency ?? 250,
    maxPollMs: watch.max_poll_frequency ?? 250,
  };
  if (match?.enabled) {
    const syncMs = match.sync_period ?? 10_000;
    if (syncMs <= 0) throw new Error('sync period must be greater than 0');
    s.fileMatch = { syncMs, ignoreOlderThanMs: match.ignore_older_than ?? 0 };
  }
  if (decompression?.enabled) {
    if (!Object.hasOwn(DECOMPRESSION_FORMATS, decompression.format)) {
      throw new Error(
        `loki.source.file: unsupported decompression format "${decompression.format}" (gz, z, bz2)`,
      );
    }
    s.decompression = {
      format: decompression.format,
      initialDelayMs: decompression.initial_delay ?? 0,
    };
  }
  if (s.encoding) new TextDecoder(s.encoding); // throws RangeError for an unknown encoding
  if (s.minPollMs > s.maxPollMs) {
    throw new Error(
      'loki.source.file: file_watch min_poll_frequency must not exceed max_poll_frequency',
    );
  }
  return s;
}

/**
 * `loki.source.file`: one reader per target (`__path__`), lines labelled
 * with the target's labels minus the `__` ones plus `filename`, positions
 * in Alloy's positions.yml under the component's data path.
 */
class LokiSourceFile implements Component {
  readonly id: string;
  private settings: Settings;
  private positions: PositionsFile | undefined;
  private readonly readers = new Map<string, Reader>();
  private runSignal: AbortSignal | undefined;
  private clock: PollClock | undefined;
  private error: string | undefined;
  /** With `file_match` enabled: the files its globs found at the last sync. */
  private matched: Labels[] = [];
  /** Reconciliations run one at a time (updates and file_match syncs may overlap). */
  private reconciling: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: ComponentOptions,
    args: Record<string, unknown>,
  ) {
    this.id = options.id;
    this.settings = settings(args);
  }

  exports(): Record<string, unknown> {
    return {};
  }

  async update(args: Record<string, unknown>): Promise<void> {
    const before = readerSettings(this.settings);
    try {
      this.settings = settings(args);
      this.error = undefined;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      throw err;
    }
    // Readers look up forward_to on every send; only reading settings need a restart.
    if (this.runSignal) await this.sync(readerSettings(this.settings) !== before);
  }

  async run(signal: AbortSignal): Promise<void> {
    const file = join(this.options.dataPath, 'positions.yml');
    this.positions = await PositionsFile.open(file);
    await this.convertLegacy(this.positions);
    this.runSignal = signal;
    await this.sync(false);
    const matching = this.matchLoop(signal);
    await aborted(signal);
    await matching;
    await this.reconciling;
    for (const r of this.readers.values()) r.stop.abort();
    await Promise.all([...this.readers.values()].map((r) => r.done));
    this.readers.clear();
    await this.positions.save();
  }

  health(): { healthy: boolean; message?: string } {
    return this.error ? { healthy: false, message: this.error } : { healthy: true };
  }

  /** With `file_match` enabled, expands the globs again every sync_period. */
  private async matchLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!(await sleep(this.settings.fileMatch?.syncMs ?? 10_000, signal))) return;
      if (this.settings.fileMatch) await this.sync(false);
    }
  }

  /** Expands `file_match` globs (when enabled), then reconciles; one run at a time. */
  private sync(restartAll: boolean): Promise<void> {
    const next = this.reconciling.then(async () => {
      const match = this.settings.fileMatch;
      if (match)
        this.matched = await expandPathTargets(
          this.settings.targets,
          match.ignoreOlderThanMs,
          this.options.logger,
        );
      await this.reconcile(restartAll);
    });
    this.reconciling = next.catch((err) =>
      this.options.logger.error({ err }, 'error updating file readers'),
    );
    return next;
  }

  /** Starts readers for new targets, stops those whose target is gone (forgetting their position). */
  private async reconcile(restartAll: boolean): Promise<void> {
    if (this.runSignal?.aborted) return;
    const positions = this.positions!;
    const wanted = new Map<string, { path: string; labels: Labels; positionLabels: string }>();
    const targets = this.settings.fileMatch ? this.matched : this.settings.targets;
    for (const target of targets) {
      const path = target.__path__;
      if (!path) continue;
      const own: Labels = {};
      for (const [k, v] of Object.entries(target)) if (!k.startsWith('__')) own[k] = v;
      const positionLabels = formatLabels(own);
      wanted.set(`${path}\u0000${positionLabels}`, {
        path,
        labels: { ...own, filename: path },
        positionLabels,
      });
    }
    for (const [key, r] of this.readers) {
      if (wanted.has(key) && !restartAll) continue;
      r.stop.abort();
      await r.done;
      this.readers.delete(key);
      if (!wanted.has(key)) positions.remove(r.path, r.positionLabels);
    }
    if (restartAll || !this.clock) this.clock = new PollClock(this.settings.minPollMs);
    for (const [key, w] of wanted) {
      if (this.readers.has(key)) continue;
      // run() aborts every reader when the component stops.
      const stop = new AbortController();
      const done = this.read(w, stop.signal).catch((err) =>
        this.options.logger.error({ err, path: w.path }, 'file reader failed'),
      );
      this.readers.set(key, { key, path: w.path, positionLabels: w.positionLabels, stop, done });
    }
    await positions.save();
  }

  private read(
    w: { path: string; labels: Labels; positionLabels: string },
    signal: AbortSignal,
  ): Promise<void> {
    const s = this.settings;
    const send = (entries: AgentEntry[], sig: AbortSignal) =>
      forward(this.settings.forwardTo, entries, sig, this.options.logger);
    const common = {
      path: w.path,
      labels: w.labels,
      positionLabels: w.positionLabels,
      positions: this.positions!,
      forward: send,
      encoding: s.encoding,
      logger: this.options.logger.child({ path: w.path }),
      metrics: this.options.metrics,
    };
    if (s.decompression) {
      return readCompressed(
        {
          ...common,
          format: s.decompression.format,
          initialDelayMs: s.decompression.initialDelayMs,
        },
        signal,
      );
    }
    return new FileTailer({
      ...common,
      tailFromEnd: s.tailFromEnd,
      onPositionsFileError: s.onPositionsFileError,
      legacyPositions: s.legacyPositionsFile !== '',
      minPollMs: s.minPollMs,
      maxPollMs: s.maxPollMs,
      clock: this.clock!,
    }).run(signal);
  }

  /**
   * Promtail's (and Grafana Agent static mode's) `positions: {path: offset}`
   * becomes Alloy's format, as Alloy's ConvertLegacyPositionsFile does it:
   * only while the new file is missing or empty, only from strictly valid
   * YAML, each path under the empty label set `{}`; the legacy file stays.
   */
  private async convertLegacy(converted: PositionsFile): Promise<void> {
    const legacy = this.settings.legacyPositionsFile;
    if (!legacy) return;
    const { positions, reason } = await legacyPositionsToConvert(legacy, converted.file);
    if (!positions) {
      this.options.logger.info(
        { legacy_path: legacy, reason },
        'will not convert the legacy positions file',
      );
      return;
    }
    for (const [path, offset] of Object.entries(positions)) converted.put(path, '{}', offset);
    await converted.save();
    this.options.logger.info(
      { path: converted.file, legacy_path: legacy },
      'successfully converted legacy positions file to the new format',
    );
  }
}

function readerSettings(s: Settings): string {
  const { targets: _t, forwardTo: _f, fileMatch: _m, ...rest } = s;
  return JSON.stringify(rest);
}

export const lokiSourceFile: ComponentDefinition = {
  name: 'loki.source.file',
  arguments: schema,
  build: (options, args) => new LokiSourceFile(options, args),
};
