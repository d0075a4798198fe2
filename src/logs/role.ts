import path from 'node:path';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { stringify as toYaml } from 'yaml';
import { formatFlagHelp, parseFlags, type FlagSpec } from '../common/flags.js';
import { hostForUrl } from '../common/net.js';
import type { Role, RoleContext, RoleState, RoleStatus } from '../stack/role.js';
import { loadLokiConfig, type LokiConfig } from './config/index.js';
import { createPushMetrics, Distributor, registerPushApi } from './push/index.js';
import { registerLokiQueryApi } from './query-api/index.js';
import type { LogReader } from './reader.js';
import { RetentionCompactor } from './retention/index.js';
import type { LogSink } from './sink.js';
import { LogStore } from './store/index.js';
import { registerTailApi } from './tail/index.js';
import { HeapTrim } from '../common/heap-trim.js';

/** The Loki release whose API obs answers as; Grafana picks features by it. */
export const LOKI_COMPAT_VERSION = '3.0.0';

export interface LogsRole extends Role {
  /** Validated, rate-limited writes (what the push API does), for in-process producers. */
  sink: LogSink;
  reader: LogReader;
  /** The port actually listened on (useful with port 0). */
  readonly port: number;
}

/**
 * The Loki role: the DuckDB log store behind Loki's HTTP API (push, LogQL
 * queries, tail, readiness, metrics, build info, config), with the
 * retention compactor.
 */
export async function createLogsRole(
  ctx: RoleContext,
  opts: { config: LokiConfig; port: number },
): Promise<LogsRole> {
  return new LokiRole(ctx, opts.config, opts.port);
}

class LokiRole implements LogsRole {
  readonly name = 'logs' as const;
  private state: RoleState = 'stopped';
  private lastError: string | undefined;
  private store: LogStore | undefined;
  private app: FastifyInstance | undefined;
  private compactor: RetentionCompactor | undefined;
  private distributor: Distributor | undefined;
  private boundPort: number;
  /**
   * A query or a finished push flow leaves the heap above its live set: with
   * the old generation above 32 MiB after a query (or during a long read),
   * and the heap above 24 MiB once traffic stops, a full collection returns
   * the pages (the role's RSS budget is 200 MiB, of which node's and
   * DuckDB's code take ~80). Standalone, `bin/obs run logs` also starts V8
   * and malloc with settings only read at start-up (see that script).
   */
  private readonly heapTrim = new HeapTrim({
    busyLimitBytes: 32 * 1024 * 1024,
    idleLimitBytes: () => 24 * 1024 * 1024,
  });

  constructor(
    private readonly ctx: RoleContext,
    private readonly config: LokiConfig,
    port: number,
  ) {
    this.boundPort = port;
  }

  get port(): number {
    return this.boundPort;
  }

  readonly sink: LogSink = {
    push: (streams) => {
      if (!this.distributor) return Promise.reject(new Error('the logs role is not running'));
      return this.distributor.push(streams);
    },
  };

  readonly reader: LogReader = {
    selectEntries: (req) => this.running().selectEntries(req),
    aggregateBuckets: (req) => this.running().aggregateBuckets(req),
    series: (m, s, e) => this.running().series(m, s, e),
    labelNames: (s, e, m) => this.running().labelNames(s, e, m),
    labelValues: (n, s, e, m) => this.running().labelValues(n, s, e, m),
  };

  private running(): LogStore {
    if (!this.store) throw new Error('the logs role is not running');
    return this.store;
  }

  async start(): Promise<void> {
    this.state = 'starting';
    try {
      const store = await LogStore.open({
        dir: path.join(this.ctx.dataDir, 'store'),
        heapTrim: this.heapTrim,
      });
      this.store = store;
      const registry = new Registry();
      collectDefaultMetrics({ register: registry });
      new Gauge({
        name: 'loki_ingester_memory_streams',
        help: 'The total number of streams in memory per tenant.',
        registers: [registry],
        collect() {
          this.set(store.streamCount);
        },
      });
      new Gauge({
        name: 'obs_logs_store_disk_bytes',
        help: 'Bytes on disk of the log store (database and write-ahead log).',
        registers: [registry],
        collect() {
          this.set(store.diskBytes());
        },
      });
      new Gauge({
        name: 'obs_logs_store_duckdb_memory_bytes',
        help: "Memory held by the log store's DuckDB buffer manager.",
        registers: [registry],
        async collect() {
          this.set(await store.memoryBytes());
        },
      });
      let reruns = 0;
      new Counter({
        name: 'obs_logs_store_memory_reruns_total',
        help: "Work the log store ran again at DuckDB's burst memory limit after running out at its base limit.",
        registers: [registry],
        collect() {
          this.inc(store.memoryReruns - reruns);
          reruns = store.memoryReruns;
        },
      });
      this.distributor = new Distributor(store, this.config.limits, createPushMetrics(registry));
      this.app = await this.buildApp(store, registry);
      await this.app.listen({ host: this.ctx.listenHost, port: this.boundPort });
      const addr = this.app.server.address();
      if (addr && typeof addr === 'object') this.boundPort = addr.port;
      this.compactor = new RetentionCompactor(store, this.config, this.ctx.logger);
      this.compactor.start();
      this.state = 'running';
    } catch (err) {
      this.state = 'failed';
      this.lastError = (err as Error).message;
      await this.shutdown();
      throw err;
    }
  }

  private async buildApp(store: LogStore, registry: Registry): Promise<FastifyInstance> {
    const logger = this.ctx.logger.child({ role: 'logs' });
    const app = Fastify({ logger: false, bodyLimit: 100 * 1024 * 1024 });
    app.setErrorHandler((error, _req, reply) => {
      const err = error as { statusCode?: number; message: string };
      if ((err.statusCode ?? 500) >= 500) logger.error({ err }, 'request failed');
      reply
        .code(err.statusCode ?? 500)
        .type('text/plain; charset=utf-8')
        .send(`${err.message}\n`);
    });
    app.addHook('onResponse', async (req) => this.heapTrim.touch(req.url.endsWith('/push')));
    await app.register(websocket);
    await registerPushApi(app, {
      distributor: this.distributor!,
      authEnabled: this.config.authEnabled,
    });
    await registerTailApi(app, {
      reader: store,
      subscribe: (listener) => store.onAppend(listener),
      maxEntriesLimitPerQuery: this.config.limits.maxEntriesLimitPerQuery,
      maxConcurrentTailRequests: this.config.limits.maxConcurrentTailRequests,
      tailMaxDurationMs: this.config.querier.tailMaxDurationMs,
    });
    registerLokiQueryApi(app, {
      reader: store,
      limits: {
        maxEntriesLimitPerQuery: this.config.limits.maxEntriesLimitPerQuery,
        maxQuerySeries: this.config.limits.maxQuerySeries,
        queryTimeoutMs: this.config.limits.queryTimeoutMs,
      },
      maxConcurrent: this.config.querier.maxConcurrent,
    });
    app.get('/ready', async (_req, reply) => {
      if (this.state !== 'running') {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('Ingester not ready: starting\n');
      }
      return reply.type('text/plain; charset=utf-8').send('ready\n');
    });
    app.get('/metrics', async (_req, reply) =>
      reply.type(registry.contentType).send(await registry.metrics()),
    );
    const buildInfo = async (): Promise<Record<string, string>> => ({
      version: LOKI_COMPAT_VERSION,
      revision: 'obs',
      branch: 'obs',
      buildUser: 'obs',
      buildDate: '',
      goVersion: `node${process.versions.node}`,
    });
    app.get('/loki/api/v1/status/buildinfo', buildInfo);
    app.get('/config', async (_req, reply) =>
      reply.type('text/plain; charset=utf-8').send(toYaml(this.config.raw)),
    );
    // Loki flushes its ingesters' chunks to the store; here everything pending
    // is loaded into DuckDB and every written day is settled into its final form.
    app.post('/flush', async (_req, reply) => {
      await store.settle(0);
      await store.checkpoint();
      return reply.code(204).send();
    });
    return app;
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    await this.shutdown();
    this.state = 'stopped';
  }

  /** Stops taking requests, lets accepted pushes commit, then closes the store. */
  private async shutdown(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
    await this.compactor?.stop();
    this.compactor = undefined;
    this.distributor = undefined;
    await this.store?.close();
    this.store = undefined;
    this.heapTrim.stop();
  }

  status(): RoleStatus {
    return {
      name: 'logs',
      state: this.state,
      address: `http://${hostForUrl(this.ctx.listenHost)}:${this.boundPort}`,
      healthPath: '/ready',
      dataDir: this.ctx.dataDir,
      retention: `${this.config.limits.retentionPeriodMs / 3_600_000}h`,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }
}

const FLAGS: Record<string, FlagSpec> = {
  'config.file': { type: 'string', help: 'Configuration file to load.' },
  'config.expand-env': {
    type: 'bool',
    default: false,
    help: 'Expands ${var} or $var in config according to the values of the environment variables.',
  },
  'server.http-listen-address': { type: 'string', help: 'HTTP server listen address.' },
  'server.http-listen-port': { type: 'string', help: 'HTTP server listen port.' },
  target: {
    type: 'string',
    default: 'all',
    help: 'Comma-separated list of Loki modules to load; obs runs them all (all).',
  },
  'log.level': { type: 'string', help: 'Only log messages with the given severity or above.' },
  help: { type: 'bool', default: false, help: 'Print this help.' },
};

/**
 * `obs run logs`: a drop-in for `loki -config.file=... [-config.expand-env]`,
 * storing under `common.path_prefix`. SIGTERM or SIGINT flushes and exits 0.
 */
export async function runLogsStandalone(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, FLAGS, 'go');
  if (values.help) {
    process.stdout.write(`Usage of obs run logs:\n${formatFlagHelp(FLAGS, 'go')}\n`);
    return;
  }
  const file = values['config.file'] as string | undefined;
  if (!file) throw new Error('-config.file is required (e.g. -config.file=loki-config.yml)');
  const target = String(values.target);
  if (!target.split(',').every((t) => ['all', 'read', 'write', 'backend'].includes(t.trim()))) {
    throw new Error(`obs runs Loki as a single binary: use -target=all (got "${target}")`);
  }
  const config = await loadLokiConfig(file, { expandEnv: values['config.expand-env'] === true });
  const level = (values['log.level'] as string | undefined) ?? config.server.logLevel;
  const logger = pino({ level }, pino.destination(2));
  const host =
    (values['server.http-listen-address'] as string | undefined) ??
    (config.server.httpListenAddress || '0.0.0.0');
  const portFlag = values['server.http-listen-port'] as string | undefined;
  const port = portFlag !== undefined ? Number(portFlag) : config.server.httpListenPort;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid value "${portFlag}" for flag -server.http-listen-port`);
  }
  const dataDir = path.resolve(config.pathPrefix || 'loki-data');
  const role = await createLogsRole({ logger, dataDir, listenHost: host }, { config, port });
  await role.start();
  logger.info({ address: role.status().address, dataDir }, 'Loki started');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      role.stop().then(resolve, (err: unknown) => {
        logger.error({ err }, 'stopping failed');
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
