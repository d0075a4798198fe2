import { single, type MetricFamily } from '../../exposition.js';
import { procPath, type NodeCollector, type NodeConfig } from '../collector.js';

/**
 * netstat_linux.go: /proc/net/netstat and /proc/net/snmp (header line and
 * value line per protocol) and /proc/net/snmp6, the fields matching
 * --collector.netstat.fields, untyped.
 */
export const netstatCollector: NodeCollector = {
  name: 'netstat',
  async update(c) {
    const stats = new Map<string, string>();
    for (const file of ['net/netstat', 'net/snmp']) {
      const lines = c.read(procPath(c, file)).split('\n');
      for (let i = 0; i + 1 < lines.length; i += 2) {
        const names = lines[i]!.trim().split(/\s+/);
        const values = lines[i + 1]!.trim().split(/\s+/);
        if (names.length < 2) continue;
        const proto = names[0]!.replace(/:$/, '');
        if (names.length !== values.length) {
          throw new Error(`mismatch field count in ${procPath(c, file)}: ${proto}`);
        }
        for (let j = 1; j < names.length; j++) stats.set(`${proto}_${names[j]}`, values[j]!);
      }
    }
    await addSnmp6(c, stats);
    const out: MetricFamily[] = [];
    for (const [key, value] of stats) {
      if (!c.netstatFields.test(key)) continue;
      const v = Number(value);
      if (Number.isNaN(v)) throw new Error(`invalid value ${value} in netstats`);
      out.push(single(`node_netstat_${key}`, `Statistic ${key.replace('_', '')}.`, 'untyped', v));
    }
    return out;
  },
};

/** `Ip6InReceives 12` lines: the protocol is the name up to its first "6". */
async function addSnmp6(c: NodeConfig, stats: Map<string, string>): Promise<void> {
  let text: string;
  try {
    text = c.read(procPath(c, 'net/snmp6'));
  } catch (err) {
    // IPv6 disabled: node_exporter reports the rest.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (!key || value === undefined) continue;
    const six = key.indexOf('6');
    stats.set(`${key.slice(0, six + 1)}_${key.slice(six + 1)}`, value);
  }
}
