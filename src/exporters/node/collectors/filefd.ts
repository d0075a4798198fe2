import { single } from '../../exposition.js';
import { procPath, type NodeCollector } from '../collector.js';

/** filefd_linux.go: /proc/sys/fs/file-nr is "allocated unused maximum". */
export const filefdCollector: NodeCollector = {
  name: 'filefd',
  async update(c) {
    const path = procPath(c, 'sys/fs/file-nr');
    const parts = c.read(path).trim().split(/\s+/);
    if (parts.length !== 3) throw new Error(`unexpected number of file stats in ${path}`);
    return [
      single(
        'node_filefd_allocated',
        'File descriptor statistics: allocated.',
        'gauge',
        Number(parts[0]),
      ),
      single(
        'node_filefd_maximum',
        'File descriptor statistics: maximum.',
        'gauge',
        Number(parts[2]),
      ),
    ];
  },
};
