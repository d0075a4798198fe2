import { join } from 'node:path';
import type { MetricFamily } from '../exposition.js';

/** Where a collector reads from and how it filters, as node_exporter's flags set it. */
export interface NodeConfig {
  /** Reads a procfs/sysfs file (through the scrape's FileCache); throws the system error. */
  read(path: string): string;
  procfs: string;
  sysfs: string;
  rootfs: string;
  textfileDirectory: string;
  filesystemMountPointsExclude: RegExp;
  filesystemFsTypesExclude: RegExp;
  diskstatsDeviceExclude: RegExp | undefined;
  diskstatsDeviceInclude: RegExp | undefined;
  netdevDeviceExclude: RegExp | undefined;
  netdevDeviceInclude: RegExp | undefined;
  netstatFields: RegExp;
  vmstatFields: RegExp;
}

/**
 * One node_exporter collector: `update` reads its sources and returns its
 * families, or throws, which the exporter reports as
 * `node_scrape_collector_success{collector} 0`.
 */
export interface NodeCollector {
  readonly name: string;
  update(config: NodeConfig): Promise<MetricFamily[]>;
}

/** A collector with nothing to report on this host (node_exporter's ErrNoData). */
export class NoDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoDataError';
  }
}

export const procPath = (c: NodeConfig, ...parts: string[]) => join(c.procfs, ...parts);
export const sysPath = (c: NodeConfig, ...parts: string[]) => join(c.sysfs, ...parts);
export const rootfsPath = (c: NodeConfig, ...parts: string[]) => join(c.rootfs, ...parts);

/** Whether a device passes an include/exclude pair (include wins when set, as device_filter.go). */
export function deviceIgnored(
  name: string,
  exclude: RegExp | undefined,
  include: RegExp | undefined,
): boolean {
  if (include) return !include.test(name);
  return exclude ? exclude.test(name) : false;
}
