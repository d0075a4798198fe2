import Fastify, { type FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, register } from 'prom-client';
import { formatPromDuration, parsePromDuration } from '../common/duration.js';
import type { Role, RoleContext, RoleState, RoleStatus } from '../stack/role.js';
import { PROMETHEUS_COMPAT_VERSION, registerPrometheusApi } from './api/index.js';
import type { Appendable, MetricsSource } from './appender.js';
import {
  loadPrometheusConfig,
  loadRuleFiles,
  renderConfigYaml,
  type PrometheusConfig,
  type RuleGroupConfig,
} from './config/index.js';
import { flagsForStatus, type MetricsFlags } from './flags.js';
import { PromQLEngine } from './promql/index.js';
import { RemoteWriteManager } from './remote/sender/index.js';
import { ScrapeManager } from './scrape/index.js';
import { openMetricsStore, type MetricsStore } from './storage/index.js';

export interface MetricsRoleOptions {
  config: PrometheusConfig;
  /** Where `config` came from; /-/reload and SIGHUP re-read it. */
  configFile?: string;
  flags: MetricsFlags;
  port: number;
  /** Exporters scraped in-process (a target whose address is a source's instance). */
  sources: MetricsSource[];
  /** Called by POST /-/quit (with --web.enable-lifecycle); standalone exits. */
  onQuit?: () => void;
}

export interface MetricsRole extends Role {
  /** Where in-process producers append: the store, with remote write fed from commits. */
  readonly appendable: Appendable;
  /** The port actually listened on (useful with port 0). */
  readonly port: number;
  /** Re-reads the config file; on error the running config stays and the error is thrown. */
  reload(): Promise<void>;
  /** /api/v1/targets' data. */
  targets(): ReturnType<ScrapeManager['targets']>;
  /** The validated rule groups of `rule_files`, for the rule evaluator. */
  ruleGroups(): readonly RuleGroupConfig[];
}

export async function createMetricsRole(
  ctx: RoleContext,
  opts: MetricsRoleOptions,
): Promise<MetricsRole> {
  return new PrometheusRole(ctx, opts);
}

const USER_AGENT = `Prometheus/${PROMETHEUS_COMPAT_VERSION}`;

interface RoleMetrics {
  samplesAppended: Counter<'type'>;
  reloadSuccess: Gauge;
  reloadTimestamp: Gauge;
  ready: Gauge;
}

let roleMetrics: RoleMetrics | undefined;

/** obs's own /metrics: Node's process metrics once, and Prometheus's config and readiness gauges. */
function metricsOfRole(): RoleMetrics {
  if (roleMetrics) return roleMetrics;
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
  const gauge = (name: string, help: string): Gauge =>
    (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help });
  const buildInfo =
    (register.getSingleMetric('prometheus_build_info') as Gauge | undefined) ??
    new Gauge({
      name: 'prometheus_build_info',
      help: "A metric with a constant '1' value labeled by version, revision, branch, goversion from which prometheus was built, and the goos and goarch for the build.",
      labelNames: ['version', 'revision', 'branch', 'goversion', 'goos', 'goarch', 'tags'],
    });
  buildInfo
    .labels({
      version: PROMETHEUS_COMPAT_VERSION,
      revision: 'obs',
      branch: 'obs',
      goversion: `node${process.versions.node}`,
      goos: process.platform,
      goarch: process.arch,
      tags: 'obs',
    })
    .set(1);
  roleMetrics = {
    samplesAppended:
      (register.getSingleMetric('prometheus_tsdb_head_samples_appended_total') as
        Counter<'type'> | undefined) ??
      new Counter({
        name: 'prometheus_tsdb_head_samples_appended_total',
        help: 'Total number of appended samples.',
        labelNames: ['type'],
      }),
    reloadSuccess: gauge(
      'prometheus_config_last_reload_successful',
      'Whether the last configuration reload attempt was successful.',
    ),
    reloadTimestamp: gauge(
      'prometheus_config_last_reload_success_timestamp_seconds',
      'Timestamp of the last successful configuration reload.',
    ),
    ready: gauge(
      'prometheus_ready',
      'Whether Prometheus startup was fully completed and the server is ready for normal operation.',
    ),
  };
  return roleMetrics;
}

/**
 * The Prometheus role: the TSDB, scraping (targets from prometheus.yml, the
 * exporters in-process), remote write out, and Prometheus's HTTP API with
 * /metrics, /-/reload and /-/quit, on one fastify server.
 */
class PrometheusRole implements MetricsRole {
  readonly name = 'metrics' as const;
  private state: RoleState = 'stopped';
  private lastError: string | undefined;
  private store: MetricsStore | undefined;
  private app: FastifyInstance | undefined;
  private scrape: ScrapeManager | undefined;
  private remote: RemoteWriteManager | undefined;
  private engine: PromQLEngine;
  private config: PrometheusConfig;
  private boundPort: number;
  private tee: Appendable | undefined;
  private rules: RuleGroupConfig[] = [];
  private reloading: Promise<void> = Promise.resolve();
  private readonly onSighup = (): void => {
    this.reload().catch(() => undefined);
  };

  constructor(
    private readonly ctx: RoleContext,
    private readonly opts: MetricsRoleOptions,
  ) {
    this.config = opts.config;
    this.boundPort = opts.port;
    this.engine = this.makeEngine(opts.config);
  }

  get port(): number {
    return this.boundPort;
  }

  readonly appendable: Appendable = {
    appender: () => {
      if (!this.tee) throw new Error('the metrics role is not running');
      return this.tee.appender();
    },
  };

  ruleGroups(): readonly RuleGroupConfig[] {
    return this.rules;
  }

  targets(): ReturnType<ScrapeManager['targets']> {
    return (
      this.scrape?.targets() ?? { activeTargets: [], droppedTargets: [], droppedTargetCounts: {} }
    );
  }

  private makeEngine(config: PrometheusConfig): PromQLEngine {
    const f = this.opts.flags;
    return new PromQLEngine({
      lookbackDeltaMs: f.lookbackDeltaMs,
      timeoutMs: f.queryTimeoutMs,
      maxSamples: f.queryMaxSamples,
      subqueryStepMs: parsePromDuration(config.global.evaluation_interval) ?? 60_000,
    });
  }

  async start(): Promise<void> {
    this.state = 'starting';
    const m = metricsOfRole();
    m.ready.set(0);
    const logger = this.ctx.logger.child({ role: 'metrics' });
    try {
      const f = this.opts.flags;
      this.rules = await loadRuleFiles(this.config.rule_files);
      const store = await openMetricsStore({
        dir: this.ctx.dataDir,
        retentionMs: f.retentionTimeMs,
        retentionBytes: f.retentionSizeBytes,
        logger,
      });
      this.store = store;
      this.remote = new RemoteWriteManager({
        dataDir: this.ctx.dataDir,
        logger,
        userAgent: USER_AGENT,
        flushDeadlineMs: f.remoteFlushDeadlineMs,
        metadata: () =>
          [...(store.metadata?.() ?? new Map()).entries()].map(([name, md]) => ({ name, ...md })),
      });
      const tee = countingAppendable(
        this.remote.wrap(store),
        m.samplesAppended.labels({ type: 'float' }),
      );
      this.tee = tee;
      this.app = this.buildApp(storeWithAppendable(store, tee));
      await this.app.listen({ host: this.ctx.listenHost, port: this.boundPort });
      const addr = this.app.server.address();
      if (addr && typeof addr === 'object') this.boundPort = addr.port;
      this.scrape = new ScrapeManager({
        appendable: tee,
        logger,
        sources: [...this.opts.sources, this.selfSource()],
        onMetadata: store.setMetadata?.bind(store),
        userAgent: USER_AGENT,
        extraMetrics: f.enableFeatures.includes('extra-scrape-metrics'),
      });
      await this.scrape.applyConfig(this.config);
      await this.remote.applyConfig(this.config);
      m.reloadSuccess.set(1);
      m.reloadTimestamp.set(Date.now() / 1000);
      process.on('SIGHUP', this.onSighup);
      this.state = 'running';
      m.ready.set(1);
    } catch (err) {
      this.state = 'failed';
      this.lastError = (err as Error).message;
      await this.shutdown();
      throw err;
    }
  }

  /** obs's own registry as the `prometheus` job's target at this role's address, scraped in-process. */
  private selfSource(): MetricsSource {
    const host = this.ctx.listenHost.includes(':')
      ? `[${this.ctx.listenHost}]`
      : this.ctx.listenHost;
    return {
      job: 'prometheus',
      instance: `${host}:${this.boundPort}`,
      collect: async () => ({ contentType: register.contentType, body: await register.metrics() }),
    };
  }

  /** Reloads one at a time (SIGHUP and /-/reload may race), each seeing the file as it is then. */
  reload(): Promise<void> {
    const next = this.reloading.then(() => this.reloadNow());
    this.reloading = next.catch(() => undefined);
    return next;
  }

  private async reloadNow(): Promise<void> {
    const m = metricsOfRole();
    const file = this.opts.configFile;
    try {
      if (!file)
        throw new Error('no configuration file to reload: obs was given the config directly');
      const config = await loadPrometheusConfig(file);
      const rules = await loadRuleFiles(config.rule_files);
      await this.scrape?.applyConfig(config);
      await this.remote?.applyConfig(config);
      this.config = config;
      this.rules = rules;
      this.engine = this.makeEngine(config);
      m.reloadSuccess.set(1);
      m.reloadTimestamp.set(Date.now() / 1000);
      this.ctx.logger.info({ filename: file }, 'Completed loading of configuration file');
    } catch (err) {
      m.reloadSuccess.set(0);
      this.ctx.logger.error(
        { filename: file, err: (err as Error).message },
        'Error loading config (keeping the previous one)',
      );
      throw err;
    }
  }

  private buildApp(store: MetricsStore): FastifyInstance {
    const app = Fastify({ logger: false });
    const f = this.opts.flags;
    // `engine` is read per request, so a reload's new evaluation_interval applies.
    const role = this;
    registerPrometheusApi(app, {
      store,
      get engine() {
        return role.engine;
      },
      targets: () => this.targets(),
      configYaml: () => renderConfigYaml(this.config),
      flags: () => flagsForStatus(f),
      ready: () => this.state === 'running',
      reload: () => this.reload(),
      enableAdminApi: f.enableAdminApi,
      enableRemoteWriteReceiver: f.enableRemoteWriteReceiver,
      enableLifecycle: f.enableLifecycle,
      lookbackDeltaMs: f.lookbackDeltaMs,
      externalLabels: () => this.config.global.external_labels ?? {},
      storageRetention: formatPromDuration(f.retentionTimeMs),
    });
    app.get('/metrics', async (_req, reply) =>
      reply.type(register.contentType).send(await register.metrics()),
    );
    // The API answers POST/PUT /-/reload (through deps.reload); the rest of the lifecycle is here.
    const text = 'text/plain; charset=utf-8';
    for (const route of ['/-/reload', '/-/quit']) {
      app.get(route, async (_req, reply) =>
        reply.code(405).type(text).send('Only POST or PUT requests allowed\n'),
      );
    }
    app.route({
      method: ['POST', 'PUT'],
      url: '/-/quit',
      handler: async (_req, reply) => {
        if (!f.enableLifecycle) {
          return reply.code(403).type(text).send('Lifecycle API is not enabled.');
        }
        setImmediate(() => this.opts.onQuit?.());
        return reply.type(text).send('Requesting termination... Goodbye!\n');
      },
    });
    return app;
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    metricsOfRole().ready.set(0);
    await this.shutdown();
    this.state = 'stopped';
  }

  /** Stops scraping (stale markers), closes the API, flushes remote write, closes the store. */
  private async shutdown(): Promise<void> {
    process.off('SIGHUP', this.onSighup);
    await this.scrape?.stop();
    this.scrape = undefined;
    await this.app?.close();
    this.app = undefined;
    await this.remote?.stop();
    this.remote = undefined;
    this.tee = undefined;
    await this.store?.close();
    this.store = undefined;
  }

  status(): RoleStatus {
    const host = this.ctx.listenHost.includes(':')
      ? `[${this.ctx.listenHost}]`
      : this.ctx.listenHost;
    return {
      name: 'metrics',
      state: this.state,
      address: `http://${host}:${this.boundPort}`,
      healthPath: '/-/ready',
      dataDir: this.ctx.dataDir,
      retention: formatPromDuration(this.opts.flags.retentionTimeMs),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }
}

/** Counts the samples of every successful commit (scrapes and the remote-write receiver alike). */
function countingAppendable(inner: Appendable, counter: { inc(n: number): void }): Appendable {
  return {
    appender() {
      const app = inner.appender();
      let n = 0;
      return {
        append(labels, t, v) {
          app.append(labels, t, v);
          n++;
        },
        async commit() {
          await app.commit();
          if (n > 0) counter.inc(n);
        },
        rollback() {
          app.rollback();
          n = 0;
        },
      };
    },
  };
}

/**
 * The store as the API sees it, except that appends (the remote-write
 * receiver's) go through `appendable`, so they too reach remote write.
 */
function storeWithAppendable(store: MetricsStore, appendable: Appendable): MetricsStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'appender') return () => appendable.appender();
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
