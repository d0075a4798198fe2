import { single, type MetricFamily } from '../../exposition.js';
import { NoDataError, procPath, type NodeCollector, type NodeConfig } from '../collector.js';

/** conntrack_linux.go's per-CPU statistics (summed), by /proc/net/stat/nf_conntrack column. */
const STATS: [column: string, help: string][] = [
  ['found', 'Number of searched entries which were successful.'],
  ['invalid', 'Number of packets seen which can not be tracked.'],
  ['ignore', 'Number of packets seen which are already connected to a conntrack entry.'],
  ['insert', 'Number of entries inserted into the list.'],
  ['insert_failed', 'Number of entries for which list insertion was attempted but failed.'],
  ['drop', 'Number of packets dropped due to conntrack failure.'],
  [
    'early_drop',
    'Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.',
  ],
  [
    'search_restart',
    'Number of conntrack table lookups which had to be restarted due to hashtable resizes.',
  ],
];

function readCount(c: NodeConfig, file: string): number {
  try {
    return Number(c.read(procPath(c, 'sys/net/netfilter', file)).trim());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NoDataError('conntrack probably not loaded');
    }
    throw err;
  }
}

/** conntrack_linux.go: table size and limit, and the summed per-CPU statistics. */
export const conntrackCollector: NodeCollector = {
  name: 'conntrack',
  async update(c) {
    const out: MetricFamily[] = [
      single(
        'node_nf_conntrack_entries',
        'Number of currently allocated flow entries for connection tracking.',
        'gauge',
        readCount(c, 'nf_conntrack_count'),
      ),
      single(
        'node_nf_conntrack_entries_limit',
        'Maximum size of connection tracking table.',
        'gauge',
        readCount(c, 'nf_conntrack_max'),
      ),
    ];
    let text: string;
    try {
      text = c.read(procPath(c, 'net/stat/nf_conntrack'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new NoDataError('no conntrack stats');
      throw err;
    }
    const [header, ...rows] = text.split('\n').filter(Boolean);
    const columns = header!.trim().split(/\s+/);
    const sums = new Map<string, number>();
    for (const row of rows) {
      row
        .trim()
        .split(/\s+/)
        .forEach((hex, i) =>
          sums.set(columns[i]!, (sums.get(columns[i]!) ?? 0) + parseInt(hex, 16)),
        );
    }
    for (const [column, help] of STATS) {
      out.push(single(`node_nf_conntrack_stat_${column}`, help, 'gauge', sums.get(column) ?? 0));
    }
    return out;
  },
};
