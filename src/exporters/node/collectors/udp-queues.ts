import { family } from '../../exposition.js';
import { NoDataError, procPath, type NodeCollector } from '../collector.js';

/** udp_queues_linux.go: the tx and rx queue bytes of every UDP socket, summed per IP version. */
export const udpQueuesCollector: NodeCollector = {
  name: 'udp_queues',
  async update(c) {
    const queues = family(
      'node_udp_queues',
      'Number of allocated memory in the kernel for UDP datagrams in bytes.',
      'gauge',
    );
    let missing = 0;
    for (const [file, ip] of [
      ['net/udp', 'v4'],
      ['net/udp6', 'v6'],
    ] as const) {
      let text: string;
      try {
        text = c.read(procPath(c, file));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        missing++;
        continue;
      }
      let tx = 0;
      let rx = 0;
      for (const line of text.split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f.length < 5) continue;
        const [t, r] = f[4]!.split(':');
        tx += parseInt(t!, 16);
        rx += parseInt(r!, 16);
      }
      queues.add(tx, { queue: 'tx', ip });
      queues.add(rx, { queue: 'rx', ip });
    }
    if (missing === 2) throw new NoDataError('no UDP socket tables');
    return [queues];
  },
};
