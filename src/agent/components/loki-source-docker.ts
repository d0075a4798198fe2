import { join } from 'node:path';
import type { DockerClient } from '../../common/docker-client.js';
import type { Labels } from '../../common/labels.js';
import type { CompiledRelabel } from '../../common/relabel.js';
import type {
  AgentEntry,
  ArgumentSchema,
  Component,
  ComponentDefinition,
  ComponentOptions,
  LogsReceiver,
} from '../component.js';
import { ContainerReader } from './docker/container-reader.js';
import { dockerClientFor, httpClientSchema } from './http-client/index.js';
import { aborted } from './aborted.js';
import { forward } from './file/forward.js';
import { PositionsFile } from './file/positions.js';
import { relabelRulesArg } from './relabel-rules.js';

/** Alloy 1.x's `loki.source.docker` arguments (docs/sources/reference/components/loki/loki.source.docker.md). */
const schema: ArgumentSchema = {
  attributes: {
    host: { type: 'string', required: true },
    targets: { type: 'list', required: true },
    forward_to: { type: 'list', required: true },
    labels: { type: 'map', default: {} },
    relabel_rules: { type: 'any' },
    refresh_interval: { type: 'duration', default: '60s' },
  },
  // `http_client_config` is the block Alloy parses; its documentation calls it `client`.
  blocks: {
    http_client_config: { schema: httpClientSchema },
    client: { schema: httpClientSchema },
  },
};

interface Settings {
  host: string;
  /** The `http_client_config` block (or `client`, its documented name): a change rebuilds the client. */
  client: Record<string, unknown> | undefined;
  targets: Labels[];
  forwardTo: LogsReceiver[];
  labels: Labels;
  relabelRules?: CompiledRelabel;
}

function settings(args: Record<string, unknown>): Settings {
  const host = args.host as string;
  if (((args.refresh_interval as number | undefined) ?? 60_000) <= 0)
    throw new Error(`refresh_interval must be positive, got ${String(args.refresh_interval)}ms`);
  return {
    host,
    client: (args.http_client_config ?? args.client) as Record<string, unknown> | undefined,
    targets: (args.targets as Labels[] | undefined) ?? [],
    forwardTo: (args.forward_to as LogsReceiver[] | undefined) ?? [],
    labels: (args.labels as Labels | undefined) ?? {},
    relabelRules: relabelRulesArg(args.relabel_rules),
  };
}

/**
 * `loki.source.docker`: one reader per container (targets deduplicated by
 * `__meta_docker_container_id`, first wins), positions under the data path.
 */
class LokiSourceDocker implements Component {
  readonly id: string;
  private settings: Settings;
  private client: DockerClient;
  private positions: PositionsFile | undefined;
  private readonly readers = new Map<
    string,
    { key: string; stop: AbortController; done: Promise<void> }
  >();
  private runSignal: AbortSignal | undefined;
  private error: string | undefined;

  constructor(
    private readonly options: ComponentOptions,
    args: Record<string, unknown>,
  ) {
    this.id = options.id;
    this.settings = settings(args);
    this.client = dockerClientFor(this.settings.host, this.settings.client);
  }

  exports(): Record<string, unknown> {
    return {};
  }

  async update(args: Record<string, unknown>): Promise<void> {
    try {
      const next = settings(args);
      const rebuild =
        next.host !== this.settings.host ||
        JSON.stringify(next.client) !== JSON.stringify(this.settings.client);
      const restart =
        rebuild ||
        JSON.stringify(next.labels) !== JSON.stringify(this.settings.labels) ||
        next.relabelRules !== this.settings.relabelRules;
      if (rebuild) {
        const client = dockerClientFor(next.host, next.client);
        this.client.close();
        this.client = client;
      }
      this.settings = next;
      this.error = undefined;
      if (this.runSignal) await this.reconcile(restart);
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      throw err;
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    this.positions = await PositionsFile.open(join(this.options.dataPath, 'positions.yml'));
    this.runSignal = signal;
    await this.reconcile(false);
    await aborted(signal);
    for (const r of this.readers.values()) r.stop.abort();
    await Promise.all([...this.readers.values()].map((r) => r.done));
    this.readers.clear();
    await this.positions.save();
    this.client.close();
  }

  health(): { healthy: boolean; message?: string } {
    return this.error ? { healthy: false, message: this.error } : { healthy: true };
  }

  private async reconcile(restartAll: boolean): Promise<void> {
    if (this.runSignal?.aborted) return;
    const wanted = new Map<string, Labels>();
    for (const t of this.settings.targets) {
      const id = t.__meta_docker_container_id;
      if (id && !wanted.has(id)) wanted.set(id, { ...t, ...this.settings.labels });
    }
    for (const [id, r] of this.readers) {
      const w = wanted.get(id);
      if (w && !restartAll && JSON.stringify(w) === r.key) continue;
      r.stop.abort();
      await r.done;
      this.readers.delete(id);
    }
    for (const [id, labels] of wanted) {
      if (this.readers.has(id)) continue;
      // run() aborts every reader when the component stops.
      const stop = new AbortController();
      const reader = new ContainerReader({
        client: this.client,
        containerId: id,
        labels,
        relabelRules: this.settings.relabelRules,
        positions: this.positions!,
        forward: (entries: AgentEntry[], sig: AbortSignal) =>
          forward(this.settings.forwardTo, entries, sig, this.options.logger),
        logger: this.options.logger.child({ container: id.slice(0, 12) }),
        metrics: this.options.metrics,
      });
      const done = reader
        .run(stop.signal)
        .catch((err) =>
          this.options.logger.error({ err, container: id }, 'container reader failed'),
        );
      this.readers.set(id, { key: JSON.stringify(labels), stop, done });
    }
  }
}

export const lokiSourceDocker: ComponentDefinition = {
  name: 'loki.source.docker',
  arguments: schema,
  build: (options, args) => new LokiSourceDocker(options, args),
};
