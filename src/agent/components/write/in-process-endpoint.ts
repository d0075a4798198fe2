import { isLoopback } from '../../../common/net.js';

/** The seed's Loki as Alloy reaches it inside the compose network. */
const SEED_SERVICE = { host: 'loki', port: '3100' };

/**
 * Whether a `loki.write` endpoint URL names the logs role of this very
 * process: the same port and push path on a loopback host; or `loki:3100`,
 * the seed's compose service, which is the logs role whatever port it
 * listens on here (`LOKI_PORT` maps a host port; the service port stays
 * 3100), so that a config written for the container stack is delivered in
 * memory too.
 */
export function isInProcessEndpoint(url: string, pushUrl: string): boolean {
  let endpoint: URL;
  let own: URL;
  try {
    endpoint = new URL(url);
    own = new URL(pushUrl);
  } catch {
    return false;
  }
  const host = (u: URL) => u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = (u: URL) => u.port || (u.protocol === 'https:' ? '443' : '80');
  const seedService = host(endpoint) === SEED_SERVICE.host && port(endpoint) === SEED_SERVICE.port;
  const loopbackTwin =
    isLoopback(host(endpoint)) && isLoopback(host(own)) && port(endpoint) === port(own);
  return (
    endpoint.protocol === 'http:' &&
    (seedService || loopbackTwin) &&
    endpoint.pathname.replace(/\/+$/, '') === own.pathname &&
    endpoint.search === ''
  );
}
