import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerClient } from '../../common/docker-client.js';
import type { MetricsSource } from '../../metrics/appender.js';
import { single, TEXT_CONTENT_TYPE, writeExposition, type MetricFamily } from '../exposition.js';
import { FileCache } from '../file-cache.js';
import { BlockDeviceNames } from './block-devices.js';
import { cgroupReader, ROOT_CGROUP, type CgroupMode, type CgroupReader } from './cgroup.js';
import {
  containerFamilies,
  type ContainerRow,
  type ContainerTarget,
} from './container-families.js';
import { DockerContainers } from './docker-containers.js';
import { MachineInfo } from './machine.js';
import { readMeminfoKb } from './meminfo.js';
import { readNetworkStats } from './network.js';

export interface CadvisorOptions {
  /** Docker Engine endpoint (cAdvisor's --docker); false for the root cgroup alone. */
  docker?: string | false;
  procfs?: string;
  sysfs?: string;
  /** The host's root filesystem (for /etc/machine-id); `/`, or `/rootfs` inside cAdvisor's container. */
  rootfs?: string;
  /** Where the cgroup hierarchy is mounted; `<sysfs>/fs/cgroup` by default. */
  cgroupRoot?: string;
  /** Force a hierarchy instead of detecting it (fixture trees). */
  cgroupMode?: CgroupMode;
  /** cAdvisor's --store_container_labels (default true). */
  storeContainerLabels?: boolean;
  /** cAdvisor's --whitelisted_container_labels, used when storeContainerLabels is false. */
  whitelistedContainerLabels?: string[];
  instance?: string;
}

/**
 * cAdvisor-compatible container metrics: the root cgroup (`id="/"`) and each
 * running Docker container (`id` its cgroup, `name`, `image`, and its
 * labels as `container_label_*`), from cgroup v1 or v2.
 *
 * Samples carry no timestamps (cAdvisor attaches its collection time):
 * without them Prometheus marks a departed container's series stale at once
 * instead of letting it linger for five minutes.
 */
export class CadvisorSource implements MetricsSource {
  readonly job = 'cadvisor';
  readonly instance: string;
  private readonly procfs: string;
  private readonly reader: CgroupReader;
  private readonly devices: BlockDeviceNames;
  private readonly docker: DockerContainers | undefined;
  private readonly storeLabels: boolean;
  private readonly whitelist: Set<string>;
  private readonly files = new FileCache();
  private btime: number | undefined;
  private readonly machine: MachineInfo;

  constructor(opts: CadvisorOptions = {}) {
    this.instance = opts.instance ?? '127.0.0.1:8080';
    this.procfs = opts.procfs ?? '/proc';
    const sysfs = opts.sysfs ?? '/sys';
    const cgroupRoot = opts.cgroupRoot ?? join(sysfs, 'fs/cgroup');
    this.reader = cgroupReader(
      cgroupRoot,
      (p) => this.files.read(p),
      () => this.meminfo(),
      opts.cgroupMode,
    );
    this.devices = new BlockDeviceNames(sysfs);
    this.machine = new MachineInfo(this.procfs, sysfs, opts.rootfs ?? '/');
    this.storeLabels = opts.storeContainerLabels ?? true;
    this.whitelist = new Set(opts.whitelistedContainerLabels ?? []);
    if (opts.docker !== false) {
      this.docker = new DockerContainers(
        new DockerClient(opts.docker),
        this.procfs,
        this.reader.mode,
        (p) => this.files.read(p),
      );
    }
  }

  /** Closes the Docker client's idle connections. */
  close(): void {
    this.docker?.close();
    this.files.close();
  }

  async collect(): Promise<{ contentType: string; body: string }> {
    return { contentType: TEXT_CONTENT_TYPE, body: writeExposition(await this.gather()) };
  }

  async gather(): Promise<MetricFamily[]> {
    let scrapeError = 0;
    const targets: ContainerTarget[] = [
      { cgroup: ROOT_CGROUP, labels: { id: '/' }, startSeconds: this.bootTime(), pid: 1 },
    ];
    if (this.docker) {
      try {
        for (const c of await this.docker.list()) {
          const labels: Record<string, string> = { id: c.cgroup.name, name: c.name };
          if (c.image) labels.image = c.image;
          for (const [k, v] of Object.entries(c.labels)) {
            if (this.storeLabels || this.whitelist.has(k)) labels[`container_label_${k}`] = v;
          }
          targets.push({ cgroup: c.cgroup, labels, startSeconds: c.createdSeconds, pid: c.pid });
        }
      } catch {
        scrapeError = 1;
      }
    }
    const rows: ContainerRow[] = [];
    for (const target of targets) {
      try {
        rows.push({
          target,
          stats: this.reader.read(target.cgroup),
          network: readNetworkStats(join(this.procfs, String(target.pid), 'net/dev'), (p) =>
            this.files.read(p),
          ),
        });
      } catch {
        scrapeError = 1;
      }
    }
    this.files.sweep();
    return [
      ...this.machine.families(),
      ...containerFamilies(rows, this.devices),
      single(
        'container_scrape_error',
        '1 if there was an error while getting container metrics, 0 otherwise',
        'gauge',
        scrapeError,
      ),
    ];
  }

  private bootTime(): number {
    if (this.btime !== undefined) return this.btime;
    try {
      const m = /^btime (\d+)$/m.exec(readFileSync(join(this.procfs, 'stat'), 'latin1'));
      this.btime = m ? Number(m[1]) : 0;
      return this.btime;
    } catch {
      return 0;
    }
  }

  private meminfo(): Map<string, number> {
    try {
      return readMeminfoKb(this.procfs);
    } catch {
      return new Map();
    }
  }
}
