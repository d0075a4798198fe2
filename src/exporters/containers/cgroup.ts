import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BlockIoStats, CgroupStats } from './stats.js';

/**
 * Reading a cgroup's usage the way cAdvisor (through runc's libcontainer)
 * does, from either hierarchy. Files are small kernel-generated text, read
 * synchronously through a FileCache: a scrape reads a dozen per container and
 * the async machinery would cost more CPU than the reads.
 */
export type CgroupMode = 'v1' | 'v2';

/** Where a process's cgroup lives: v2 has one path; v1 one per controller. */
export interface CgroupPaths {
  /** The cgroup's name as cAdvisor labels it (`id`): the v2 path, or the v1 cpu/memory path. */
  name: string;
  byController: Map<string, string>;
}

/** USER_HZ: cpuacct.stat counts in 1/100 s ticks. */
const USER_HZ = 100;
/** cAdvisor's specMemoryValue: limits above 2^62 mean "unlimited" and are reported as 0. */
const MAX_MEMORY = 2 ** 62;

function detectCgroupMode(cgroupRoot: string): CgroupMode {
  return existsSync(join(cgroupRoot, 'cgroup.controllers')) ? 'v2' : 'v1';
}

/** proc(5) /proc/<pid>/cgroup: `hierarchy-ID:controller-list:path`. */
export function parseProcCgroup(text: string, mode: CgroupMode): CgroupPaths {
  const byController = new Map<string, string>();
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (controllers === '') byController.set('', path);
    else for (const c of controllers.split(',')) byController.set(c, path);
  }
  const name =
    mode === 'v2'
      ? byController.get('')
      : (byController.get('cpuacct') ?? byController.get('memory') ?? byController.get('cpu'));
  if (name === undefined) throw new Error(`no ${mode} cgroup in /proc/<pid>/cgroup`);
  return { name, byController };
}

export const ROOT_CGROUP: CgroupPaths = { name: '/', byController: new Map() };

/** Reads a file's text, undefined when it is absent or unreadable. */
export type ReadText = (path: string) => string | undefined;

function numberFrom(text: string | undefined): number | undefined {
  const t = text?.trim();
  if (t === undefined || t === '' || t === 'max') return undefined;
  const n = Number(t);
  return Number.isNaN(n) ? undefined : n;
}

/** `key value` lines (memory.stat, cpu.stat, cpuacct.stat). */
export function parseFlatKeyed(text: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (text === undefined) return out;
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp > 0) out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

/** blkio.*_recursive: `major:minor Op value` lines, summed per device. */
function parseBlkio(bytesText: string | undefined, opsText: string | undefined): BlockIoStats[] {
  const devices = new Map<string, BlockIoStats>();
  const get = (dev: string) => {
    let d = devices.get(dev);
    if (!d) {
      const [major, minor] = dev.split(':').map(Number) as [number, number];
      d = { major, minor, readBytes: 0, writeBytes: 0, reads: 0, writes: 0 };
      devices.set(dev, d);
    }
    return d;
  };
  const scan = (text: string | undefined, read: keyof BlockIoStats, write: keyof BlockIoStats) => {
    for (const line of (text ?? '').split('\n')) {
      const [dev, op, value] = line.trim().split(/\s+/);
      if (!dev || !dev.includes(':') || value === undefined) continue;
      if (op === 'Read') (get(dev)[read] as number) += Number(value);
      else if (op === 'Write') (get(dev)[write] as number) += Number(value);
    }
  };
  scan(bytesText, 'readBytes', 'writeBytes');
  scan(opsText, 'reads', 'writes');
  return [...devices.values()];
}

/** io.stat: `major:minor rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=..`. */
function parseIoStat(text: string | undefined): BlockIoStats[] {
  const out: BlockIoStats[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [dev, ...kv] = line.trim().split(/\s+/);
    if (!dev || !dev.includes(':')) continue;
    const [major, minor] = dev.split(':').map(Number) as [number, number];
    const f = new Map(kv.map((p) => p.split('=') as [string, string]));
    const n = (k: string) => Number(f.get(k) ?? 0);
    out.push({
      major,
      minor,
      readBytes: n('rbytes'),
      writeBytes: n('wbytes'),
      reads: n('rios'),
      writes: n('wios'),
    });
  }
  return out;
}

export interface CgroupReader {
  readonly mode: CgroupMode;
  read(paths: CgroupPaths): CgroupStats;
}

/** A reader for the hierarchy mounted at `cgroupRoot` (normally /sys/fs/cgroup). */
export function cgroupReader(
  cgroupRoot: string,
  readText: ReadText,
  meminfo: () => Map<string, number>,
  mode = detectCgroupMode(cgroupRoot),
): CgroupReader {
  return mode === 'v2'
    ? new V2Reader(cgroupRoot, readText, meminfo)
    : new V1Reader(cgroupRoot, readText);
}

class V1Reader implements CgroupReader {
  readonly mode = 'v1' as const;
  constructor(
    private readonly root: string,
    private readonly readText: ReadText,
  ) {}

  private dir(paths: CgroupPaths, controller: string): string {
    return join(this.root, controller, paths.byController.get(controller) ?? paths.name);
  }

  read(paths: CgroupPaths): CgroupStats {
    const stats: CgroupStats = { io: [] };
    const cpuDir = this.dir(paths, 'cpuacct');
    const perCpu = (this.readText(join(cpuDir, 'cpuacct.usage_percpu')) ?? '')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    // The kernel computes cpuacct.usage as the sum of the per-CPU figures: one read fewer.
    const total =
      perCpu.length > 0
        ? perCpu.reduce((a, b) => a + b, 0)
        : numberFrom(this.readText(join(cpuDir, 'cpuacct.usage')));
    if (total !== undefined) {
      const st = parseFlatKeyed(this.readText(join(cpuDir, 'cpuacct.stat')));
      stats.cpu = {
        totalNs: total,
        userNs: ((st.get('user') ?? 0) * 1e9) / USER_HZ,
        systemNs: ((st.get('system') ?? 0) * 1e9) / USER_HZ,
        perCpuNs: perCpu,
      };
    }
    const cpuCtl = this.dir(paths, 'cpu');
    const period = numberFrom(this.readText(join(cpuCtl, 'cpu.cfs_period_us')));
    if (period !== undefined) {
      const quota = numberFrom(this.readText(join(cpuCtl, 'cpu.cfs_quota_us'))) ?? -1;
      stats.cpuSpec = {
        periodUs: period,
        quotaUs: quota < 0 ? 0 : quota,
        shares: numberFrom(this.readText(join(cpuCtl, 'cpu.shares'))) ?? 0,
      };
      const st = parseFlatKeyed(this.readText(join(cpuCtl, 'cpu.stat')));
      stats.cfs = {
        periods: st.get('nr_periods') ?? 0,
        throttledPeriods: st.get('nr_throttled') ?? 0,
        throttledNs: st.get('throttled_time') ?? 0,
      };
    }
    const memDir = this.dir(paths, 'memory');
    const usage = numberFrom(this.readText(join(memDir, 'memory.usage_in_bytes')));
    if (usage !== undefined) {
      const s = parseFlatKeyed(this.readText(join(memDir, 'memory.stat')));
      const hier = numberFrom(this.readText(join(memDir, 'memory.use_hierarchy'))) !== 0;
      const k = (key: string) => s.get(hier ? `total_${key}` : key) ?? 0;
      const inactive = s.get('total_inactive_file');
      const limit = numberFrom(this.readText(join(memDir, 'memory.limit_in_bytes')));
      stats.memory = {
        usage,
        maxUsage: numberFrom(this.readText(join(memDir, 'memory.max_usage_in_bytes'))),
        workingSet: inactive === undefined ? usage : Math.max(0, usage - inactive),
        rss: k('rss'),
        cache: k('cache'),
        mappedFile: k('mapped_file'),
        swap: k('swap'),
        failcnt: numberFrom(this.readText(join(memDir, 'memory.failcnt'))) ?? 0,
        containerPgfault: s.get('pgfault') ?? 0,
        containerPgmajfault: s.get('pgmajfault') ?? 0,
        hierarchyPgfault: s.get('total_pgfault') ?? 0,
        hierarchyPgmajfault: s.get('total_pgmajfault') ?? 0,
        limit: limit === undefined || limit > MAX_MEMORY ? undefined : limit,
      };
    }
    // runc's order: CFQ stats where the scheduler keeps them, else BFQ, else the throttle layer's.
    const blk = this.dir(paths, 'blkio');
    for (const prefix of ['blkio.', 'blkio.bfq.', 'blkio.throttle.']) {
      const bytes = this.readText(join(blk, `${prefix}io_service_bytes_recursive`));
      const ops = this.readText(join(blk, `${prefix}io_serviced_recursive`));
      const io = parseBlkio(bytes, ops);
      if (io.length > 0 || prefix === 'blkio.throttle.') {
        stats.io = io;
        break;
      }
    }
    return stats;
  }
}

class V2Reader implements CgroupReader {
  readonly mode = 'v2' as const;
  constructor(
    private readonly root: string,
    private readonly readText: ReadText,
    private readonly meminfo: () => Map<string, number>,
  ) {}

  read(paths: CgroupPaths): CgroupStats {
    const dir = join(this.root, paths.name);
    const stats: CgroupStats = { io: parseIoStat(this.readText(join(dir, 'io.stat'))) };
    const cpu = parseFlatKeyed(this.readText(join(dir, 'cpu.stat')));
    if (cpu.has('usage_usec')) {
      stats.cpu = {
        totalNs: cpu.get('usage_usec')! * 1000,
        userNs: (cpu.get('user_usec') ?? 0) * 1000,
        systemNs: (cpu.get('system_usec') ?? 0) * 1000,
        perCpuNs: [],
      };
      stats.cfs = {
        periods: cpu.get('nr_periods') ?? 0,
        throttledPeriods: cpu.get('nr_throttled') ?? 0,
        throttledNs: (cpu.get('throttled_usec') ?? 0) * 1000,
      };
    }
    const max = this.readText(join(dir, 'cpu.max'))?.trim().split(/\s+/);
    if (max && max.length === 2) {
      const weight = numberFrom(this.readText(join(dir, 'cpu.weight')));
      stats.cpuSpec = {
        periodUs: Number(max[1]),
        quotaUs: max[0] === 'max' ? 0 : Number(max[0]),
        // cAdvisor's convertCPUWeightToCPULimit: cgroup v2 weight back to v1 shares.
        shares: weight === undefined ? 0 : 2 + Math.floor(((weight - 1) * 262142) / 9999),
      };
    }
    const s = parseFlatKeyed(this.readText(join(dir, 'memory.stat')));
    // The root cgroup has no memory.current; runc derives its usage from /proc/meminfo.
    let usage = numberFrom(this.readText(join(dir, 'memory.current')));
    if (usage === undefined && paths.name === '/' && s.size > 0) {
      const mi = this.meminfo();
      usage = ((mi.get('MemTotal') ?? 0) - (mi.get('MemFree') ?? 0)) * 1024;
    }
    if (usage !== undefined) {
      const events = parseFlatKeyed(this.readText(join(dir, 'memory.events')));
      const inactive = s.get('inactive_file');
      const limit = numberFrom(this.readText(join(dir, 'memory.max')));
      stats.memory = {
        usage,
        maxUsage: numberFrom(this.readText(join(dir, 'memory.peak'))),
        workingSet: inactive === undefined ? usage : Math.max(0, usage - inactive),
        rss: s.get('anon') ?? 0,
        cache: s.get('file') ?? 0,
        mappedFile: s.get('file_mapped') ?? 0,
        swap: numberFrom(this.readText(join(dir, 'memory.swap.current'))) ?? 0,
        failcnt: events.get('max') ?? 0,
        containerPgfault: s.get('pgfault') ?? 0,
        containerPgmajfault: s.get('pgmajfault') ?? 0,
        hierarchyPgfault: s.get('pgfault') ?? 0,
        hierarchyPgmajfault: s.get('pgmajfault') ?? 0,
        limit: limit === undefined || limit > MAX_MEMORY ? undefined : limit,
      };
    }
    return stats;
  }
}
