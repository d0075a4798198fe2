import { single } from '../../exposition.js';
import { procPath, type NodeCollector } from '../collector.js';

/** loadavg_linux.go */
export const loadavgCollector: NodeCollector = {
  name: 'loadavg',
  async update(c) {
    const parts = c.read(procPath(c, 'loadavg')).trim().split(/\s+/);
    if (parts.length < 3) throw new Error(`unexpected content in ${procPath(c, 'loadavg')}`);
    return (['1', '5', '15'] as const).map((m, i) =>
      single(`node_load${m}`, `${m}m load average.`, 'gauge', Number(parts[i])),
    );
  },
};
