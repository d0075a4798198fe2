import { isLoopback } from '../../../common/net.js';

/**
 * Whether a `loki.write` endpoint URL names the logs role of this very
 * process: the same port and push path on a loopback host, or on `loki`, the
 * seed's compose service name, so that a config written for the container
 * stack (`http://loki:3100/loki/api/v1/push`) is delivered in memory too.
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
  const local = (u: URL) => {
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    return host === 'loki' || isLoopback(host);
  };
  const port = (u: URL) => u.port || (u.protocol === 'https:' ? '443' : '80');
  return (
    endpoint.protocol === 'http:' &&
    local(endpoint) &&
    local(own) &&
    port(endpoint) === port(own) &&
    endpoint.pathname.replace(/\/+$/, '') === own.pathname &&
    endpoint.search === ''
  );
}
