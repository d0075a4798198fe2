import { readFile, stat } from 'node:fs/promises';
import { family } from '../../exposition.js';
import { rootfsPath, type NodeCollector } from '../collector.js';

const INFO_LABELS: [label: string, key: string][] = [
  ['build_id', 'BUILD_ID'],
  ['id', 'ID'],
  ['id_like', 'ID_LIKE'],
  ['image_id', 'IMAGE_ID'],
  ['image_version', 'IMAGE_VERSION'],
  ['name', 'NAME'],
  ['pretty_name', 'PRETTY_NAME'],
  ['variant', 'VARIANT'],
  ['variant_id', 'VARIANT_ID'],
  ['version', 'VERSION'],
  ['version_codename', 'VERSION_CODENAME'],
  ['version_id', 'VERSION_ID'],
];

/**
 * Parsed os-release files by path, re-read only when the file's mtime moves,
 * as os_release.go does: the file hardly ever changes between scrapes.
 */
const releases = new Map<string, { mtimeMs: number; release: Map<string, string> }>();

async function readOsRelease(file: string): Promise<Map<string, string>> {
  const { mtimeMs } = await stat(file);
  const cached = releases.get(file);
  if (cached?.mtimeMs === mtimeMs) return cached.release;
  const release = parseOsRelease(await readFile(file, 'utf8'));
  releases.set(file, { mtimeMs, release });
  return release;
}

/** os_release.go: /etc/os-release (or /usr/lib/os-release) under --path.rootfs. */
export const osCollector: NodeCollector = {
  name: 'os',
  async update(c) {
    let release: Map<string, string>;
    try {
      release = await readOsRelease(rootfsPath(c, 'etc/os-release'));
    } catch {
      release = await readOsRelease(rootfsPath(c, 'usr/lib/os-release'));
    }
    const info = family(
      'node_os_info',
      "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
      'gauge',
    );
    const labels: Record<string, string> = {};
    for (const [label, key] of INFO_LABELS) labels[label] = release.get(key) ?? '';
    info.add(1, labels);
    const version = family(
      'node_os_version',
      'Metric containing the major.minor part of the OS version.',
      'gauge',
    );
    const majorMinor = /^[0-9]+\.?[0-9]*/.exec(release.get('VERSION_ID') ?? '')?.[0];
    version.add(majorMinor ? parseFloat(majorMinor) : 0, {
      id: labels.id!,
      id_like: labels.id_like!,
      name: labels.name!,
    });
    return [info, version];
  },
};

/** os-release(5): shell-style KEY=value lines, values optionally quoted with backslash escapes. */
export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let value = line.slice(eq + 1);
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\(["\\`$])/g, '$1');
    }
    out.set(line.slice(0, eq), value);
  }
  return out;
}
