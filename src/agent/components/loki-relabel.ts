import type { CompiledRelabel, RelabelConfig } from '../../common/relabel.js';
import { compileRelabel, relabel } from '../../common/relabel.js';
import type {
  AgentEntry,
  Component,
  ComponentDefinition,
  ComponentOptions,
  LogsReceiver,
} from '../component.js';
import { aborted } from './aborted.js';
import { RULES_SCHEMA } from './relabel-rules.js';

interface Args {
  forward_to: LogsReceiver[];
  rule: RelabelConfig[];
  max_cache_size: number;
}

/**
 * `loki.relabel`: rewrites each entry's labels with `rule` blocks, drops
 * the entries a rule drops (or left without labels), forwards the rest.
 * Results are cached per label set, up to `max_cache_size` sets.
 */
class LokiRelabel implements Component {
  readonly id: string;
  private args: Args;
  private rules: CompiledRelabel;
  private cache = new Map<string, AgentEntry['labels'] | null>();
  private readonly receiver: LogsReceiver;

  constructor(
    private readonly options: ComponentOptions,
    args: Args,
  ) {
    this.id = options.id;
    this.args = args;
    this.rules = compileRelabel(args.rule);
    this.receiver = { send: (entries) => this.send(entries) };
  }

  exports(): Record<string, unknown> {
    return { receiver: this.receiver, rules: this.rules };
  }

  async update(args: Record<string, unknown>): Promise<void> {
    this.args = args as unknown as Args;
    this.rules = compileRelabel(this.args.rule);
    this.cache = new Map();
  }

  run(signal: AbortSignal): Promise<void> {
    return aborted(signal);
  }

  health(): { healthy: boolean } {
    return { healthy: true };
  }

  private async send(entries: AgentEntry[]): Promise<void> {
    this.options.metrics?.read(entries.length);
    const out: AgentEntry[] = [];
    // Entries of one file or container share a label object: relabel it once per batch.
    let lastIn: AgentEntry['labels'] | undefined;
    let lastOut: AgentEntry['labels'] | null = null;
    for (const e of entries) {
      if (e.labels !== lastIn) {
        lastIn = e.labels;
        lastOut = this.relabelCached(e.labels);
      }
      const labels = lastOut;
      if (labels === null) {
        this.options.metrics?.dropped(1, 'relabel');
        continue;
      }
      out.push({ ...e, labels });
    }
    if (out.length === 0) return;
    await Promise.all(this.args.forward_to.map((r) => r.send(out)));
    this.options.metrics?.sent(out.length);
  }

  private relabelCached(labels: AgentEntry['labels']): AgentEntry['labels'] | null {
    const key = JSON.stringify(Object.entries(labels).sort());
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const result = relabel(labels, this.rules);
    const value = result && Object.keys(result).length > 0 ? result : null;
    if (this.cache.size >= this.args.max_cache_size) this.cache.clear();
    this.cache.set(key, value);
    return value;
  }
}

export const lokiRelabel: ComponentDefinition = {
  name: 'loki.relabel',
  arguments: {
    attributes: {
      forward_to: { type: 'list', required: true },
      max_cache_size: { type: 'number', default: 10000 },
    },
    blocks: RULES_SCHEMA,
  },
  build: (options, args) => new LokiRelabel(options, args as unknown as Args),
};
