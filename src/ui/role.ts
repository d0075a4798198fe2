import Fastify, { type FastifyInstance } from 'fastify';
import type { Role, RoleContext, RoleStatus } from '../stack/role.js';
import { SEED } from '../stack/defaults.js';
import { hostForUrl } from '../common/net.js';
import type { Provisioning } from './provisioning.js';

/** What the UI shows of the whole stack at `/api/obs/status` (read by `obs status`). */
export type StackStatusProvider = () => Promise<{
  pid: number;
  startedAt: string;
  roles: RoleStatus[];
}>;

export interface UiOptions {
  port: number;
  provisioning: Provisioning;
  stackStatus?: StackStatusProvider;
}

/**
 * The seed's Grafana role. It serves Grafana's health endpoint with
 * Grafana's JSON shape, and the stack's status for `obs status`.
 */
export class UiRole implements Role {
  readonly name = 'ui' as const;
  private app: FastifyInstance | undefined;
  private state: RoleStatus['state'] = 'stopped';
  private lastError: string | undefined;

  constructor(
    private readonly ctx: RoleContext,
    private readonly opts: UiOptions,
  ) {}

  async start(): Promise<void> {
    this.state = 'starting';
    const app = Fastify({ logger: false });
    app.get('/api/health', async () => ({
      commit: 'obs',
      database: 'ok',
      version: SEED.grafana.version,
    }));
    app.get('/api/obs/status', async (_req, reply) => {
      if (!this.opts.stackStatus) return reply.code(404).send({ message: 'Not found' });
      return this.opts.stackStatus();
    });
    try {
      await app.listen({ host: this.ctx.listenHost, port: this.opts.port });
    } catch (err) {
      this.state = 'failed';
      this.lastError = (err as Error).message;
      throw err;
    }
    this.app = app;
    this.state = 'running';
  }

  async stop(): Promise<void> {
    this.state = 'stopping';
    await this.app?.close();
    this.state = 'stopped';
  }

  status(): RoleStatus {
    return {
      name: 'ui',
      state: this.state,
      address: `http://${hostForUrl(this.ctx.listenHost)}:${this.opts.port}`,
      healthPath: '/api/health',
      dataDir: this.ctx.dataDir,
      lastError: this.lastError,
    };
  }
}
