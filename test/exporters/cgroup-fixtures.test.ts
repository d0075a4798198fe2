import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { CadvisorSource } from '../../src/exporters/containers/cadvisor.js';
import { cgroupReader, parseProcCgroup } from '../../src/exporters/containers/cgroup.js';
import { FileCache } from '../../src/exporters/file-cache.js';
import { createCadvisorSource } from '../../src/exporters/index.js';
import { familiesByName, seriesKey } from './helpers.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'obs-exporters-cgroup-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0
  eth0:    5000      50    1    2    0     0          0         0     7000      70    3    4    0     0       0          0
veth12:     900       9    0    0    0     0          0         0      900       9    0    0    0     0       0          0
`;

/** A root-only view (no Docker) of a cgroup v1 host, as runc reads it. */
test('cgroup v1: root cgroup stats in cAdvisor units', async () => {
  const root = await tree({
    'proc/stat': 'cpu  1 2 3 4\nbtime 1700000000\n',
    'proc/1/net/dev': NET_DEV,
    'sys/dev/block/254:0/uevent': 'MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n',
    'sys/fs/cgroup/cpuacct/cpuacct.usage': '3500000000\n',
    'sys/fs/cgroup/cpuacct/cpuacct.usage_percpu': '1500000000 0 2000000000 \n',
    'sys/fs/cgroup/cpuacct/cpuacct.stat': 'user 250\nsystem 50\n',
    'sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
    'sys/fs/cgroup/cpu/cpu.cfs_quota_us': '50000\n',
    'sys/fs/cgroup/cpu/cpu.shares': '512\n',
    'sys/fs/cgroup/cpu/cpu.stat': 'nr_periods 40\nnr_throttled 10\nthrottled_time 2500000000\n',
    'proc/meminfo': 'MemTotal:       2048 kB\nSwapTotal:         0 kB\n',
    'proc/sys/kernel/random/boot_id': 'b-1\n',
    'sys/class/dmi/id/product_uuid': 'u-1\n',
    'sys/fs/cgroup/memory/memory.usage_in_bytes': '1048576000\n',
    'sys/fs/cgroup/memory/memory.max_usage_in_bytes': '2097152000\n',
    'sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n',
    'sys/fs/cgroup/memory/memory.failcnt': '0\n',
    'sys/fs/cgroup/memory/memory.use_hierarchy': '1\n',
    'sys/fs/cgroup/memory/memory.stat':
      'cache 10\nrss 20\nmapped_file 5\npgfault 100\npgmajfault 1\ntotal_cache 300000000\ntotal_rss 600000000\ntotal_mapped_file 4096\ntotal_swap 0\ntotal_pgfault 9000\ntotal_pgmajfault 9\ntotal_inactive_file 48576000\n',
    'sys/fs/cgroup/blkio/blkio.throttle.io_service_bytes_recursive':
      '254:0 Read 4096\n254:0 Write 8192\n254:0 Sync 0\n254:0 Total 12288\nTotal 12288\n',
    'sys/fs/cgroup/blkio/blkio.throttle.io_serviced_recursive':
      '254:0 Read 1\n254:0 Write 2\n254:0 Total 3\nTotal 3\n',
  });
  const src = createCadvisorSource({
    docker: false,
    procfs: join(root, 'proc'),
    sysfs: join(root, 'sys'),
    cgroupMode: 'v1',
  });
  const fams = familiesByName((await src.collect()).body);
  const value = (name: string, extra: Record<string, string> = {}) => {
    const key = seriesKey(name, { id: '/', image: '', name: '', ...extra });
    return fams.get(name)?.samples.find((s) => seriesKey(s.name, s.labels) === key)?.value;
  };
  const cases: [string, Record<string, string>, number | undefined][] = [
    // Per-CPU usage, the idle CPU left out as cAdvisor does.
    ['container_cpu_usage_seconds_total', { cpu: 'cpu00' }, 1.5],
    ['container_cpu_usage_seconds_total', { cpu: 'cpu01' }, undefined],
    ['container_cpu_usage_seconds_total', { cpu: 'cpu02' }, 2],
    // cpuacct.stat counts USER_HZ ticks.
    ['container_cpu_user_seconds_total', {}, 2.5],
    ['container_cpu_system_seconds_total', {}, 0.5],
    ['container_memory_usage_bytes', {}, 1048576000],
    ['container_memory_max_usage_bytes', {}, 2097152000],
    // usage less total_inactive_file.
    ['container_memory_working_set_bytes', {}, 1000000000],
    // With use_hierarchy, the total_* figures.
    ['container_memory_rss', {}, 600000000],
    ['container_memory_cache', {}, 300000000],
    ['container_memory_mapped_file', {}, 4096],
    ['container_memory_failures_total', { failure_type: 'pgfault', scope: 'container' }, 100],
    ['container_memory_failures_total', { failure_type: 'pgfault', scope: 'hierarchy' }, 9000],
    // "Unlimited" (above 2^62) is 0, as cAdvisor's specMemoryValue.
    ['container_spec_memory_limit_bytes', {}, 0],
    ['container_fs_reads_bytes_total', { device: '/dev/vda' }, 4096],
    ['container_fs_writes_bytes_total', { device: '/dev/vda' }, 8192],
    ['container_fs_reads_total', { device: '/dev/vda' }, 1],
    ['container_fs_writes_total', { device: '/dev/vda' }, 2],
    ['container_start_time_seconds', {}, 1700000000],
    // lo and veth* are not reported.
    ['container_network_receive_bytes_total', { interface: 'eth0' }, 5000],
    ['container_network_receive_bytes_total', { interface: 'lo' }, undefined],
    ['container_network_receive_bytes_total', { interface: 'veth12' }, undefined],
    ['container_network_transmit_packets_dropped_total', { interface: 'eth0' }, 4],
    ['container_spec_cpu_period', {}, 100000],
    ['container_spec_cpu_quota', {}, 50000],
    ['container_spec_cpu_shares', {}, 512],
    ['container_cpu_cfs_periods_total', {}, 40],
    ['container_cpu_cfs_throttled_periods_total', {}, 10],
    ['container_cpu_cfs_throttled_seconds_total', {}, 2.5],
  ];
  for (const [name, extra, want] of cases) {
    assert.equal(value(name, extra), want, `${name} ${JSON.stringify(extra)}`);
  }
  assert.equal(fams.get('container_scrape_error')!.samples[0]!.value, 0);
  // Machine metrics carry the machine's identity labels.
  const mem = fams.get('machine_memory_bytes')!.samples[0]!;
  assert.equal(mem.value, 2048 * 1024);
  assert.deepEqual(Object.keys(mem.labels).sort(), ['boot_id', 'machine_id', 'system_uuid']);
  assert.equal(mem.labels.boot_id, 'b-1');
  assert.equal(mem.labels.system_uuid, 'u-1');
  assert.equal(
    fams.get('container_memory_usage_bytes')!.help,
    'Current memory usage in bytes, including all memory regardless of when it was accessed',
  );
});

test('cgroup v2: a container cgroup, and the root from /proc/meminfo', async () => {
  const scope = 'system.slice/docker-abc.scope';
  const root = await tree({
    'proc/stat': 'btime 1700000000\n',
    'proc/meminfo': 'MemTotal:       1000 kB\nMemFree:         400 kB\n',
    'sys/fs/cgroup/cgroup.controllers': 'cpu io memory\n',
    [`sys/fs/cgroup/${scope}/cpu.max`]: 'max 100000\n',
    [`sys/fs/cgroup/${scope}/cpu.weight`]: '100\n',
    'sys/fs/cgroup/cpu.stat': 'usage_usec 5000000\nuser_usec 3000000\nsystem_usec 2000000\n',
    'sys/fs/cgroup/memory.stat': 'anon 100\nfile 200\ninactive_file 50\n',
    [`sys/fs/cgroup/${scope}/cpu.stat`]:
      'usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n',
    [`sys/fs/cgroup/${scope}/memory.current`]: '4096000\n',
    [`sys/fs/cgroup/${scope}/memory.max`]: '67108864\n',
    [`sys/fs/cgroup/${scope}/memory.stat`]:
      'anon 2048000\nfile 1024000\nfile_mapped 4096\ninactive_file 96000\npgfault 77\npgmajfault 3\n',
    [`sys/fs/cgroup/${scope}/memory.events`]: 'low 0\nhigh 0\nmax 5\noom 0\noom_kill 0\n',
    [`sys/fs/cgroup/${scope}/io.stat`]:
      '254:0 rbytes=1000 wbytes=2000 rios=3 wios=4 dbytes=0 dios=0\n',
  });
  const files = new FileCache();
  const reader = cgroupReader(
    join(root, 'sys/fs/cgroup'),
    (p) => files.read(p),
    () =>
      new Map([
        ['MemTotal', 1000],
        ['MemFree', 400],
      ]),
  );
  assert.equal(reader.mode, 'v2');
  const c = reader.read({ name: `/${scope}`, byController: new Map() });
  assert.deepEqual(c.cpu, { totalNs: 1.5e9, userNs: 1e9, systemNs: 0.5e9, perCpuNs: [] });
  // No quota ("max"); the default weight 100 reads as 2597 shares by cAdvisor's conversion.
  assert.deepEqual(c.cpuSpec, { periodUs: 100000, quotaUs: 0, shares: 2597 });
  assert.equal(c.memory?.workingSet, 4000000);
  assert.equal(c.memory?.rss, 2048000);
  assert.equal(c.memory?.cache, 1024000);
  assert.equal(c.memory?.failcnt, 5);
  assert.equal(c.memory?.limit, 67108864);
  assert.deepEqual(c.io, [
    { major: 254, minor: 0, readBytes: 1000, writeBytes: 2000, reads: 3, writes: 4 },
  ]);
  files.close();
  // The root: no per-CPU figures in v2, so cpu="total"; usage from meminfo (kB).
  const src = new CadvisorSource({
    docker: false,
    procfs: join(root, 'proc'),
    sysfs: join(root, 'sys'),
  });
  const fams = familiesByName((await src.collect()).body);
  assert.deepEqual(
    fams.get('container_cpu_usage_seconds_total')!.samples.map((s) => [s.labels, s.value]),
    [[{ cpu: 'total', id: '/', image: '', name: '' }, 5]],
  );
  assert.equal(fams.get('container_memory_usage_bytes')!.samples[0]!.value, 600 * 1024);
  assert.equal(fams.get('container_memory_working_set_bytes')!.samples[0]!.value, 600 * 1024 - 50);
});

test('/proc/<pid>/cgroup gives the cgroup cAdvisor names the container by', () => {
  const v1 = parseProcCgroup(
    '12:pids:/docker/abc\n4:cpu,cpuacct:/docker/abc\n3:memory:/docker/abc\n1:name=systemd:/docker/abc\n0::/docker/abc\n',
    'v1',
  );
  assert.equal(v1.name, '/docker/abc');
  assert.equal(v1.byController.get('cpuacct'), '/docker/abc');
  assert.equal(v1.byController.get('memory'), '/docker/abc');
  const v2 = parseProcCgroup('0::/system.slice/docker-abc.scope\n', 'v2');
  assert.equal(v2.name, '/system.slice/docker-abc.scope');
  assert.throws(() => parseProcCgroup('0::/x\n', 'v1'), /no v1 cgroup/);
});

test("the issue's container families carry cAdvisor's TYPE and HELP", async () => {
  const root = await tree({
    'proc/stat': 'btime 1700000000\n',
    'proc/1/net/dev': NET_DEV,
    'sys/fs/cgroup/cpuacct/cpuacct.usage_percpu': '1 2\n',
    'sys/fs/cgroup/cpuacct/cpuacct.stat': 'user 1\nsystem 1\n',
    'sys/fs/cgroup/memory/memory.usage_in_bytes': '1\n',
    'sys/fs/cgroup/memory/memory.stat': 'total_rss 1\n',
    'sys/fs/cgroup/blkio/blkio.throttle.io_service_bytes_recursive': '8:0 Read 1\n8:0 Write 1\n',
  });
  const src = createCadvisorSource({
    docker: false,
    procfs: join(root, 'proc'),
    sysfs: join(root, 'sys'),
    cgroupMode: 'v1',
  });
  const fams = familiesByName((await src.collect()).body);
  src.close();
  const want: [string, string, string][] = [
    ['container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.'],
    [
      'container_cpu_user_seconds_total',
      'counter',
      'Cumulative user cpu time consumed in seconds.',
    ],
    [
      'container_cpu_system_seconds_total',
      'counter',
      'Cumulative system cpu time consumed in seconds.',
    ],
    [
      'container_memory_usage_bytes',
      'gauge',
      'Current memory usage in bytes, including all memory regardless of when it was accessed',
    ],
    ['container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.'],
    ['container_memory_rss', 'gauge', 'Size of RSS in bytes.'],
    ['container_memory_cache', 'gauge', 'Number of bytes of page cache memory.'],
    ['container_network_receive_bytes_total', 'counter', 'Cumulative count of bytes received'],
    ['container_network_transmit_bytes_total', 'counter', 'Cumulative count of bytes transmitted'],
    ['container_fs_reads_bytes_total', 'counter', 'Cumulative count of bytes read'],
    ['container_fs_writes_bytes_total', 'counter', 'Cumulative count of bytes written'],
    ['container_last_seen', 'gauge', 'Last time a container was seen by the exporter'],
    [
      'container_start_time_seconds',
      'gauge',
      'Start time of the container since unix epoch in seconds.',
    ],
    ['container_spec_memory_limit_bytes', 'gauge', 'Memory limit for the container.'],
    [
      'container_scrape_error',
      'gauge',
      '1 if there was an error while getting container metrics, 0 otherwise',
    ],
  ];
  for (const [name, type, help] of want) {
    const f = fams.get(name);
    assert.ok(f, `${name} is exposed`);
    assert.equal(f.type, type, `${name} TYPE`);
    assert.equal(f.help, help, `${name} HELP`);
  }
});
