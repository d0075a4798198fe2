import http from 'node:http';
import { isLoopback } from '../common/net.js';
import type { MetricsSource } from '../metrics/appender.js';

export interface ExporterServerOptions {
  host: string;
  port: number;
  metricsPath: string;
  source: MetricsSource;
  /** HTML for `/` (node_exporter's landing page); 404 when absent. */
  landingPage?: string;
}

/**
 * The standalone exporters' HTTP side: the metrics path and an optional
 * landing page, nothing else. Warns on stderr when bound beyond loopback,
 * since obs's posture is loopback unless the user asks.
 */
export async function startExporterServer(o: ExporterServerOptions): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === o.metricsPath) {
      o.source.collect().then(
        ({ contentType, body }) => {
          res
            .writeHead(200, { 'Content-Type': contentType })
            .end(req.method === 'HEAD' ? '' : body);
        },
        (err: Error) => {
          res
            .writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
            .end(`${err.message}\n`);
        },
      );
      return;
    }
    if (path === '/' && o.landingPage !== undefined) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8' }).end(o.landingPage);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (!isLoopback(o.host)) {
    process.stderr.write(
      `WARNING: ${o.source.job} metrics are served on ${o.host || 'all interfaces'}:${o.port}, beyond loopback, without authentication\n`,
    );
  }
  return server;
}

/** Resolves once SIGTERM or SIGINT arrives and the server has closed, so the caller exits 0. */
export function serveUntilSignal(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      server.closeAllConnections();
      server.close(() => resolve());
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/** `host:port` or `:port` (Go's net.Listen form); an empty host means every interface. */
export function parseListenAddress(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  if (i < 0) throw new Error(`listen address ${JSON.stringify(addr)}: missing port`);
  const host = addr.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`listen address ${JSON.stringify(addr)}: invalid port`);
  }
  return { host: host === '' ? '::' : host, port };
}
