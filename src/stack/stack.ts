import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { LogSink } from '../logs/sink.js';
import type { MetricsSource } from '../metrics/appender.js';
import { hostForUrl } from '../common/net.js';
import { UiRole } from '../ui/index.js';
import type { StackConfig } from './config-dir.js';
import { directorySize } from './disk-usage.js';
import type { Doors } from './modules.js';
import type { Role, RoleContext, RoleName, RoleStatus } from './role.js';

export interface StackOptions {
  config: StackConfig;
  dataDir: string;
  listenHost: string;
  doors: Doors;
  logger: Logger;
  /** Prometheus flags given to `obs up` (retention, query limits). */
  metricsArgv: string[];
}

const ALL_ROLES: RoleName[] = ['logs', 'metrics', 'agent', 'node-exporter', 'cadvisor', 'ui'];

/**
 * All roles in one process, started in the seed's order (logs and metrics;
 * then the agent and the exporters; then the UI), each phase only once the
 * one before reports ready, and stopped in the reverse order.
 */
export class Stack {
  private readonly roles = new Map<RoleName, Role>();
  private readonly started: Role[] = [];
  private logsSink: LogSink | undefined;
  readonly startedAt = new Date();

  constructor(private readonly opts: StackOptions) {}

  /** The logs role's sink once it runs, for obs's own logs (job="obs"). */
  get selfLogSink(): LogSink | undefined {
    return this.logsSink;
  }

  async start(onProgress: (message: string) => void): Promise<void> {
    const { doors, config } = this.opts;
    const sources: MetricsSource[] = [];
    const exporters: Role[] = [];
    if (doors.exporters) {
      const node = doors.exporters.createNodeExporterSource();
      const cadvisor = doors.exporters.createCadvisorSource();
      sources.push(node, cadvisor);
      exporters.push(
        new InProcessSourceRole('node-exporter', node),
        new InProcessSourceRole('cadvisor', cadvisor),
      );
    }
    const phase1: Promise<Role>[] = [];
    if (doors.logs) {
      const logs = doors.logs;
      phase1.push(
        this.context('logs').then(async (ctx) => {
          const role = await logs.createLogsRole(ctx, {
            config: config.loki,
            port: config.env.ports.logs,
          });
          this.logsSink = role.sink;
          return role;
        }),
      );
    }
    if (doors.metrics) {
      const metrics = doors.metrics;
      phase1.push(
        this.context('metrics').then((ctx) =>
          metrics.createMetricsRole(ctx, {
            config: config.prometheus,
            configFile: config.prometheusFile,
            flags: metrics.parseMetricsFlags(this.opts.metricsArgv),
            port: config.env.ports.metrics,
            sources,
          }),
        ),
      );
    }
    await this.startPhase(await Promise.all(phase1), onProgress);

    const phase2: Role[] = [...exporters];
    if (doors.agent) {
      const ctx = await this.context('agent');
      const inProcessLogs = this.logsSink
        ? {
            pushUrl: `http://${hostForUrl(this.opts.listenHost)}:${config.env.ports.logs}/loki/api/v1/push`,
            sink: this.logsSink,
          }
        : undefined;
      phase2.push(await doors.agent.createAgentRole(ctx, { config: config.alloy, inProcessLogs }));
    }
    await this.startPhase(phase2, onProgress);

    const ui = new UiRole(await this.context('ui'), {
      port: config.env.ports.ui,
      provisioning: config.provisioning,
      stackStatus: async () => ({
        pid: process.pid,
        startedAt: this.startedAt.toISOString(),
        roles: await this.statusWithDisk(),
      }),
    });
    await this.startPhase([ui], onProgress);
  }

  private async startPhase(roles: Role[], onProgress: (message: string) => void): Promise<void> {
    for (const role of roles) this.roles.set(role.name, role);
    await Promise.all(
      roles.map(async (role) => {
        const t0 = Date.now();
        onProgress(`starting ${role.name}`);
        await role.start();
        this.started.push(role);
        const address = role.status().address;
        onProgress(`${role.name} ready in ${Date.now() - t0} ms${address ? ` on ${address}` : ''}`);
      }),
    );
  }

  /** Stops what started, in reverse order; each role flushes what it accepted. */
  async stop(onProgress: (message: string) => void): Promise<void> {
    for (const role of [...this.started].reverse()) {
      onProgress(`stopping ${role.name}`);
      try {
        await role.stop();
      } catch (err) {
        this.opts.logger.error({ err, role: role.name }, 'role did not stop cleanly');
      }
    }
    this.started.length = 0;
  }

  status(): RoleStatus[] {
    return ALL_ROLES.map((name) => this.roles.get(name)?.status() ?? { name, state: 'absent' });
  }

  /** Status with the disk each role uses, for `obs status`. */
  async statusWithDisk(): Promise<RoleStatus[]> {
    return Promise.all(
      this.status().map(async (s) =>
        s.dataDir && s.state !== 'absent' ? { ...s, diskBytes: await directorySize(s.dataDir) } : s,
      ),
    );
  }

  private async context(name: RoleName): Promise<RoleContext> {
    const dataDir = join(this.opts.dataDir, name);
    await mkdir(dataDir, { recursive: true });
    return {
      logger: this.opts.logger.child({ role: name }),
      dataDir,
      listenHost: this.opts.listenHost,
    };
  }
}

/** An exporter inside `obs up`: scraped by the metrics role in-process, no listener of its own. */
class InProcessSourceRole implements Role {
  private state: RoleStatus['state'] = 'stopped';

  constructor(
    readonly name: RoleName,
    private readonly source: MetricsSource,
  ) {}

  async start(): Promise<void> {
    this.state = 'running';
  }

  async stop(): Promise<void> {
    this.source.close?.();
    this.state = 'stopped';
  }

  status(): RoleStatus {
    return { name: this.name, state: this.state, address: `in-process (job ${this.source.job})` };
  }
}
