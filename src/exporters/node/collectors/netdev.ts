import { family, type FamilyBuilder } from '../../exposition.js';
import { deviceIgnored, procPath, sysPath, type NodeCollector } from '../collector.js';

/**
 * netdev_linux.go: per-device counters with node_exporter's legacy names
 * (those of /proc/net/dev's columns, which the kernel derives exactly as
 * node_exporter derives them from netlink), plus receive_nohandler, which
 * /proc/net/dev lacks, from sysfs.
 */
export const netdevCollector: NodeCollector = {
  name: 'netdev',
  async update(c) {
    const lines = c.read(procPath(c, 'net/dev')).split('\n');
    const header = lines[1]?.split('|');
    if (!header || header.length < 3) throw new Error('invalid /proc/net/dev header');
    const rx = header[1]!.trim().split(/\s+/);
    const tx = header[2]!.trim().split(/\s+/);
    const names = [...rx.map((f) => `receive_${f}`), ...tx.map((f) => `transmit_${f}`)];
    const families = new Map<string, FamilyBuilder>();
    const add = (name: string, device: string, value: number) => {
      let f = families.get(name);
      if (!f) {
        f = family(`node_network_${name}_total`, `Network device statistic ${name}.`, 'counter');
        families.set(name, f);
      }
      f.add(value, { device });
    };
    for (const line of lines.slice(2)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const device = line.slice(0, colon).trim();
      if (deviceIgnored(device, c.netdevDeviceExclude, c.netdevDeviceInclude)) continue;
      const values = line
        .slice(colon + 1)
        .trim()
        .split(/\s+/)
        .map(Number);
      names.forEach((name, i) => add(name, device, values[i] ?? 0));
      try {
        const text = c.read(sysPath(c, 'class/net', device, 'statistics/rx_nohandler'));
        add('receive_nohandler', device, Number(text.trim()));
      } catch {
        // Older kernels and some virtual devices have no rx_nohandler.
      }
    }
    return [...families.values()];
  },
};
