import type { ContainerSummary, NetworkSummary } from '../../../common/docker-client.js';
import type { Labels } from '../../../common/labels.js';

const META = '__meta_docker_';

export interface DockerTargetOptions {
  port: number;
  hostNetworkingHost: string;
  matchFirstNetwork: boolean;
}

/** Prometheus's strutil.SanitizeLabelName: anything outside [a-zA-Z0-9_] becomes `_`. */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

function networkLabels(networks: NetworkSummary[]): Map<string, Labels> {
  const out = new Map<string, Labels>();
  for (const n of networks) {
    const l: Labels = {
      [`${META}network_id`]: n.Id,
      [`${META}network_name`]: n.Name,
      [`${META}network_scope`]: n.Scope,
      [`${META}network_internal`]: String(n.Internal),
      [`${META}network_ingress`]: String(n.Ingress),
    };
    for (const [k, v] of Object.entries(n.Labels ?? {}))
      l[`${META}network_label_${sanitizeLabelName(k)}`] = v;
    out.set(n.Id, l);
  }
  return out;
}

/** JoinHostPort: IPv6 addresses get brackets. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Targets exactly as Prometheus's docker SD (discovery/moby/docker.go)
 * builds them, which Alloy's `discovery.docker` reuses: one per network and
 * TCP port of each container, or one with the fallback port.
 */
export function dockerTargets(
  containers: ContainerSummary[],
  networks: NetworkSummary[],
  o: DockerTargetOptions,
): Labels[] {
  const byNetwork = networkLabels(networks);
  const byId = new Map(containers.map((c) => [c.Id, c]));
  const targets: Labels[] = [];
  for (const c of containers) {
    if (!c.Names || c.Names.length === 0) continue;
    const common: Labels = {
      [`${META}container_id`]: c.Id,
      [`${META}container_name`]: c.Names[0]!,
      [`${META}container_network_mode`]: c.HostConfig.NetworkMode,
      // Not in Prometheus's docker SD: obs adds the image so the seed's `image` label can be
      // relabelled like the others (real Alloy leaves a rule reading it without effect).
      [`${META}container_image`]: c.Image,
    };
    for (const [k, v] of Object.entries(c.Labels ?? {})) {
      common[`${META}container_label_${sanitizeLabelName(k)}`] = v;
    }
    let nets = c.NetworkSettings?.Networks ?? {};
    let mode = c.HostConfig.NetworkMode;
    // container:<id> network mode shares another container's networks.
    while (Object.keys(nets).length === 0 && mode.startsWith('container:')) {
      const other = byId.get(mode.slice('container:'.length));
      if (!other) break;
      nets = other.NetworkSettings?.Networks ?? {};
      mode = other.HostConfig.NetworkMode;
    }
    let entries = Object.entries(nets).filter(([, n]) => n != null);
    if (o.matchFirstNetwork && entries.length > 1) {
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      entries = [entries[0]!];
    }
    for (const [, n] of entries) {
      let added = false;
      for (const p of c.Ports ?? []) {
        if (p.Type !== 'tcp') continue;
        const l: Labels = {
          [`${META}network_ip`]: n!.IPAddress,
          [`${META}port_private`]: String(p.PrivatePort),
        };
        if (p.PublicPort && p.PublicPort > 0) {
          l[`${META}port_public`] = String(p.PublicPort);
          l[`${META}port_public_ip`] = p.IP ?? '';
        }
        Object.assign(l, common, byNetwork.get(n!.NetworkID));
        l.__address__ = joinHostPort(n!.IPAddress, p.PrivatePort);
        targets.push(l);
        added = true;
      }
      if (!added) {
        const l: Labels = { [`${META}network_ip`]: n!.IPAddress };
        Object.assign(l, common, byNetwork.get(n!.NetworkID));
        l.__address__ =
          c.HostConfig.NetworkMode !== 'host'
            ? joinHostPort(n!.IPAddress, o.port)
            : o.hostNetworkingHost;
        targets.push(l);
      }
    }
  }
  return targets;
}
