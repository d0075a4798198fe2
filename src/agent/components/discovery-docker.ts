import type { DockerClient } from '../../common/docker-client.js';
import type { Labels } from '../../common/labels.js';
import type {
  ArgumentSchema,
  Component,
  ComponentDefinition,
  ComponentOptions,
} from '../component.js';
import { dockerTargets } from './docker/targets.js';
import { dockerClientFor, httpClientArgs, withHttpClient } from './http-client/index.js';
import { sleep } from './file/forward.js';

/** Alloy 1.x's `discovery.docker` arguments (docs/sources/reference/components/discovery/discovery.docker.md). */
const schema: ArgumentSchema = withHttpClient({
  attributes: {
    host: { type: 'string', required: true },
    port: { type: 'number', default: 80 },
    host_networking_host: { type: 'string', default: 'localhost' },
    match_first_network: { type: 'bool', default: true },
    refresh_interval: { type: 'duration', default: '1m' },
  },
  blocks: {
    filter: {
      multiple: true,
      schema: {
        attributes: {
          name: { type: 'string', required: true },
          values: { type: 'list', required: true },
        },
        blocks: {},
      },
    },
  },
});

interface Settings {
  host: string;
  /** The HTTP client arguments: a change rebuilds the Docker client. */
  client: Record<string, unknown>;
  port: number;
  hostNetworkingHost: string;
  matchFirstNetwork: boolean;
  refreshMs: number;
  filters: Record<string, string[]>;
}

function settings(args: Record<string, unknown>): Settings {
  const filters: Record<string, string[]> = {};
  for (const f of (args.filter as { name: string; values: string[] }[] | undefined) ?? []) {
    (filters[f.name] ??= []).push(...f.values.map(String));
  }
  const host = args.host as string | undefined;
  if (!host) throw new Error('discovery.docker: host missing');
  return {
    host,
    client: httpClientArgs(args),
    port: (args.port as number | undefined) ?? 80,
    hostNetworkingHost: (args.host_networking_host as string | undefined) ?? 'localhost',
    matchFirstNetwork: (args.match_first_network as boolean | undefined) ?? true,
    refreshMs: (args.refresh_interval as number | undefined) ?? 60_000,
    filters,
  };
}

/**
 * `discovery.docker`: the running containers of one Docker daemon as
 * targets with Prometheus's `__meta_docker_*` labels, refreshed every
 * `refresh_interval`.
 */
class DiscoveryDocker implements Component {
  readonly id: string;
  private settings: Settings;
  private client: DockerClient;
  private targets: Labels[] = [];
  private key = '[]';
  private error: string | undefined;
  private wake: (() => void) | undefined;
  /** A container event arrived since the last refresh began. */
  private dirty = false;

  constructor(
    private readonly options: ComponentOptions,
    args: Record<string, unknown>,
  ) {
    this.id = options.id;
    this.settings = settings(args);
    this.client = dockerClientFor(this.settings.host, this.settings.client);
  }

  exports(): Record<string, unknown> {
    return { targets: this.targets };
  }

  async update(args: Record<string, unknown>): Promise<void> {
    const next = settings(args);
    if (
      next.host !== this.settings.host ||
      JSON.stringify(next.client) !== JSON.stringify(this.settings.client)
    ) {
      const client = dockerClientFor(next.host, next.client);
      this.client.close();
      this.client = client;
    }
    this.settings = next;
    this.wake?.();
  }

  async run(signal: AbortSignal): Promise<void> {
    const events = this.watchEvents(signal);
    while (!signal.aborted) {
      this.dirty = false;
      await this.refresh();
      if (this.dirty) continue;
      await new Promise<void>((r) => {
        this.wake = r;
        void sleep(this.settings.refreshMs, signal).then(() => r());
      });
      this.wake = undefined;
    }
    await events;
    this.client.close();
  }

  /**
   * Refreshes as soon as a container starts or stops, besides every
   * refresh_interval, so a short-lived container's logs are not missed
   * while waiting for the next interval.
   */
  private async watchEvents(signal: AbortSignal): Promise<void> {
    const filters = { type: ['container'], event: ['start', 'die', 'destroy'] };
    while (!signal.aborted) {
      try {
        for await (const _ of this.client.events({ filters }, signal)) {
          this.dirty = true;
          this.wake?.();
        }
      } catch (err) {
        this.options.logger.debug({ err }, 'docker events stream ended');
      }
      if (!(await sleep(this.settings.refreshMs, signal))) return;
    }
  }

  health(): { healthy: boolean; message?: string } {
    return this.error ? { healthy: false, message: this.error } : { healthy: true };
  }

  /** One listing; on error the last targets stay exported, as in Alloy. */
  async refresh(): Promise<void> {
    try {
      const [containers, networks] = await Promise.all([
        this.client.listContainers({ filters: this.settings.filters }),
        this.client.listNetworks(),
      ]);
      const targets = dockerTargets(containers, networks, this.settings);
      this.error = undefined;
      const key = JSON.stringify(targets);
      if (key === this.key) return;
      this.key = key;
      this.targets = targets;
      this.options.onExportsChange?.();
    } catch (err) {
      this.error = `error while listing containers: ${err instanceof Error ? err.message : String(err)}`;
      this.options.logger.error({ err }, 'docker discovery refresh failed');
    }
  }
}

export const discoveryDocker: ComponentDefinition = {
  name: 'discovery.docker',
  arguments: schema,
  build: (options, args) => new DiscoveryDocker(options, args),
};
