import { single, type MetricFamily } from '../../exposition.js';
import { NoDataError, procPath, type NodeCollector } from '../collector.js';

/** pressure_linux.go's families per resource and PSI line ("some" or "full"). */
const FAMILIES: [resource: string, kind: 'some' | 'full', name: string, help: string][] = [
  [
    'cpu',
    'some',
    'node_pressure_cpu_waiting_seconds_total',
    'Total time in seconds that processes have waited for CPU time',
  ],
  [
    'cpu',
    'full',
    'node_pressure_cpu_stalled_seconds_total',
    'Total time in seconds no process could make progress due to CPU congestion',
  ],
  [
    'io',
    'some',
    'node_pressure_io_waiting_seconds_total',
    'Total time in seconds that processes have waited due to IO congestion',
  ],
  [
    'io',
    'full',
    'node_pressure_io_stalled_seconds_total',
    'Total time in seconds no process could make progress due to IO congestion',
  ],
  [
    'memory',
    'some',
    'node_pressure_memory_waiting_seconds_total',
    'Total time in seconds that processes have waited for memory',
  ],
  [
    'memory',
    'full',
    'node_pressure_memory_stalled_seconds_total',
    'Total time in seconds no process could make progress due to memory congestion',
  ],
  [
    'irq',
    'full',
    'node_pressure_irq_stalled_seconds_total',
    'Total time in seconds no process could make progress due to IRQ congestion',
  ],
];

/** Resources every PSI kernel has; irq needs CONFIG_IRQ_TIME_ACCOUNTING and may be absent. */
const REQUIRED = new Set(['cpu', 'io', 'memory']);

/** pressure_linux.go: PSI totals (microseconds) from /proc/pressure/<resource>. */
export const pressureCollector: NodeCollector = {
  name: 'pressure',
  async update(c) {
    const totals = new Map<string, number>();
    for (const resource of ['cpu', 'io', 'memory', 'irq']) {
      let text: string;
      try {
        text = c.read(procPath(c, 'pressure', resource));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        if (!REQUIRED.has(resource)) continue;
        throw new NoDataError(
          'pressure information is unavailable, you need a Linux kernel >= 4.20 and/or CONFIG_PSI enabled for your kernel',
        );
      }
      for (const line of text.split('\n')) {
        const m = /^(some|full) .*total=(\d+)/.exec(line);
        if (m) totals.set(`${resource}/${m[1]}`, Number(m[2]) / 1e6);
      }
    }
    const out: MetricFamily[] = [];
    for (const [resource, kind, name, help] of FAMILIES) {
      const v = totals.get(`${resource}/${kind}`);
      if (v !== undefined) out.push(single(name, help, 'counter', v));
    }
    return out;
  },
};
