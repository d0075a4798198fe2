import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * major:minor to the `/dev/NAME` cAdvisor puts in the `device` label, from
 * sysfs's uevent files; remembered, since devices rarely come and go.
 */
export class BlockDeviceNames {
  private readonly names = new Map<string, string>();
  constructor(private readonly sysfs: string) {}

  name(major: number, minor: number): string {
    const key = `${major}:${minor}`;
    let name = this.names.get(key);
    if (name === undefined) {
      name = '';
      try {
        const uevent = readFileSync(join(this.sysfs, 'dev/block', key, 'uevent'), 'latin1');
        const m = /^DEVNAME=(.*)$/m.exec(uevent);
        if (m) name = `/dev/${m[1]}`;
      } catch {
        // Unknown device: cAdvisor leaves the label empty too.
      }
      this.names.set(key, name);
    }
    return name;
  }
}
