import type { ReadText } from './cgroup.js';
import type { NetworkInterfaceStats } from './stats.js';

/** cAdvisor's ignoredDevicePrefixes: loopback and the host ends of container links. */
const IGNORED_PREFIXES = ['lo', 'veth', 'docker', 'nerdctl'];

/** /proc/<pid>/net/dev of a process: the interfaces of its network namespace. */
export function readNetworkStats(path: string, readText: ReadText): NetworkInterfaceStats[] {
  const text = readText(path);
  return text === undefined ? [] : parseNetDev(text);
}

function parseNetDev(text: string): NetworkInterfaceStats[] {
  const out: NetworkInterfaceStats[] = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (IGNORED_PREFIXES.some((p) => name.startsWith(p))) continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    out.push({
      name,
      rxBytes: f[0] ?? 0,
      rxPackets: f[1] ?? 0,
      rxErrors: f[2] ?? 0,
      rxDropped: f[3] ?? 0,
      txBytes: f[8] ?? 0,
      txPackets: f[9] ?? 0,
      txErrors: f[10] ?? 0,
      txDropped: f[11] ?? 0,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
