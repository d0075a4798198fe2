import type { FlagSpec, FlagValues } from '../../common/flags.js';
import { compileGoRegexp } from '../../common/go-regexp.js';
import type { NodeConfig } from './collector.js';

/** node_exporter 1.8's defaults for the flags obs honours. */
export const NODE_DEFAULTS = {
  procfs: '/proc',
  sysfs: '/sys',
  rootfs: '/',
  udevData: '/run/udev/data',
  mountPointsExclude:
    '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)',
  fsTypesExclude:
    '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$',
  diskstatsDeviceExclude: '^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$',
  netstatFields:
    '^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$',
  vmstatFields: '^(oom_kill|pgpg|pswp|pg.*fault).*',
} as const;

/** The collectors obs implements, all enabled by default as in node_exporter. */
export const NODE_COLLECTORS = [
  'arp',
  'conntrack',
  'cpu',
  'diskstats',
  'entropy',
  'filefd',
  'filesystem',
  'loadavg',
  'meminfo',
  'netclass',
  'netdev',
  'netstat',
  'os',
  'pressure',
  'sockstat',
  'softnet',
  'stat',
  'textfile',
  'time',
  'udp_queues',
  'uname',
  'vmstat',
] as const;

export type NodeCollectorName = (typeof NODE_COLLECTORS)[number];

export interface NodeExporterOptions {
  procfs?: string;
  sysfs?: string;
  rootfs?: string;
  udevData?: string;
  textfileDirectory?: string;
  /** Collectors to run; all of NODE_COLLECTORS when omitted. */
  collectors?: readonly NodeCollectorName[];
  mountPointsExclude?: string;
  fsTypesExclude?: string;
  diskstatsDeviceExclude?: string;
  diskstatsDeviceInclude?: string;
  netdevDeviceExclude?: string;
  netdevDeviceInclude?: string;
  netstatFields?: string;
  vmstatFields?: string;
  netclassIgnoredDevices?: string;
  /** `host:port` for the instance label of in-process scrapes. */
  instance?: string;
}

/** node_exporter matches its filters with Go's regexp.MatchString: RE2 syntax, unanchored. */
const goRe = (s: string) => compileGoRegexp(s).regex;
const re = (s: string | undefined) => (s === undefined || s === '' ? undefined : goRe(s));

export function nodeConfig(o: NodeExporterOptions, read: (path: string) => string): NodeConfig {
  return {
    read,
    procfs: o.procfs ?? NODE_DEFAULTS.procfs,
    sysfs: o.sysfs ?? NODE_DEFAULTS.sysfs,
    rootfs: o.rootfs ?? NODE_DEFAULTS.rootfs,
    textfileDirectory: o.textfileDirectory ?? '',
    filesystemMountPointsExclude: goRe(o.mountPointsExclude ?? NODE_DEFAULTS.mountPointsExclude),
    filesystemFsTypesExclude: goRe(o.fsTypesExclude ?? NODE_DEFAULTS.fsTypesExclude),
    diskstatsDeviceExclude: o.diskstatsDeviceInclude
      ? undefined
      : re(o.diskstatsDeviceExclude ?? NODE_DEFAULTS.diskstatsDeviceExclude),
    diskstatsDeviceInclude: re(o.diskstatsDeviceInclude),
    netdevDeviceExclude: re(o.netdevDeviceExclude),
    netdevDeviceInclude: re(o.netdevDeviceInclude),
    netstatFields: goRe(o.netstatFields ?? NODE_DEFAULTS.netstatFields),
    vmstatFields: goRe(o.vmstatFields ?? NODE_DEFAULTS.vmstatFields),
  };
}

/** node_exporter's own flags (kingpin style) that `obs run node-exporter` accepts. */
export const NODE_FLAG_SPECS: Record<string, FlagSpec> = {
  'web.listen-address': {
    type: 'string',
    default: ':9100',
    help: 'Address on which to expose metrics and web interface.',
  },
  'web.telemetry-path': {
    type: 'string',
    default: '/metrics',
    help: 'Path under which to expose metrics.',
  },
  'path.procfs': { type: 'string', default: NODE_DEFAULTS.procfs, help: 'procfs mountpoint.' },
  'path.sysfs': { type: 'string', default: NODE_DEFAULTS.sysfs, help: 'sysfs mountpoint.' },
  'path.rootfs': { type: 'string', default: NODE_DEFAULTS.rootfs, help: 'rootfs mountpoint.' },
  'path.udev.data': { type: 'string', default: NODE_DEFAULTS.udevData, help: 'udev data path.' },
  'collector.textfile.directory': {
    type: 'string',
    default: '',
    help: 'Directory to read text files with metrics from.',
  },
  'collector.filesystem.mount-points-exclude': {
    type: 'string',
    default: NODE_DEFAULTS.mountPointsExclude,
    help: 'Regexp of mount points to exclude for filesystem collector.',
  },
  'collector.filesystem.fs-types-exclude': {
    type: 'string',
    default: NODE_DEFAULTS.fsTypesExclude,
    help: 'Regexp of filesystem types to exclude for filesystem collector.',
  },
  'collector.diskstats.device-exclude': {
    type: 'string',
    default: NODE_DEFAULTS.diskstatsDeviceExclude,
    help: 'Regexp of diskstats devices to exclude (mutually exclusive to device-include).',
  },
  'collector.diskstats.device-include': {
    type: 'string',
    help: 'Regexp of diskstats devices to include (mutually exclusive to device-exclude).',
  },
  'collector.netdev.device-exclude': {
    type: 'string',
    help: 'Regexp of net devices to exclude (mutually exclusive to device-include).',
  },
  'collector.netdev.device-include': {
    type: 'string',
    help: 'Regexp of net devices to include (mutually exclusive to device-exclude).',
  },
  'collector.netstat.fields': {
    type: 'string',
    default: NODE_DEFAULTS.netstatFields,
    help: 'Regexp of fields to return for netstat collector.',
  },
  'collector.vmstat.fields': {
    type: 'string',
    default: NODE_DEFAULTS.vmstatFields,
    help: 'Regexp of fields to return for vmstat collector.',
  },
  'collector.netclass.ignored-devices': {
    type: 'string',
    default: '^$',
    help: 'Regexp of net devices to ignore for netclass collector.',
  },
  'collector.disable-defaults': {
    type: 'bool',
    default: false,
    help: 'Set all collectors to disabled by default.',
  },
  'web.disable-exporter-metrics': {
    type: 'bool',
    default: false,
    help: 'Exclude metrics about the exporter itself (obs exposes none).',
  },
  'log.level': {
    type: 'string',
    default: 'info',
    help: 'Only log messages with the given severity or above.',
  },
  'log.format': { type: 'string', default: 'logfmt', help: 'Output format of log messages.' },
  ...Object.fromEntries(
    NODE_COLLECTORS.map((name) => [
      `collector.${name}`,
      { type: 'bool', help: `Enable the ${name} collector (default: enabled).` } satisfies FlagSpec,
    ]),
  ),
};

/** Options from parsed flags: `--collector.X` / `--no-collector.X` over --collector.disable-defaults. */
export function nodeOptionsFromFlags(v: FlagValues): NodeExporterOptions {
  const s = (name: string) => v[name] as string | undefined;
  const base = v['collector.disable-defaults'] !== true;
  return {
    procfs: s('path.procfs'),
    sysfs: s('path.sysfs'),
    rootfs: s('path.rootfs'),
    udevData: s('path.udev.data'),
    textfileDirectory: s('collector.textfile.directory'),
    collectors: NODE_COLLECTORS.filter((n) => (v[`collector.${n}`] as boolean | undefined) ?? base),
    mountPointsExclude: s('collector.filesystem.mount-points-exclude'),
    fsTypesExclude: s('collector.filesystem.fs-types-exclude'),
    diskstatsDeviceExclude: s('collector.diskstats.device-exclude'),
    diskstatsDeviceInclude: s('collector.diskstats.device-include'),
    netdevDeviceExclude: s('collector.netdev.device-exclude'),
    netdevDeviceInclude: s('collector.netdev.device-include'),
    netstatFields: s('collector.netstat.fields'),
    vmstatFields: s('collector.vmstat.fields'),
    netclassIgnoredDevices: s('collector.netclass.ignored-devices'),
  };
}
