import pino, { type Logger } from 'pino';
import { parseFlags } from '../common/flags.js';
import type { LogSink } from '../logs/sink.js';
import type { Role, RoleContext, RoleStatus } from '../stack/role.js';
import { COMPONENTS } from './components/registry.js';
import {
  AgentMetrics,
  Controller,
  EvalError,
  loadAlloyConfig,
  startDebugServer,
  toConfigError,
  type AlloyConfig,
} from './runtime/index.js';

export interface AgentRoleOptions {
  config: AlloyConfig;
  /** The logs role of the same process: `loki.write` hands it batches in memory. */
  inProcessLogs?: { pushUrl: string; sink: LogSink };
  /** Serve `/-/ready`, `/-/healthy` and `/metrics` on this loopback port (0: any free port). */
  debugPort?: number;
}

/** Parses and checks an Alloy config file against the components obs provides. */
export function loadAgentConfig(file: string): Promise<AlloyConfig> {
  return loadAlloyConfig(file, COMPONENTS);
}

/** The agent role, which can also swap in a new config while running (`/-/reload`, SIGHUP). */
export interface AgentRole extends Role {
  /**
   * Re-reads the config file (or takes `config`), stops the running graph
   * (flushing what it read) and starts the new one; positions and cursors
   * carry over. A config that fails to build leaves the old one running
   * and rejects with its ConfigError.
   */
  reload(config?: AlloyConfig): Promise<void>;
}

/** The agent as a role of `obs up`: runs the config's component graph. */
export async function createAgentRole(
  ctx: RoleContext,
  opts: AgentRoleOptions,
): Promise<AgentRole> {
  const metrics = new AgentMetrics();
  let config = opts.config;
  let state: RoleStatus['state'] = 'stopped';
  let lastError: string | undefined;
  let controller: Controller | undefined;
  let abort: AbortController | undefined;
  let running: Promise<void> | undefined;
  let debug: { address: string; close(): Promise<void> } | undefined;

  /** Builds and starts the graph of `next`; throws its ConfigError without starting anything. */
  const launch = (next: AlloyConfig) => {
    let c: Controller;
    try {
      c = new Controller({
        body: next.body,
        registry: COMPONENTS,
        dataPath: ctx.dataDir,
        logger: withLevel(ctx.logger, loggingLevel(next)),
        metrics,
        ...(opts.inProcessLogs ? { inProcessLogs: opts.inProcessLogs } : {}),
      });
      c.build();
    } catch (err) {
      throw err instanceof EvalError ? toConfigError(next.file, err, COMPONENTS) : err;
    }
    controller = c;
    abort = new AbortController();
    running = c.run(abort.signal);
  };
  const halt = async () => {
    abort?.abort();
    await running;
  };

  const role: AgentRole = {
    name: 'agent',
    async start() {
      state = 'starting';
      try {
        launch(config);
      } catch (err) {
        state = 'failed';
        lastError = (err as Error).message;
        throw err;
      }
      if (opts.debugPort !== undefined) {
        debug = await startDebugServer({
          host: ctx.listenHost,
          port: opts.debugPort,
          metrics,
          ready: () => state === 'running',
          health: () => controller?.health() ?? [],
          reload: () => role.reload(),
        });
      }
      state = 'running';
    },
    async reload(next?: AlloyConfig) {
      const candidate = next ?? (await loadAgentConfig(config.file));
      await halt();
      try {
        launch(candidate);
      } catch (err) {
        launch(config);
        throw err;
      }
      config = candidate;
      lastError = undefined;
      ctx.logger.info({ file: config.file }, 'config reloaded');
    },
    async stop() {
      state = 'stopping';
      await halt();
      await debug?.close();
      debug = undefined;
      state = 'stopped';
    },
    status() {
      const unhealthy = controller?.health().filter((h) => !h.healthy) ?? [];
      const error =
        lastError ??
        (unhealthy.length > 0
          ? unhealthy.map((h) => `${h.id}: ${h.message}`).join('; ')
          : undefined);
      return {
        name: 'agent',
        state,
        dataDir: ctx.dataDir,
        ...(debug ? { address: debug.address, healthPath: '/-/ready' } : {}),
        ...(error ? { lastError: error } : {}),
      };
    },
  };
  return role;
}

/** The config's `logging` level applied to the agent's logger (pino knows Alloy's level names). */
function withLevel(logger: Logger, level: string): Logger {
  return logger.child({}, { level });
}

const FLAGS = {
  'server.http.listen-addr': {
    type: 'string',
    default: '127.0.0.1:12345',
    help: 'Address to listen for HTTP traffic on.',
  },
  'storage.path': {
    type: 'string',
    default: 'data-alloy/',
    help: 'Base directory where components can store data.',
  },
  'stability.level': {
    type: 'string',
    default: 'generally-available',
    help: 'Minimum stability level of features to enable.',
  },
  'disable-reporting': {
    type: 'bool',
    default: false,
    help: 'Disable reporting of enabled components to Grafana.',
  },
  'config.format': {
    type: 'string',
    default: 'alloy',
    help: 'The format of the source file (only alloy).',
  },
} as const;

/**
 * `obs run agent run CONFIG [flags]`, as `alloy run`: runs one config with
 * its debug server on --server.http.listen-addr until SIGINT or SIGTERM
 * (or `opts.signal`, for callers that embed it).
 */
export async function runAgentStandalone(
  argv: string[],
  opts: { signal?: AbortSignal } = {},
): Promise<void> {
  const args = argv[0] === 'run' ? argv.slice(1) : argv;
  const { values, positional } = parseFlags(args, FLAGS, 'kingpin');
  if (positional.length !== 1)
    throw new Error('usage: run CONFIG [--server.http.listen-addr=ADDR] [--storage.path=DIR]');
  if (values['config.format'] !== 'alloy') {
    throw new Error(
      `unsupported --config.format ${String(values['config.format'])}: obs reads Alloy syntax only`,
    );
  }
  const config = await loadAgentConfig(positional[0]!);
  const listen = String(values['server.http.listen-addr']);
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon).replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(listen.slice(colon + 1));
  const logger = pino({ level: loggingLevel(config) }, pino.destination(2));
  const role = await createAgentRole(
    { logger, dataDir: String(values['storage.path']), listenHost: host },
    { config, debugPort: port },
  );
  await role.start();
  logger.info({ address: role.status().address }, 'now listening for http traffic');
  // Like Alloy: SIGHUP re-reads the config file; a bad one is logged and the old one kept.
  const reload = () => {
    role
      .reload()
      .catch((err: unknown) =>
        logger.error({ err: (err as Error).message }, 'reload failed; keeping the running config'),
      );
  };
  process.on('SIGHUP', reload);
  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      process.off('SIGHUP', reload);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (opts.signal?.aborted) done();
    opts.signal?.addEventListener('abort', done, { once: true });
  });
  await role.stop();
}

/** Alloy's log levels, which pino shares. */
const LEVELS = new Set(['debug', 'info', 'warn', 'error']);

/** The level from the config's `logging` block (Alloy's default is info). */
function loggingLevel(config: AlloyConfig): string {
  for (const stmt of config.body) {
    if (stmt.type !== 'block' || stmt.name !== 'logging') continue;
    for (const a of stmt.body) {
      if (a.type === 'attribute' && a.name === 'level' && a.value.type === 'literal') {
        const level = String(a.value.value);
        if (LEVELS.has(level)) return level;
      }
    }
  }
  return 'info';
}
