import { BlockList, isIP } from 'node:net';
import { isLoopback } from '../../../common/net.js';

export interface ProxySettings {
  proxyUrl?: string;
  noProxy?: string;
  fromEnvironment: boolean;
  /** `proxy_connect_header`: sent with CONNECT, values comma-joined. */
  connectHeaders: Record<string, string>;
}

export function proxySettings(a: Record<string, unknown>): ProxySettings {
  const connectHeaders: Record<string, string> = {};
  for (const [name, values] of Object.entries((a.proxy_connect_header as object) ?? {})) {
    connectHeaders[name] = (Array.isArray(values) ? values : [values]).map(String).join(', ');
  }
  return {
    proxyUrl: (a.proxy_url as string | undefined) || undefined,
    noProxy: (a.no_proxy as string | undefined) || undefined,
    fromEnvironment: a.proxy_from_environment === true,
    connectHeaders,
  };
}

/**
 * The proxy a request to `target` goes through, as Prometheus's ProxyConfig
 * decides: `proxy_url` alone proxies everything (Go's http.ProxyURL); with
 * `no_proxy`, or from HTTP(S)_PROXY/NO_PROXY, Go's httpproxy rules apply,
 * which also never proxy localhost and loopback addresses.
 */
export function proxyFor(s: ProxySettings, target: URL): URL | undefined {
  if (s.fromEnvironment) {
    const https = target.protocol === 'https:';
    const raw = https ? env('HTTPS_PROXY', 'https_proxy') : env('HTTP_PROXY', 'http_proxy');
    if (!raw) return undefined;
    return useProxy(target, env('NO_PROXY', 'no_proxy') ?? '') ? parseProxy(raw) : undefined;
  }
  if (!s.proxyUrl) return undefined;
  if (s.noProxy === undefined) return new URL(s.proxyUrl);
  return useProxy(target, s.noProxy) ? new URL(s.proxyUrl) : undefined;
}

function env(upper: string, lower: string): string | undefined {
  return process.env[upper] || process.env[lower] || undefined;
}

/** A proxy variable without a scheme means http:// (as in Go). */
function parseProxy(raw: string): URL | undefined {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    return undefined;
  }
}

/** golang.org/x/net/http/httpproxy's useProxy: false when NO_PROXY excludes the host. */
function useProxy(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  if (isLoopback(host)) return false;
  const family = isIP(host);
  for (const raw of noProxy.split(',')) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return false;
    if (entry.includes('/')) {
      const [net, bits] = entry.split('/');
      const netFamily = isIP(net!);
      if (family && netFamily === family) {
        const list = new BlockList();
        list.addSubnet(net!, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
        if (list.check(host, family === 6 ? 'ipv6' : 'ipv4')) return false;
      }
      continue;
    }
    let entryPort = '';
    const m = /^(.*):(\d+)$/.exec(entry);
    if (m && !isIP(entry)) {
      entry = m[1]!.replace(/^\[|\]$/g, '');
      entryPort = m[2]!;
    }
    if (isIP(entry)) {
      if (entry === host && (entryPort === '' || entryPort === port)) return false;
      continue;
    }
    if (entry.startsWith('*.')) entry = entry.slice(1);
    // "example.com" matches itself and its subdomains; ".example.com" only subdomains.
    const matchHost = !entry.startsWith('.');
    const suffix = matchHost ? `.${entry}` : entry;
    if (host.endsWith(suffix) || (matchHost && host === entry)) {
      if (entryPort === '' || entryPort === port) return false;
    }
  }
  return true;
}
