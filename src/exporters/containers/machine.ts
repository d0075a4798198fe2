import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { family, single, type MetricFamily } from '../exposition.js';
import { readMeminfoKb } from './meminfo.js';

function firstReadable(paths: string[]): string {
  for (const p of paths) {
    try {
      return readFileSync(p, 'latin1').trim();
    } catch {
      // try the next
    }
  }
  return '';
}

/**
 * cAdvisor's machine metrics that dashboards divide container usage by:
 * logical CPUs, memory and swap, labelled with the machine's identity.
 * The identity and capacity are read once; they do not change while running.
 */
export class MachineInfo {
  private cached: MetricFamily[] | undefined;

  constructor(
    private readonly procfs: string,
    private readonly sysfs: string,
    private readonly rootfs: string,
  ) {}

  families(): MetricFamily[] {
    if (this.cached) return this.cached;
    const labels = {
      boot_id: firstReadable([join(this.procfs, 'sys/kernel/random/boot_id')]),
      machine_id: firstReadable([
        join(this.rootfs, 'etc/machine-id'),
        join(this.rootfs, 'var/lib/dbus/machine-id'),
      ]),
      system_uuid: firstReadable([join(this.sysfs, 'class/dmi/id/product_uuid')]),
    };
    let error = 0;
    let meminfo = new Map<string, number>();
    try {
      meminfo = readMeminfoKb(this.procfs);
    } catch {
      error = 1;
    }
    this.cached = [
      family('machine_cpu_cores', 'Number of logical CPU cores.', 'gauge').add(
        os.cpus().length,
        labels,
      ),
      family('machine_memory_bytes', 'Amount of memory installed on the machine.', 'gauge').add(
        (meminfo.get('MemTotal') ?? 0) * 1024,
        labels,
      ),
      family('machine_swap_bytes', 'Amount of swap memory available on the machine.', 'gauge').add(
        (meminfo.get('SwapTotal') ?? 0) * 1024,
        labels,
      ),
      single(
        'machine_scrape_error',
        '1 if there was an error while getting machine metrics, 0 otherwise.',
        'gauge',
        error,
      ),
    ];
    return this.cached;
  }
}
