import type {
  AgentEntry,
  Component,
  ComponentDefinition,
  ComponentOptions,
  EnumBlock,
  LogsReceiver,
} from '../../component.js';
import { aborted } from '../aborted.js';
import { Pipeline } from './pipeline.js';
import { LOKI_PROCESS_SCHEMA } from './schema.js';
import type { DropFn, ProcessEntry } from './stage.js';

/** How often held entries (`stage.multiline`) are checked against `max_wait_time`. */
const FLUSH_INTERVAL_MS = 250;

interface Args {
  forward_to: LogsReceiver[];
  stage: EnumBlock[];
}

/**
 * `loki.process`: runs entries through its `stage.*` blocks in order and
 * forwards the survivors to every receiver in `forward_to`; `send`
 * resolves once they all accepted them.
 */
class LokiProcess implements Component {
  private pipeline: Pipeline;
  private forwardTo: LogsReceiver[];
  private readonly receiver: LogsReceiver;
  private readonly drop: DropFn;

  constructor(
    private readonly options: ComponentOptions,
    args: Args,
  ) {
    this.id = options.id;
    this.pipeline = new Pipeline(args.stage);
    this.forwardTo = args.forward_to;
    this.drop = (_e, reason) => options.metrics?.dropped(1, reason);
    this.receiver = { send: (entries) => this.send(entries) };
  }

  readonly id: string;

  exports(): Record<string, unknown> {
    return { receiver: this.receiver };
  }

  async update(args: Record<string, unknown>): Promise<void> {
    const a = args as unknown as Args;
    this.pipeline = new Pipeline(a.stage);
    this.forwardTo = a.forward_to;
  }

  async run(signal: AbortSignal): Promise<void> {
    const timer = setInterval(() => {
      const released = this.pipeline.flush(Date.now(), this.drop);
      if (released.length > 0) {
        this.forward(released).catch((err: unknown) =>
          this.options.logger.error({ err }, 'forwarding held entries failed'),
        );
      }
    }, FLUSH_INTERVAL_MS);
    await aborted(signal);
    clearInterval(timer);
    await this.forward(this.pipeline.flush(Number.POSITIVE_INFINITY, this.drop));
  }

  health(): { healthy: boolean; message?: string } {
    return { healthy: true };
  }

  private async send(entries: AgentEntry[]): Promise<void> {
    this.options.metrics?.read(entries.length);
    const batch: ProcessEntry[] = entries.map((e) => ({
      labels: e.labels,
      sharedLabels: true,
      timestamp: e.timestamp,
      line: e.line,
      metadata: e.metadata ? { ...e.metadata } : {},
      extracted: {},
    }));
    await this.forward(this.pipeline.process(batch, this.drop));
  }

  private async forward(batch: ProcessEntry[]): Promise<void> {
    if (batch.length === 0) return;
    const out: AgentEntry[] = batch.map((e) => {
      const entry: AgentEntry = { labels: e.labels, timestamp: e.timestamp, line: e.line };
      if (hasKeys(e.metadata)) entry.metadata = e.metadata;
      return entry;
    });
    await Promise.all(this.forwardTo.map((r) => r.send(out)));
    this.options.metrics?.sent(out.length);
  }
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

export const lokiProcess: ComponentDefinition = {
  name: 'loki.process',
  arguments: LOKI_PROCESS_SCHEMA,
  build: (options, args) => new LokiProcess(options, args as unknown as Args),
};
