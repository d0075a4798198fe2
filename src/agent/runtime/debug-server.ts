import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentMetrics } from './metrics.js';

export interface DebugServerOptions {
  host: string;
  port: number;
  metrics: AgentMetrics;
  ready(): boolean;
  health(): { id: string; healthy: boolean; message?: string }[];
  /** `/-/reload`: re-read the config file; rejects with the reason it was refused. */
  reload?(): Promise<void>;
}

/**
 * The agent's loopback debug endpoints, as Alloy serves them on
 * --server.http.listen-addr: `/-/ready`, `/-/healthy`, `/-/reload` and `/metrics`.
 */
export async function startDebugServer(
  opts: DebugServerOptions,
): Promise<{ address: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/-/reload' && opts.reload && (req.method === 'GET' || req.method === 'POST')) {
      opts.reload().then(
        () => res.writeHead(200, { 'content-type': 'text/plain' }).end('config reloaded\n'),
        (err: unknown) =>
          res.writeHead(400, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`),
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/-/ready') {
      const ok = opts.ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(ok ? 'Alloy is ready.\n' : 'Alloy is not ready.\n');
    } else if (path === '/-/healthy') {
      const bad = opts.health().filter((h) => !h.healthy);
      res.writeHead(bad.length === 0 ? 200 : 500, { 'content-type': 'text/plain' });
      res.end(
        bad.length === 0
          ? 'All Alloy components are healthy.\n'
          : `unhealthy components: ${bad.map((b) => `${b.id} (${b.message ?? 'unhealthy'})`).join(', ')}\n`,
      );
    } else if (path === '/metrics') {
      opts.metrics.text().then(
        (text) => {
          res.writeHead(200, { 'content-type': opts.metrics.registry.contentType });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(500).end(String(err));
        },
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    address: `http://${host}:${addr.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
