import { single, type MetricFamily } from '../../exposition.js';
import { procPath, type NodeCollector } from '../collector.js';

/** stat_linux.go: /proc/stat's system-wide counters. */
export const statCollector: NodeCollector = {
  name: 'stat',
  async update(c) {
    const text = c.read(procPath(c, 'stat'));
    const out: MetricFamily[] = [];
    for (const line of text.split('\n')) {
      const [key, first] = line.split(/\s+/, 2) as [string, string | undefined];
      const v = Number(first);
      switch (key) {
        case 'intr':
          out.push(single('node_intr_total', 'Total number of interrupts serviced.', 'counter', v));
          break;
        case 'ctxt':
          out.push(
            single(
              'node_context_switches_total',
              'Total number of context switches.',
              'counter',
              v,
            ),
          );
          break;
        case 'btime':
          out.push(single('node_boot_time_seconds', 'Node boot time, in unixtime.', 'gauge', v));
          break;
        case 'processes':
          out.push(single('node_forks_total', 'Total number of forks.', 'counter', v));
          break;
        case 'procs_running':
          out.push(
            single('node_procs_running', 'Number of processes in runnable state.', 'gauge', v),
          );
          break;
        case 'procs_blocked':
          out.push(
            single(
              'node_procs_blocked',
              'Number of processes blocked waiting for I/O to complete.',
              'gauge',
              v,
            ),
          );
          break;
      }
    }
    return out;
  },
};
