import { family } from '../../exposition.js';
import { procPath, type NodeCollector } from '../collector.js';

/** arp_linux.go: /proc/net/arp entries counted per device. */
export const arpCollector: NodeCollector = {
  name: 'arp',
  async update(c) {
    const counts = new Map<string, number>();
    for (const line of c.read(procPath(c, 'net/arp')).split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 6) continue;
      counts.set(f[5]!, (counts.get(f[5]!) ?? 0) + 1);
    }
    const entries = family('node_arp_entries', 'ARP entries by device', 'gauge');
    for (const [device, n] of counts) entries.add(n, { device });
    return [entries];
  },
};
