import { single, type MetricFamily } from '../../exposition.js';
import { procPath, type NodeCollector } from '../collector.js';
import { pageSize } from '../page-size.js';

/**
 * sockstat_linux.go: /proc/net/sockstat and sockstat6, one gauge per
 * protocol and field, plus `mem_bytes` where the kernel counts `mem` in pages.
 */
export const sockstatCollector: NodeCollector = {
  name: 'sockstat',
  async update(c) {
    const out: MetricFamily[] = [];
    const page = await pageSize(c.procfs);
    for (const file of ['net/sockstat', 'net/sockstat6']) {
      let text: string;
      try {
        text = c.read(procPath(c, file));
      } catch (err) {
        // Without IPv6 there is no sockstat6, which node_exporter ignores.
        if (file === 'net/sockstat6' && (err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      for (const line of text.split('\n')) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const proto = line.slice(0, colon);
        const fields = line
          .slice(colon + 1)
          .trim()
          .split(/\s+/);
        if (proto === 'sockets') {
          out.push(
            single(
              'node_sockstat_sockets_used',
              'Number of IPv4 sockets in use.',
              'gauge',
              Number(fields[1]),
            ),
          );
          continue;
        }
        for (let i = 0; i + 1 < fields.length; i += 2) {
          out.push(sockstat(proto, fields[i]!, Number(fields[i + 1])));
          if (fields[i] === 'mem')
            out.push(sockstat(proto, 'mem_bytes', Number(fields[i + 1]) * page));
        }
      }
    }
    return out;
  },
};

function sockstat(proto: string, state: string, value: number): MetricFamily {
  return single(
    `node_sockstat_${proto}_${state}`,
    `Number of ${proto} sockets in state ${state}.`,
    'gauge',
    value,
  );
}
