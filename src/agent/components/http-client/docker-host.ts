import { DockerClient } from '../../../common/docker-client.js';
import { httpClientFromArgs, httpHeaders } from './client-from-args.js';
import { validateHttpClient } from './validate.js';

type Args = Record<string, unknown>;

/**
 * The Docker client of a Docker component (`discovery.docker`'s own
 * arguments, `loki.source.docker`'s block), its settings checked as Alloy
 * checks them. As in Alloy (Prometheus's docker SD builds Docker's client
 * with an http.Client from them), an http:// or https:// host is reached
 * through an HTTP client made from the settings: TLS, authorization, proxy,
 * `http_headers`, HTTP/2, redirects. Over unix:// and tcp:// they have no
 * effect, as in Alloy. `close` ends both.
 */
export function dockerClientFor(host: string, a: Args | undefined): DockerClient {
  if (!/^https?:\/\//i.test(host)) {
    if (a) validateHttpClient(a);
    return new DockerClient(host);
  }
  // httpClientFromArgs validates them.
  const http = httpClientFromArgs(a ?? {});
  const headers = httpHeaders(a ?? {});
  return new DockerClient(host, {
    async request(url, method, signal) {
      const res = await http.request(url, { method, headers, signal });
      return { status: res.status, body: res.body };
    },
    close: () => http.close(),
  });
}
