import { FlagError, formatFlagHelp, parseFlags, type FlagSpec } from '../../common/flags.js';
import { serveUntilSignal, startExporterServer } from '../http-server.js';
import { CadvisorSource } from './cadvisor.js';

/** cAdvisor's own flags (Go flag style) that `obs run cadvisor` honours or accepts. */
const CADVISOR_FLAG_SPECS: Record<string, FlagSpec> = {
  port: { type: 'string', default: '8080', help: 'port to listen' },
  listen_ip: {
    type: 'string',
    default: '127.0.0.1',
    help: 'IP to listen on (obs defaults to loopback; cAdvisor to every interface)',
  },
  docker: { type: 'string', default: 'unix:///var/run/docker.sock', help: 'docker endpoint' },
  prometheus_endpoint: {
    type: 'string',
    default: '/metrics',
    help: 'Endpoint to expose Prometheus metrics on',
  },
  store_container_labels: {
    type: 'bool',
    default: true,
    help: 'convert container labels and environment variables into labels on prometheus metrics for each container',
  },
  whitelisted_container_labels: {
    type: 'string',
    default: '',
    help: 'comma separated list of container labels to be converted to labels on prometheus metrics for each container. store_container_labels must be set to false for this to take effect.',
  },
  docker_only: {
    type: 'bool',
    default: false,
    help: 'Only report docker containers in addition to root stats (obs always does)',
  },
  housekeeping_interval: {
    type: 'string',
    default: '1s',
    help: 'Interval between container housekeepings (obs reads at scrape time)',
  },
  logtostderr: { type: 'bool', default: false, help: 'log to standard error instead of files' },
  v: { type: 'string', default: '0', help: 'log level for V logs' },
};

/** `obs run cadvisor [cAdvisor flags]`: serves until SIGTERM/SIGINT, then resolves. */
export async function runCadvisorStandalone(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-help') || argv.includes('-h')) {
    process.stdout.write(
      `Usage of obs run cadvisor:\n${formatFlagHelp(CADVISOR_FLAG_SPECS, 'go')}\n`,
    );
    return;
  }
  const { values, positional } = parseFlags(argv, CADVISOR_FLAG_SPECS, 'go');
  if (positional.length > 0) throw new FlagError(`unexpected argument ${positional[0]}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new FlagError(`invalid value ${JSON.stringify(values.port)} for flag -port`);
  }
  const host = (values.listen_ip as string) || '::';
  const source = new CadvisorSource({
    docker: values.docker as string,
    storeContainerLabels: values.store_container_labels as boolean,
    whitelistedContainerLabels: (values.whitelisted_container_labels as string)
      .split(',')
      .filter(Boolean),
    instance: `${host}:${port}`,
  });
  const server = await startExporterServer({
    host,
    port,
    metricsPath: values.prometheus_endpoint as string,
    source,
  });
  process.stderr.write(
    `cadvisor listening on ${host}:${port}${String(values.prometheus_endpoint)}\n`,
  );
  try {
    await serveUntilSignal(server);
  } finally {
    source.close();
  }
}
