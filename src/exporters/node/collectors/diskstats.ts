import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { family, type FamilyBuilder, type MetricType } from '../../exposition.js';
import { deviceIgnored, procPath, type NodeCollector } from '../collector.js';

/** Sectors in /proc/diskstats are 512 bytes whatever the device's block size. */
const SECTOR = 512;
const MS = 0.001;

/** diskstats_linux.go's descriptors, in /proc/diskstats column order after major, minor, name. */
const COLUMNS: [name: string, help: string, type: MetricType, factor: number][] = [
  ['reads_completed_total', 'The total number of reads completed successfully.', 'counter', 1],
  ['reads_merged_total', 'The total number of reads merged.', 'counter', 1],
  ['read_bytes_total', 'The total number of bytes read successfully.', 'counter', SECTOR],
  ['read_time_seconds_total', 'The total number of seconds spent by all reads.', 'counter', MS],
  ['writes_completed_total', 'The total number of writes completed successfully.', 'counter', 1],
  ['writes_merged_total', 'The number of writes merged.', 'counter', 1],
  ['written_bytes_total', 'The total number of bytes written successfully.', 'counter', SECTOR],
  [
    'write_time_seconds_total',
    'This is the total number of seconds spent by all writes.',
    'counter',
    MS,
  ],
  ['io_now', 'The number of I/Os currently in progress.', 'gauge', 1],
  ['io_time_seconds_total', 'Total seconds spent doing I/Os.', 'counter', MS],
  ['io_time_weighted_seconds_total', 'The weighted # of seconds spent doing I/Os.', 'counter', MS],
  [
    'discards_completed_total',
    'The total number of discards completed successfully.',
    'counter',
    1,
  ],
  ['discards_merged_total', 'The total number of discards merged.', 'counter', 1],
  ['discarded_sectors_total', 'The total number of sectors discarded successfully.', 'counter', 1],
  [
    'discard_time_seconds_total',
    'This is the total number of seconds spent by all discards.',
    'counter',
    MS,
  ],
  [
    'flush_requests_total',
    'The total number of flush requests completed successfully',
    'counter',
    1,
  ],
  [
    'flush_requests_time_seconds_total',
    'This is the total number of seconds spent by all flush requests.',
    'counter',
    MS,
  ],
];

/** udev properties behind node_disk_info's labels. */
const UDEV_LABELS: [label: string, property: string][] = [
  ['path', 'ID_PATH'],
  ['wwn', 'ID_WWN'],
  ['model', 'ID_MODEL'],
  ['serial', 'ID_SERIAL_SHORT'],
  ['revision', 'ID_REVISION'],
];

/** diskstats_linux.go: /proc/diskstats per device, partitions left out by the default filter. */
export function diskstatsCollector(udevDataPath = '/run/udev/data'): NodeCollector {
  return {
    name: 'diskstats',
    async update(c) {
      const text = c.read(procPath(c, 'diskstats'));
      const families: FamilyBuilder[] = COLUMNS.map(([name, help, type]) =>
        family(`node_disk_${name}`, help, type),
      );
      const info = family('node_disk_info', 'Info of /sys/block/<block_device>.', 'gauge');
      for (const line of text.split('\n')) {
        const f = line.trim().split(/\s+/);
        if (f.length < 14) continue;
        const [major, minor, device] = f as [string, string, string];
        if (deviceIgnored(device, c.diskstatsDeviceExclude, c.diskstatsDeviceInclude)) continue;
        const udev = await readUdev(join(udevDataPath, `b${major}:${minor}`));
        const labels: Record<string, string> = { device, major, minor };
        for (const [label, prop] of UDEV_LABELS) labels[label] = udev.get(prop) ?? '';
        info.add(1, labels);
        COLUMNS.forEach(([, , , factor], i) => {
          const raw = f[3 + i];
          if (raw !== undefined) families[i]!.add(Number(raw) * factor, { device });
        });
      }
      return [...families, info];
    },
  };
}

async function readUdev(path: string): Promise<Map<string, string>> {
  const props = new Map<string, string>();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return props;
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith('E:')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) props.set(line.slice(2, eq), line.slice(eq + 1));
  }
  return props;
}
