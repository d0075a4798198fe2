import { single, type MetricFamily } from '../../exposition.js';
import { procPath, type NodeCollector } from '../collector.js';

/** meminfo_linux.go: every /proc/meminfo field, `Active(anon)` as `Active_anon`, kB as bytes. */
export const meminfoCollector: NodeCollector = {
  name: 'meminfo',
  async update(c) {
    const text = c.read(procPath(c, 'meminfo'));
    const out: MetricFamily[] = [];
    for (const line of text.split('\n')) {
      const parts = line.trim().split(/\s+/);
      if (parts.length < 2 || !parts[0]!.endsWith(':')) continue;
      let key = parts[0]!.slice(0, -1).replace(/\((.*)\)/, '_$1');
      let value = Number(parts[1]);
      if (Number.isNaN(value)) throw new Error(`invalid value in meminfo: ${line}`);
      if (parts.length === 3) {
        value *= 1024;
        key += '_bytes';
      }
      out.push(single(`node_memory_${key}`, `Memory information field ${key}.`, 'gauge', value));
    }
    return out;
  },
};
