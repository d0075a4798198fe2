import { compileGoRegexp } from '../../common/go-regexp.js';
import type { MetricsSource } from '../../metrics/appender.js';
import { FileCache } from '../file-cache.js';
import { family, TEXT_CONTENT_TYPE, writeExposition, type MetricFamily } from '../exposition.js';
import type { NodeCollector, NodeConfig } from './collector.js';
import { arpCollector } from './collectors/arp.js';
import { conntrackCollector } from './collectors/conntrack.js';
import { cpuCollector } from './collectors/cpu.js';
import { diskstatsCollector } from './collectors/diskstats.js';
import { entropyCollector } from './collectors/entropy.js';
import { filefdCollector } from './collectors/filefd.js';
import { filesystemCollector } from './collectors/filesystem.js';
import { loadavgCollector } from './collectors/loadavg.js';
import { meminfoCollector } from './collectors/meminfo.js';
import { netclassCollector } from './collectors/netclass.js';
import { netdevCollector } from './collectors/netdev.js';
import { netstatCollector } from './collectors/netstat.js';
import { osCollector } from './collectors/os.js';
import { pressureCollector } from './collectors/pressure.js';
import { sockstatCollector } from './collectors/sockstat.js';
import { softnetCollector } from './collectors/softnet.js';
import { statCollector } from './collectors/stat.js';
import { textfileCollector } from './collectors/textfile.js';
import { timeCollector } from './collectors/time.js';
import { udpQueuesCollector } from './collectors/udp-queues.js';
import { unameCollector } from './collectors/uname.js';
import { vmstatCollector } from './collectors/vmstat.js';
import {
  NODE_COLLECTORS,
  NODE_DEFAULTS,
  nodeConfig,
  type NodeCollectorName,
  type NodeExporterOptions,
} from './options.js';

function collectorsFor(o: NodeExporterOptions): Record<NodeCollectorName, NodeCollector> {
  return {
    arp: arpCollector,
    conntrack: conntrackCollector,
    cpu: cpuCollector,
    diskstats: diskstatsCollector(o.udevData ?? NODE_DEFAULTS.udevData),
    entropy: entropyCollector,
    filefd: filefdCollector,
    filesystem: filesystemCollector,
    loadavg: loadavgCollector,
    meminfo: meminfoCollector,
    netclass: netclassCollector(compileGoRegexp(o.netclassIgnoredDevices ?? '^$').regex),
    netdev: netdevCollector,
    netstat: netstatCollector,
    os: osCollector,
    pressure: pressureCollector,
    sockstat: sockstatCollector,
    softnet: softnetCollector,
    stat: statCollector,
    textfile: textfileCollector,
    time: timeCollector,
    udp_queues: udpQueuesCollector,
    uname: unameCollector,
    vmstat: vmstatCollector,
  };
}

/**
 * Runs the enabled collectors concurrently, as node_exporter's
 * NodeCollector does, and adds node_scrape_collector_duration_seconds and
 * node_scrape_collector_success per collector; a collector that throws
 * contributes nothing but its success 0.
 */
async function gatherNode(
  collectors: readonly NodeCollector[],
  config: NodeConfig,
): Promise<MetricFamily[]> {
  const duration = family(
    'node_scrape_collector_duration_seconds',
    'node_exporter: Duration of a collector scrape.',
    'gauge',
  );
  const success = family(
    'node_scrape_collector_success',
    'node_exporter: Whether a collector succeeded.',
    'gauge',
  );
  const results = await Promise.all(
    collectors.map(async (c) => {
      const start = process.hrtime.bigint();
      let families: MetricFamily[] = [];
      let ok = 1;
      try {
        families = await c.update(config);
      } catch {
        ok = 0;
      }
      duration.add(Number(process.hrtime.bigint() - start) / 1e9, { collector: c.name });
      success.add(ok, { collector: c.name });
      return families;
    }),
  );
  return [...results.flat(), duration, success];
}

export class NodeExporterSource implements MetricsSource {
  readonly job = 'node_exporter';
  readonly instance: string;
  private readonly config: NodeConfig;
  private readonly collectors: NodeCollector[];
  private readonly files = new FileCache();

  constructor(opts: NodeExporterOptions = {}) {
    this.instance = opts.instance ?? '127.0.0.1:9100';
    this.config = nodeConfig(opts, (p) => this.files.readStrict(p));
    const all = collectorsFor(opts);
    this.collectors = (opts.collectors ?? NODE_COLLECTORS).map((n) => all[n]);
  }

  /** Closes the procfs/sysfs descriptors kept open between scrapes. */
  close(): void {
    this.files.close();
  }

  async collect(): Promise<{ contentType: string; body: string }> {
    const families = await gatherNode(this.collectors, this.config);
    this.files.sweep();
    return { contentType: TEXT_CONTENT_TYPE, body: writeExposition(families) };
  }
}
