import { family } from '../../exposition.js';
import { procPath, type NodeCollector } from '../collector.js';

/** softnet_linux.go: /proc/net/softnet_stat, one hex line per CPU. */
export const softnetCollector: NodeCollector = {
  name: 'softnet',
  async update(c) {
    const processed = family(
      'node_softnet_processed_total',
      'Number of processed packets',
      'counter',
    );
    const dropped = family('node_softnet_dropped_total', 'Number of dropped packets', 'counter');
    const squeezed = family(
      'node_softnet_times_squeezed_total',
      'Number of times processing packets ran out of quota',
      'counter',
    );
    const lines = c.read(procPath(c, 'net/softnet_stat')).split('\n').filter(Boolean);
    lines.forEach((line, i) => {
      const f = line
        .trim()
        .split(/\s+/)
        .map((h) => parseInt(h, 16));
      // Kernels since 5.10 end each line with the CPU's index; older ones list CPUs in order.
      const cpu = String(f.length >= 13 ? f[12] : i);
      processed.add(f[0]!, { cpu });
      dropped.add(f[1]!, { cpu });
      squeezed.add(f[2]!, { cpu });
    });
    return [processed, dropped, squeezed];
  },
};
