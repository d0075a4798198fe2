import type { Labels } from '../../common/labels.js';
import type {
  ArgumentSchema,
  Component,
  ComponentDefinition,
  ComponentOptions,
} from '../component.js';
import { sleep } from './file/forward.js';
import { expandPathTargets } from './file/path-targets.js';

/** Alloy 1.x's `local.file_match` arguments (docs/sources/reference/components/local/local.file_match.md). */
const schema: ArgumentSchema = {
  attributes: {
    path_targets: { type: 'list', required: true },
    sync_period: { type: 'duration', default: '10s' },
    ignore_older_than: { type: 'duration', default: '0s' },
  },
  blocks: {},
};

/**
 * `local.file_match`: expands the `__path__` glob of each target into one
 * target per existing file (`__path__` made absolute, other labels kept,
 * `__path_exclude__` matches left out), every `sync_period`.
 */
class LocalFileMatch implements Component {
  readonly id: string;
  private pathTargets: Labels[];
  private syncMs: number;
  private ignoreOlderThanMs: number;
  private targets: Labels[] = [];
  private key = '[]';
  private wake: (() => void) | undefined;

  constructor(
    private readonly options: ComponentOptions,
    args: Record<string, unknown>,
  ) {
    this.id = options.id;
    this.pathTargets = (args.path_targets as Labels[] | undefined) ?? [];
    this.syncMs = (args.sync_period as number | undefined) ?? 10_000;
    this.ignoreOlderThanMs = (args.ignore_older_than as number | undefined) ?? 0;
  }

  exports(): Record<string, unknown> {
    return { targets: this.targets };
  }

  async update(args: Record<string, unknown>): Promise<void> {
    this.pathTargets = (args.path_targets as Labels[] | undefined) ?? [];
    this.syncMs = (args.sync_period as number | undefined) ?? 10_000;
    this.ignoreOlderThanMs = (args.ignore_older_than as number | undefined) ?? 0;
    this.wake?.();
  }

  async run(signal: AbortSignal): Promise<void> {
    const onAbort = () => this.wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    while (!signal.aborted) {
      await this.sync();
      await new Promise<void>((r) => {
        this.wake = r;
        void sleep(this.syncMs, signal).then(() => r());
      });
      this.wake = undefined;
    }
  }

  health(): { healthy: boolean; message?: string } {
    return { healthy: true };
  }

  /** One scan; exports change (and dependents are told) only when the set of targets changed. */
  async sync(): Promise<void> {
    const out = await expandPathTargets(
      this.pathTargets,
      this.ignoreOlderThanMs,
      this.options.logger,
    );
    const key = JSON.stringify(out);
    if (key === this.key) return;
    this.key = key;
    this.targets = out;
    this.options.onExportsChange?.();
  }
}

export const localFileMatch: ComponentDefinition = {
  name: 'local.file_match',
  arguments: schema,
  build: (options, args) => new LocalFileMatch(options, args),
};
