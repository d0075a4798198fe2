/** One cgroup's usage, in cAdvisor's units (nanoseconds, bytes, counts) before exposition. */
export interface CgroupStats {
  cpu?: {
    totalNs: number;
    userNs: number;
    systemNs: number;
    /** Per-CPU usage in ns; empty on cgroup v2, which has none (cAdvisor then reports cpu="total"). */
    perCpuNs: number[];
  };
  /** CPU limits: the CFS period and quota in microseconds (quota 0 when unlimited), and shares. */
  cpuSpec?: { periodUs: number; quotaUs: number; shares: number };
  /** CFS bandwidth counters (cpu.stat), meaningful when a quota is set. */
  cfs?: { periods: number; throttledPeriods: number; throttledNs: number };
  memory?: {
    usage: number;
    maxUsage?: number;
    workingSet: number;
    rss: number;
    cache: number;
    mappedFile: number;
    swap: number;
    failcnt: number;
    containerPgfault: number;
    containerPgmajfault: number;
    hierarchyPgfault: number;
    hierarchyPgmajfault: number;
    /** Bytes; undefined when unlimited. */
    limit?: number;
  };
  io: BlockIoStats[];
}

export interface BlockIoStats {
  major: number;
  minor: number;
  readBytes: number;
  writeBytes: number;
  reads: number;
  writes: number;
}

export interface NetworkInterfaceStats {
  name: string;
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}
