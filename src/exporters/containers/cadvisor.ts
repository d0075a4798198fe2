import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerClient } from '../../common/docker-client.js';
import type { MetricsSource } from '../../metrics/appender.js';
import {
  family,
  single,
  TEXT_CONTENT_TYPE,
  writeExposition,
  type FamilyBuilder,
  type MetricFamily,
  type MetricType,
} from '../exposition.js';
import { BlockDeviceNames } from './block-devices.js';
import {
  cgroupReader,
  parseFlatKeyed,
  ROOT_CGROUP,
  type CgroupMode,
  type CgroupPaths,
  type CgroupReader,
} from './cgroup.js';
import { DockerContainers } from './docker-containers.js';
import { FileCache } from '../file-cache.js';
import { MachineInfo } from './machine.js';
import { readNetworkStats } from './network.js';
import type { CgroupStats, NetworkInterfaceStats } from './stats.js';

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

/** A cgroup cAdvisor reports: the root, or a Docker container. */
interface Target {
  cgroup: CgroupPaths;
  labels: Record<string, string>;
  startSeconds: number;
  /** A process in the container's network namespace (1 for the root). */
  pid: number;
}

interface Row {
  target: Target;
  stats: CgroupStats;
  network: NetworkInterfaceStats[];
}

/** cAdvisor's sanitizeLabelName. */
function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
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
    const targets: Target[] = [
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
    const rows: Row[] = [];
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
      ...this.families(rows),
      single(
        'container_scrape_error',
        '1 if there was an error while getting container metrics, 0 otherwise',
        'gauge',
        scrapeError,
      ),
    ];
  }

  private families(rows: Row[]): MetricFamily[] {
    // cAdvisor gives every series the union of all containers' label names, empty where absent.
    const names = new Set<string>(['id', 'name', 'image']);
    for (const r of rows) for (const k of Object.keys(r.target.labels)) names.add(sanitize(k));
    const bases = new Map<Row, Record<string, string>>();
    for (const r of rows) {
      const b: Record<string, string> = {};
      for (const n of names) b[n] = '';
      for (const [k, v] of Object.entries(r.target.labels)) b[sanitize(k)] = v;
      bases.set(r, b);
    }
    const fams = new Map<string, FamilyBuilder>();
    const add = (
      name: string,
      help: string,
      type: MetricType,
      r: Row,
      value: number,
      extra: Record<string, string> = {},
    ) => {
      let f = fams.get(name);
      if (!f) fams.set(name, (f = family(name, help, type)));
      f.add(value, { ...bases.get(r)!, ...extra });
    };
    const now = Math.floor(Date.now() / 1000);
    for (const r of rows) {
      const { cpu, memory, io } = r.stats;
      add('container_last_seen', 'Last time a container was seen by the exporter', 'gauge', r, now);
      add(
        'container_start_time_seconds',
        'Start time of the container since unix epoch in seconds.',
        'gauge',
        r,
        r.target.startSeconds,
      );
      if (cpu) {
        const cpuHelp = 'Cumulative cpu time consumed in seconds.';
        if (cpu.perCpuNs.length === 0) {
          if (cpu.totalNs > 0) {
            add('container_cpu_usage_seconds_total', cpuHelp, 'counter', r, cpu.totalNs / 1e9, {
              cpu: 'total',
            });
          }
        } else {
          cpu.perCpuNs.forEach((ns, i) => {
            if (ns > 0) {
              add('container_cpu_usage_seconds_total', cpuHelp, 'counter', r, ns / 1e9, {
                cpu: `cpu${String(i).padStart(2, '0')}`,
              });
            }
          });
        }
        add(
          'container_cpu_user_seconds_total',
          'Cumulative user cpu time consumed in seconds.',
          'counter',
          r,
          cpu.userNs / 1e9,
        );
        add(
          'container_cpu_system_seconds_total',
          'Cumulative system cpu time consumed in seconds.',
          'counter',
          r,
          cpu.systemNs / 1e9,
        );
      }
      const { cpuSpec, cfs } = r.stats;
      if (cpuSpec) {
        add(
          'container_spec_cpu_period',
          'CPU period of the container.',
          'gauge',
          r,
          cpuSpec.periodUs,
        );
        if (cpuSpec.quotaUs !== 0) {
          add(
            'container_spec_cpu_quota',
            'CPU quota of the container.',
            'gauge',
            r,
            cpuSpec.quotaUs,
          );
        }
        add('container_spec_cpu_shares', 'CPU share of the container.', 'gauge', r, cpuSpec.shares);
      }
      // cAdvisor reports CFS bandwidth only for containers with a quota.
      if (cfs && cpuSpec && cpuSpec.quotaUs !== 0) {
        add(
          'container_cpu_cfs_periods_total',
          'Number of elapsed enforcement period intervals.',
          'counter',
          r,
          cfs.periods,
        );
        add(
          'container_cpu_cfs_throttled_periods_total',
          'Number of throttled period intervals.',
          'counter',
          r,
          cfs.throttledPeriods,
        );
        add(
          'container_cpu_cfs_throttled_seconds_total',
          'Total time duration the container has been throttled.',
          'counter',
          r,
          cfs.throttledNs / 1e9,
        );
      }
      if (memory) {
        add(
          'container_memory_usage_bytes',
          'Current memory usage in bytes, including all memory regardless of when it was accessed',
          'gauge',
          r,
          memory.usage,
        );
        if (memory.maxUsage !== undefined) {
          add(
            'container_memory_max_usage_bytes',
            'Maximum memory usage recorded in bytes',
            'gauge',
            r,
            memory.maxUsage,
          );
        }
        add(
          'container_memory_working_set_bytes',
          'Current working set in bytes.',
          'gauge',
          r,
          memory.workingSet,
        );
        add('container_memory_rss', 'Size of RSS in bytes.', 'gauge', r, memory.rss);
        add(
          'container_memory_cache',
          'Number of bytes of page cache memory.',
          'gauge',
          r,
          memory.cache,
        );
        add(
          'container_memory_mapped_file',
          'Size of memory mapped files in bytes.',
          'gauge',
          r,
          memory.mappedFile,
        );
        add('container_memory_swap', 'Container swap usage in bytes.', 'gauge', r, memory.swap);
        add(
          'container_memory_failcnt',
          'Number of memory usage hits limits',
          'counter',
          r,
          memory.failcnt,
        );
        const failures = 'Cumulative count of memory allocation failures.';
        const fail = (v: number, failure_type: string, scope: string) =>
          add('container_memory_failures_total', failures, 'counter', r, v, {
            failure_type,
            scope,
          });
        fail(memory.containerPgfault, 'pgfault', 'container');
        fail(memory.containerPgmajfault, 'pgmajfault', 'container');
        fail(memory.hierarchyPgfault, 'pgfault', 'hierarchy');
        fail(memory.hierarchyPgmajfault, 'pgmajfault', 'hierarchy');
        add(
          'container_spec_memory_limit_bytes',
          'Memory limit for the container.',
          'gauge',
          r,
          memory.limit ?? 0,
        );
      }
      for (const d of io) {
        const device = this.devices.name(d.major, d.minor);
        add(
          'container_fs_reads_bytes_total',
          'Cumulative count of bytes read',
          'counter',
          r,
          d.readBytes,
          { device },
        );
        add(
          'container_fs_writes_bytes_total',
          'Cumulative count of bytes written',
          'counter',
          r,
          d.writeBytes,
          { device },
        );
        add(
          'container_fs_reads_total',
          'Cumulative count of reads completed',
          'counter',
          r,
          d.reads,
          { device },
        );
        add(
          'container_fs_writes_total',
          'Cumulative count of writes completed',
          'counter',
          r,
          d.writes,
          { device },
        );
      }
      for (const n of r.network) {
        const iface = { interface: n.name };
        add(
          'container_network_receive_bytes_total',
          'Cumulative count of bytes received',
          'counter',
          r,
          n.rxBytes,
          iface,
        );
        add(
          'container_network_receive_packets_total',
          'Cumulative count of packets received',
          'counter',
          r,
          n.rxPackets,
          iface,
        );
        add(
          'container_network_receive_packets_dropped_total',
          'Cumulative count of packets dropped while receiving',
          'counter',
          r,
          n.rxDropped,
          iface,
        );
        add(
          'container_network_receive_errors_total',
          'Cumulative count of errors encountered while receiving',
          'counter',
          r,
          n.rxErrors,
          iface,
        );
        add(
          'container_network_transmit_bytes_total',
          'Cumulative count of bytes transmitted',
          'counter',
          r,
          n.txBytes,
          iface,
        );
        add(
          'container_network_transmit_packets_total',
          'Cumulative count of packets transmitted',
          'counter',
          r,
          n.txPackets,
          iface,
        );
        add(
          'container_network_transmit_packets_dropped_total',
          'Cumulative count of packets dropped while transmitting',
          'counter',
          r,
          n.txDropped,
          iface,
        );
        add(
          'container_network_transmit_errors_total',
          'Cumulative count of errors encountered while transmitting',
          'counter',
          r,
          n.txErrors,
          iface,
        );
      }
    }
    return [...fams.values()];
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
      const text = readFileSync(join(this.procfs, 'meminfo'), 'latin1');
      return parseFlatKeyed(text.replace(/:\s+/g, ' ').replace(/ kB$/gm, ''));
    } catch {
      return new Map();
    }
  }
}
