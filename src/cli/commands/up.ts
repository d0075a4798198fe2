import { mkdir } from 'node:fs/promises';
import type { FlagSpec } from '../../common/flags.js';
import { isLoopback } from '../../common/net.js';
import {
  builtInConfigDir,
  findConfigDir,
  loadStackConfig,
  resolveDataDir,
} from '../../stack/config-dir.js';
import { SEED } from '../../stack/defaults.js';
import { DataDirLock } from '../../stack/lock.js';
import { loadDoors, type LokiConfigView } from '../../stack/modules.js';
import { SelfLogForwarder } from '../../stack/self-logs.js';
import { Stack } from '../../stack/stack.js';
import { createLogger } from '../logger.js';
import { UsageError } from '../usage-error.js';

/** Prometheus's own flags that `obs up` passes on to the metrics role. */
const METRICS_FLAGS: Record<string, FlagSpec> = {
  'storage.tsdb.retention.time': {
    type: 'string',
    help: 'How long to keep samples (Prometheus flag).',
  },
  'storage.tsdb.retention.size': {
    type: 'string',
    help: 'Most bytes of samples to keep (Prometheus flag).',
  },
  'query.lookback-delta': { type: 'string', help: 'PromQL lookback delta (Prometheus flag).' },
  'query.timeout': { type: 'string', help: 'Longest a query may run (Prometheus flag).' },
  'query.max-samples': { type: 'string', help: 'Most samples a query may load (Prometheus flag).' },
  'web.enable-remote-write-receiver': {
    type: 'bool',
    help: 'Accept remote write on /api/v1/write.',
  },
  'web.enable-admin-api': { type: 'bool', help: 'Enable the TSDB admin endpoints.' },
  'web.enable-lifecycle': { type: 'bool', help: 'Enable /-/reload and /-/quit.' },
};

export const UP_FLAGS: Record<string, FlagSpec> = {
  'config-dir': {
    type: 'string',
    help: 'Config directory (default ./infra/logging if present, else built-in).',
  },
  'data-dir': {
    type: 'string',
    help: 'Data directory (default $OBS_HOME, else ~/.local/share/obs).',
  },
  'listen-address': {
    type: 'string',
    help: `Host every role binds (default ${SEED.loopback}); anything but loopback exposes the stack.`,
  },
  ...METRICS_FLAGS,
};

export async function upCommand(values: Record<string, unknown>): Promise<number> {
  const listenHost = (values['listen-address'] as string | undefined) ?? SEED.loopback;
  const forwarder = new SelfLogForwarder();
  const logger = createLogger(forwarder);
  const progress = (message: string) => logger.info(message);
  if (!isLoopback(listenHost)) {
    logger.warn(
      { listenAddress: listenHost },
      `WARNING: binding ${listenHost}, which is not loopback: the UI, logs and metrics APIs are reachable from other machines`,
    );
  }

  const doors = await loadDoors();
  const dataDir = resolveDataDir(values['data-dir'] as string | undefined);
  await mkdir(dataDir, { recursive: true });
  const lock = await DataDirLock.acquire(dataDir);
  let stack: Stack | undefined;
  try {
    const found = await findConfigDir(values['config-dir'] as string | undefined);
    const dir = found ?? (await builtInConfigDir(dataDir, doors));
    progress(
      found ? `config directory ${dir}` : `no config directory: using the built-in one in ${dir}`,
    );
    const config = await loadStackConfig(dir, found === undefined, doors);
    refuseNonLoopbackConfig(config.loki, dir, values['listen-address'] !== undefined);

    const metricsArgv = Object.keys(METRICS_FLAGS).flatMap((name) => {
      const v = values[name];
      if (v === undefined || v === false) return [];
      return v === true ? [`--${name}`] : [`--${name}=${String(v)}`];
    });
    stack = new Stack({ config, dataDir, listenHost, doors, logger, metricsArgv });
    await stack.start(progress);
    if (stack.selfLogSink) forwarder.attach(stack.selfLogSink);
    const absent = stack.status().filter((r) => r.state === 'absent');
    if (absent.length > 0) progress(`roles not built yet: ${absent.map((r) => r.name).join(', ')}`);
    progress(`obs is up: data in ${dataDir}`);
  } catch (err) {
    await stack?.stop(progress);
    await lock.release();
    throw err;
  }

  const running = stack;
  return new Promise<number>((resolve) => {
    let stoppingSince = 0;
    const shutdown = (signal: string) => {
      // `npm start` under a terminal delivers Ctrl-C twice (to npm and to obs, which npm
      // forwards it to): only a repeat after a pause means "stop waiting".
      if (stoppingSince > 0) {
        if (Date.now() - stoppingSince < 2000) return;
        logger.warn(`${signal} again: exiting without waiting for the roles to flush`);
        process.exit(1);
      }
      stoppingSince = Date.now();
      progress(`${signal}: stopping`);
      void (async () => {
        await forwarder.close();
        await running.stop(progress);
        await lock.release();
        progress('stopped');
        resolve(0);
      })();
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  });
}

/**
 * The seed's posture is loopback only: a Loki config that asks for another
 * address is refused unless the user said --listen-address explicitly.
 */
function refuseNonLoopbackConfig(
  loki: LokiConfigView | undefined,
  dir: string,
  explicit: boolean,
): void {
  const host = loki?.server.httpListenAddress;
  if (!explicit && host && !isLoopback(host)) {
    throw new UsageError(
      `${dir}/loki-config.yml: server.http_listen_address is ${host}, which is not loopback; ` +
        `obs binds loopback only unless you pass --listen-address ${host} explicitly`,
    );
  }
}
