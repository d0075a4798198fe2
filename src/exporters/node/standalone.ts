import { FlagError, formatFlagHelp, parseFlags } from '../../common/flags.js';
import { parseListenAddress, serveUntilSignal, startExporterServer } from '../http-server.js';
import { NodeExporterSource } from './node-exporter.js';
import { NODE_FLAG_SPECS, nodeOptionsFromFlags } from './options.js';

/** obs binds loopback unless told otherwise; node_exporter's own default is `:9100`. */
const OBS_LISTEN_DEFAULT = '127.0.0.1:9100';

function landingPage(metricsPath: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="UTF-8"><title>Node Exporter</title></head>
<body>
<header><h1>Node Exporter</h1></header>
<main>
<h2>Prometheus Node Exporter</h2>
<div>Version: obs</div>
<ul><li><a href="${metricsPath}">Metrics</a></li></ul>
</main>
</body>
</html>
`;
}

/** `obs run node-exporter [node_exporter flags]`: serves until SIGTERM/SIGINT, then resolves. */
export async function runNodeExporterStandalone(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      `usage: obs run node-exporter [<flags>]\n\nFlags:\n${formatFlagHelp(NODE_FLAG_SPECS, 'kingpin')}\n`,
    );
    return;
  }
  const specs = {
    ...NODE_FLAG_SPECS,
    'web.listen-address': {
      ...NODE_FLAG_SPECS['web.listen-address']!,
      default: OBS_LISTEN_DEFAULT,
    },
  };
  const { values, positional } = parseFlags(argv, specs, 'kingpin');
  if (positional.length > 0) throw new FlagError(`unexpected ${positional[0]}`);
  const { host, port } = parseListenAddress(values['web.listen-address'] as string);
  const metricsPath = values['web.telemetry-path'] as string;
  const source = new NodeExporterSource({
    ...nodeOptionsFromFlags(values),
    instance: `${host}:${port}`,
  });
  const server = await startExporterServer({
    host,
    port,
    metricsPath,
    source,
    landingPage: landingPage(metricsPath),
  });
  process.stderr.write(`node-exporter listening on ${host}:${port}${metricsPath}\n`);
  await serveUntilSignal(server);
}
