import os from 'node:os';
import { family } from '../../exposition.js';
import { procPath, type NodeCollector } from '../collector.js';

/** uname_linux.go: the uname(2) fields; domainname, which Node lacks, from procfs. */
export const unameCollector: NodeCollector = {
  name: 'uname',
  async update(c) {
    let domainname = '(none)';
    try {
      domainname = c.read(procPath(c, 'sys/kernel/domainname')).trim();
    } catch {
      // uname(2) says "(none)" when no NIS domain is set.
    }
    const info = family(
      'node_uname_info',
      'Labeled system information as provided by the uname system call.',
      'gauge',
    );
    info.add(1, {
      sysname: os.type(),
      release: os.release(),
      version: os.version(),
      machine: os.machine(),
      nodename: os.hostname(),
      domainname,
    });
    return [info];
  },
};
