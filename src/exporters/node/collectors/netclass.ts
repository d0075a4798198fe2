import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { family, type FamilyBuilder, type MetricType } from '../../exposition.js';
import { sysPath, type NodeCollector, type NodeConfig } from '../collector.js';

/** netclass_linux.go's numeric properties: metric suffix, sysfs attribute, type. */
const PROPERTIES: [name: string, file: string, type: MetricType][] = [
  ['address_assign_type', 'addr_assign_type', 'gauge'],
  ['carrier', 'carrier', 'gauge'],
  ['carrier_changes_total', 'carrier_changes', 'counter'],
  ['carrier_up_changes_total', 'carrier_up_count', 'counter'],
  ['carrier_down_changes_total', 'carrier_down_count', 'counter'],
  ['device_id', 'dev_id', 'gauge'],
  ['dormant', 'dormant', 'gauge'],
  ['flags', 'flags', 'gauge'],
  ['iface_id', 'ifindex', 'gauge'],
  ['iface_link', 'iflink', 'gauge'],
  ['iface_link_mode', 'link_mode', 'gauge'],
  ['mtu_bytes', 'mtu', 'gauge'],
  ['name_assign_type', 'name_assign_type', 'gauge'],
  ['net_dev_group', 'netdev_group', 'gauge'],
  ['transmit_queue_length', 'tx_queue_len', 'gauge'],
  ['protocol_type', 'type', 'gauge'],
];

/** An attribute's text, or undefined where the kernel refuses it (EINVAL on a down link). */
function attr(c: NodeConfig, dir: string, file: string): string | undefined {
  try {
    return c.read(join(dir, file)).trim();
  } catch {
    return undefined;
  }
}

/** Sysfs numbers are decimal, or hex with 0x (dev_id, flags). */
function num(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const v = text.startsWith('0x') ? parseInt(text.slice(2), 16) : Number(text);
  return Number.isNaN(v) ? undefined : v;
}

/**
 * netclass_linux.go: /sys/class/net/<iface> attributes, one gauge per
 * property and node_network_info for the text ones; an attribute the kernel
 * will not give (a down interface's carrier) is left out, as there.
 */
export function netclassCollector(ignoredDevices: RegExp): NodeCollector {
  return {
    name: 'netclass',
    async update(c) {
      const base = sysPath(c, 'class/net');
      const up = family(
        'node_network_up',
        "Value is 1 if operstate is 'up', 0 otherwise.",
        'gauge',
      );
      const info = family(
        'node_network_info',
        'Non-numeric data from /sys/class/net/<iface>, value is always 1.',
        'gauge',
      );
      const props = new Map<string, FamilyBuilder>(
        [...PROPERTIES, ['speed_bytes', 'speed', 'gauge'] as const].map(([name, , type]) => [
          name,
          family(`node_network_${name}`, `Network device property: ${name}`, type),
        ]),
      );
      for (const device of (await readdir(base)).sort()) {
        if (ignoredDevices.test(device)) continue;
        const dir = join(base, device);
        if (!(await stat(dir)).isDirectory()) continue; // bonding_masters is a file
        const operstate = attr(c, dir, 'operstate') ?? '';
        const flags = num(attr(c, dir, 'flags'));
        up.add(operstate === 'up' ? 1 : 0, { device });
        info.add(1, {
          device,
          address: attr(c, dir, 'address') ?? '',
          broadcast: attr(c, dir, 'broadcast') ?? '',
          duplex: attr(c, dir, 'duplex') ?? '',
          operstate,
          // node_exporter 1.6+: IFF_UP of the interface flags.
          adminstate: flags === undefined ? 'unknown' : flags & 1 ? 'up' : 'down',
          ifalias: attr(c, dir, 'ifalias') ?? '',
        });
        for (const [name, file] of PROPERTIES) {
          const v = num(attr(c, dir, file));
          if (v !== undefined) props.get(name)!.add(v, { device });
        }
        // Mbit/s to bytes/s; -1 ("unknown") passes through as node_exporter 1.x does by default.
        const speed = num(attr(c, dir, 'speed'));
        if (speed !== undefined)
          props.get('speed_bytes')!.add(Math.trunc((speed * 1e6) / 8), { device });
      }
      return [up, info, ...props.values()];
    },
  };
}
