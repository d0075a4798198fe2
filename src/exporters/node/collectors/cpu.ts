import { family } from '../../exposition.js';
import { procPath, type NodeCollector } from '../collector.js';

/** USER_HZ: /proc/stat counts in ticks of 1/100 s on every Linux architecture obs runs on. */
const USER_HZ = 100;
const MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

/** cpu_linux.go: per-CPU time by mode from /proc/stat (guest time separately, as 1.x does). */
export const cpuCollector: NodeCollector = {
  name: 'cpu',
  async update(c) {
    const text = c.read(procPath(c, 'stat'));
    const seconds = family(
      'node_cpu_seconds_total',
      'Seconds the CPUs spent in each mode.',
      'counter',
    );
    const guest = family(
      'node_cpu_guest_seconds_total',
      'Seconds the CPUs spent in guests (VMs) for each mode.',
      'counter',
    );
    for (const line of text.split('\n')) {
      const m = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (!m) continue;
      const cpu = m[1]!;
      const f = m[2]!.trim().split(/\s+/).map(Number);
      MODES.forEach((mode, i) => seconds.add((f[i] ?? 0) / USER_HZ, { cpu, mode }));
      guest.add((f[8] ?? 0) / USER_HZ, { cpu, mode: 'user' });
      guest.add((f[9] ?? 0) / USER_HZ, { cpu, mode: 'nice' });
    }
    return [seconds, guest];
  },
};
