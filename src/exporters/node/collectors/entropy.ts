import { single } from '../../exposition.js';
import { procPath, type NodeCollector } from '../collector.js';

/** entropy_linux.go */
export const entropyCollector: NodeCollector = {
  name: 'entropy',
  async update(c) {
    const read = async (f: string) => Number(c.read(procPath(c, 'sys/kernel/random', f)).trim());
    return [
      single(
        'node_entropy_available_bits',
        'Bits of available entropy.',
        'gauge',
        await read('entropy_avail'),
      ),
      single(
        'node_entropy_pool_size_bits',
        'Bits of entropy pool.',
        'gauge',
        await read('poolsize'),
      ),
    ];
  },
};
