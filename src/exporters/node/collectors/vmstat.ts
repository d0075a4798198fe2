import { single, type MetricFamily } from '../../exposition.js';
import { procPath, type NodeCollector } from '../collector.js';

/** vmstat_linux.go: /proc/vmstat fields matching --collector.vmstat.fields, untyped. */
export const vmstatCollector: NodeCollector = {
  name: 'vmstat',
  async update(c) {
    const text = c.read(procPath(c, 'vmstat'));
    const out: MetricFamily[] = [];
    for (const line of text.split('\n')) {
      const [key, value] = line.split(' ');
      if (!key || value === undefined || !c.vmstatFields.test(key)) continue;
      out.push(
        single(
          `node_vmstat_${key}`,
          `/proc/vmstat information field ${key}.`,
          'untyped',
          Number(value),
        ),
      );
    }
    return out;
  },
};
