import path from 'node:path';
import pino from 'pino';
import { formatFlagHelp } from '../common/flags.js';
import { isLoopback } from '../common/net.js';
import { PROMETHEUS_COMPAT_VERSION } from './api/index.js';
import { loadPrometheusConfig } from './config/index.js';
import { METRICS_FLAG_SPECS, parseMetricsFlags } from './flags.js';
import { createMetricsRole } from './role.js';

/**
 * `obs run metrics`: a drop-in for the `prometheus` binary with its own
 * flags. SIGTERM or SIGINT (or POST /-/quit) stops it cleanly; SIGHUP and
 * POST /-/reload reload the config, keeping the old one on error.
 */
export async function runMetricsStandalone(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      `usage: obs run metrics [<flags>]\n\nThe Prometheus monitoring server\n\nFlags:\n${formatFlagHelp(METRICS_FLAG_SPECS, 'kingpin')}\n`,
    );
    return;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`prometheus, version ${PROMETHEUS_COMPAT_VERSION} (obs)\n`);
    return;
  }
  const flags = parseMetricsFlags(argv);
  const logger = pino({ level: flags.logLevel }, pino.destination(2));
  const configFile = path.resolve(flags.configFile);
  const config = await loadPrometheusConfig(configFile);
  const sep = flags.listenAddress.lastIndexOf(':');
  const host = flags.listenAddress.slice(0, sep) || '0.0.0.0';
  const port = Number(flags.listenAddress.slice(sep + 1));
  if (!isLoopback(host.replace(/^\[|\]$/g, ''))) {
    logger.warn(
      { address: flags.listenAddress },
      'Listening on a non-loopback address: the Prometheus API has no authentication; anyone who can reach it can read every metric',
    );
  }
  const dataDir = path.resolve(flags.storagePath);
  let quit: () => void = () => undefined;
  const role = await createMetricsRole(
    { logger, dataDir, listenHost: host.replace(/^\[|\]$/g, '') },
    { config, configFile, flags, port, sources: [], onQuit: () => quit() },
  );
  await role.start();
  logger.info(
    { address: role.status().address, dataDir },
    'Server is ready to receive web requests.',
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      role.stop().then(resolve, (err: unknown) => {
        logger.error({ err }, 'stopping failed');
        resolve();
      });
    };
    quit = stop;
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  logger.info('See you next time!');
}
