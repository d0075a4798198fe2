import { family, type FamilyBuilder, type MetricFamily, type MetricType } from '../exposition.js';
import type { BlockDeviceNames } from './block-devices.js';
import type { CgroupPaths } from './cgroup.js';
import type { CgroupStats, NetworkInterfaceStats } from './stats.js';

/** A cgroup cAdvisor reports: the root, or a Docker container. */
export interface ContainerTarget {
  cgroup: CgroupPaths;
  labels: Record<string, string>;
  startSeconds: number;
  /** A process in the container's network namespace (1 for the root). */
  pid: number;
}

export interface ContainerRow {
  target: ContainerTarget;
  stats: CgroupStats;
  network: NetworkInterfaceStats[];
}

/** cAdvisor's sanitizeLabelName. */
function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/**
 * cAdvisor's container families (names, HELP, types and units of
 * metrics/prometheus.go in v0.49) for the rows read in one scrape.
 */
export function containerFamilies(rows: ContainerRow[], devices: BlockDeviceNames): MetricFamily[] {
  // cAdvisor gives every series the union of all containers' label names, empty where absent.
  const names = new Set<string>(['id', 'name', 'image']);
  for (const r of rows) for (const k of Object.keys(r.target.labels)) names.add(sanitize(k));
  const bases = new Map<ContainerRow, Record<string, string>>();
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
    r: ContainerRow,
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
        add('container_spec_cpu_quota', 'CPU quota of the container.', 'gauge', r, cpuSpec.quotaUs);
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
      const device = devices.name(d.major, d.minor);
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
