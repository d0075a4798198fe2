import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { family } from '../../exposition.js';
import { procPath, type NodeCollector, type NodeConfig } from '../collector.js';

/** node_exporter's --collector.filesystem.mount-timeout: a stuck NFS mount must not hang a scrape. */
const STATFS_TIMEOUT_MS = 5000;

export interface MountEntry {
  device: string;
  mountPoint: string;
  fsType: string;
  options: Set<string>;
}

/**
 * filesystem_linux.go: statfs of every mount in /proc/1/mountinfo (the host's
 * mount namespace when the host's /proc is given), less the excluded mount
 * points and types; a failing statfs sets device_error and skips the rest.
 */
export const filesystemCollector: NodeCollector = {
  name: 'filesystem',
  async update(c) {
    const mounts = await readMounts(c);
    const f = {
      deviceError: family(
        'node_filesystem_device_error',
        'Whether an error occurred while getting statistics for the given device.',
        'gauge',
      ),
      size: family('node_filesystem_size_bytes', 'Filesystem size in bytes.', 'gauge'),
      free: family('node_filesystem_free_bytes', 'Filesystem free space in bytes.', 'gauge'),
      avail: family(
        'node_filesystem_avail_bytes',
        'Filesystem space available to non-root users in bytes.',
        'gauge',
      ),
      files: family('node_filesystem_files', 'Filesystem total file nodes.', 'gauge'),
      filesFree: family('node_filesystem_files_free', 'Filesystem total free file nodes.', 'gauge'),
      readonly: family('node_filesystem_readonly', 'Filesystem read-only status.', 'gauge'),
    };
    const seen = new Set<string>();
    const wanted = mounts.filter((m) => {
      if (c.filesystemMountPointsExclude.test(m.mountPoint)) return false;
      if (c.filesystemFsTypesExclude.test(m.fsType)) return false;
      const key = `${m.device}\0${m.mountPoint}\0${m.fsType}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const stats = await Promise.all(
      wanted.map((m) => statWithTimeout(join(c.rootfs, m.mountPoint))),
    );
    wanted.forEach((m, i) => {
      const labels = { device: m.device, mountpoint: m.mountPoint, fstype: m.fsType };
      const s = stats[i];
      f.deviceError.add(s ? 0 : 1, labels);
      if (!s) return;
      f.size.add(s.blocks * s.bsize, labels);
      f.free.add(s.bfree * s.bsize, labels);
      f.avail.add(s.bavail * s.bsize, labels);
      f.files.add(s.files, labels);
      f.filesFree.add(s.ffree, labels);
      f.readonly.add(m.options.has('ro') ? 1 : 0, labels);
    });
    return Object.values(f);
  },
};

async function statWithTimeout(path: string) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, STATFS_TIMEOUT_MS, undefined);
  });
  try {
    return await Promise.race([statfs(path).catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function readMounts(c: NodeConfig): Promise<MountEntry[]> {
  let text: string;
  try {
    text = c.read(procPath(c, '1/mountinfo'));
  } catch {
    // Without access to PID 1 (a non-root user in some containers), our own view.
    text = c.read(procPath(c, 'self/mountinfo'));
  }
  return parseMountInfo(text, c.rootfs);
}

/**
 * proc(5) mountinfo: `id parent major:minor root mountpoint options [optional...] - fstype source super`.
 * Mount points outside --path.rootfs keep their path; inside it the prefix is stripped.
 */
export function parseMountInfo(text: string, rootfs = '/'): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-', 6);
    if (dash < 0 || f.length < dash + 3) continue;
    out.push({
      device: unescapeMount(f[dash + 2]!),
      mountPoint: stripRootfs(unescapeMount(f[4]!), rootfs),
      fsType: f[dash + 1]!,
      options: new Set(f[5]!.split(',')),
    });
  }
  return out;
}

function stripRootfs(path: string, rootfs: string): string {
  if (rootfs === '/' || rootfs === '') return path;
  const prefix = rootfs.replace(/\/+$/, '');
  if (!path.startsWith(prefix)) return path;
  return path.slice(prefix.length) || '/';
}

/** The kernel writes space, tab, newline and backslash in mount paths as octal escapes. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}
