import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { parseFlags, type FlagSpec } from '../common/flags.js';
import { CONFIG_FILES, DEFAULT_CONFIG_DIR, SEED } from '../stack/defaults.js';
import { loadEnvFile } from '../stack/env-file.js';
import { loadProvisioning } from './provisioning.js';
import { UiRole } from './role.js';

const FLAGS: Record<string, FlagSpec> = {
  'config-dir': {
    type: 'string',
    default: DEFAULT_CONFIG_DIR,
    help: 'Config directory (.env, grafana/provisioning).',
  },
  'listen-address': { type: 'string', default: SEED.loopback, help: 'Host to bind.' },
};

/** `obs run ui`: the UI role alone, on GRAFANA_PORT from the config directory's .env. */
export async function runUiStandalone(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, FLAGS, 'kingpin');
  const dir = resolve(values['config-dir'] as string);
  const env = await loadEnvFile(join(dir, CONFIG_FILES.env), SEED.ports);
  const logger = pino({ base: { role: 'ui', host: hostname() } }, process.stderr);
  const role = new UiRole(
    { logger, dataDir: dir, listenHost: values['listen-address'] as string },
    { port: env.ports.ui, provisioning: await loadProvisioning(join(dir, 'grafana/provisioning')) },
  );
  await role.start();
  logger.info(`ui listening on ${role.status().address}`);
  await new Promise<void>((done) => {
    const stop = () => void role.stop().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
