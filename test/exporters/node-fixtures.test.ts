import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { parseMountInfo } from '../../src/exporters/node/collectors/filesystem.js';
import { parseOsRelease } from '../../src/exporters/node/collectors/os.js';
import { createNodeExporterSource } from '../../src/exporters/index.js';
import { familiesByName } from './helpers.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'obs-exporters-node-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

test('a collector that cannot read its source reports success 0, the others carry on', async () => {
  const root = await tree({
    'proc/loadavg': '0.50 0.25 0.10 1/100 1234\n',
    'proc/meminfo': 'MemTotal:       2048 kB\nHugePages_Total:       0\nActive(anon):     10 kB\n',
    // A pre-5.10 kernel: no CPU index column, CPUs in line order.
    'proc/net/softnet_stat':
      '0000000a 00000001 00000002 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n000000ff 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n',
  });
  const src = createNodeExporterSource({
    procfs: join(root, 'proc'),
    sysfs: join(root, 'sys'),
    collectors: ['loadavg', 'meminfo', 'pressure', 'entropy', 'conntrack', 'softnet'],
  });
  const fams = familiesByName((await src.collect()).body);
  src.close();
  assert.deepEqual(
    fams.get('node_scrape_collector_success')!.samples.map((s) => [s.labels.collector, s.value]),
    [
      ['conntrack', 0],
      ['entropy', 0],
      ['loadavg', 1],
      ['meminfo', 1],
      ['pressure', 0],
      ['softnet', 1],
    ],
  );
  assert.deepEqual(
    fams.get('node_softnet_processed_total')!.samples.map((s) => [s.labels.cpu, s.value]),
    [
      ['0', 10],
      ['1', 255],
    ],
  );
  assert.equal(fams.get('node_load15')!.samples[0]!.value, 0.1);
  assert.equal(fams.get('node_memory_MemTotal_bytes')!.samples[0]!.value, 2048 * 1024);
  assert.equal(fams.get('node_memory_HugePages_Total')!.samples[0]!.value, 0);
  assert.equal(
    fams.get('node_memory_Active_anon_bytes')!.help,
    'Memory information field Active_anon_bytes.',
  );
  assert.equal(fams.get('node_scrape_collector_duration_seconds')!.samples.length, 6);
});

test('mountinfo: escapes decoded, --path.rootfs prefix stripped as node_exporter does', () => {
  const text = [
    '22 1 254:0 / /host rw,relatime shared:1 - ext4 /dev/vda rw',
    '23 22 0:21 / /host/mnt/my\\040disk ro,nosuid - vfat /dev/sdb1 ro',
    '24 1 0:22 / /proc rw - proc proc rw',
  ].join('\n');
  assert.deepEqual(
    parseMountInfo(text, '/host').map((m) => [
      m.device,
      m.mountPoint,
      m.fsType,
      m.options.has('ro'),
    ]),
    [
      ['/dev/vda', '/', 'ext4', false],
      ['/dev/sdb1', '/mnt/my disk', 'vfat', true],
      ['proc', '/proc', 'proc', false],
    ],
  );
});

test('os-release values: quotes and escapes as the shell reads them', () => {
  const r = parseOsRelease(
    'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n# c\nPRETTY_NAME=\'A \\"b\\"\'\nX="say \\"hi\\""\n',
  );
  assert.equal(r.get('NAME'), 'Debian GNU/Linux');
  assert.equal(r.get('VERSION_ID'), '12');
  assert.equal(r.get('ID'), 'debian');
  assert.equal(r.get('X'), 'say "hi"');
});

test('os-release is re-read when the file changes', async () => {
  const root = await tree({ 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n' });
  const file = join(root, 'etc/os-release');
  const src = createNodeExporterSource({ rootfs: root, collectors: ['os'] });
  const id = async () =>
    familiesByName((await src.collect()).body).get('node_os_info')!.samples[0]!.labels.id;
  assert.equal(await id(), 'debian');
  await writeFile(file, 'ID=alpine\nVERSION_ID=3.19\n');
  // A later mtime, even within the file system's timestamp granularity.
  await utimes(file, new Date(), new Date(Date.now() + 5000));
  assert.equal(await id(), 'alpine');
  src.close();
});

test('filter flags are Go regexps, as node_exporter matches them', async () => {
  // (?i) is RE2 syntax that JavaScript's RegExp lacks.
  const src = createNodeExporterSource({ collectors: ['vmstat'], vmstatFields: '(?i)^PGFAULT$' });
  const names = [...familiesByName((await src.collect()).body).keys()];
  src.close();
  assert.deepEqual(
    names.filter((n) => n.startsWith('node_vmstat_')),
    ['node_vmstat_pgfault'],
  );
});

test('--path.rootfs: os-release is read under the host root', async () => {
  const root = await tree({
    'host/usr/lib/os-release':
      'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n',
  });
  const src = createNodeExporterSource({ rootfs: join(root, 'host'), collectors: ['os'] });
  const fams = familiesByName((await src.collect()).body);
  src.close();
  const info = fams.get('node_os_info')!.samples[0]!.labels;
  assert.equal(info.id, 'alpine');
  assert.equal(info.pretty_name, 'Alpine Linux v3.19');
  assert.equal(info.version_codename, '');
  assert.deepEqual(fams.get('node_os_version')!.samples[0], {
    name: 'node_os_version',
    labels: { id: 'alpine', id_like: '', name: 'Alpine Linux' },
    value: 3.19,
  });
});
