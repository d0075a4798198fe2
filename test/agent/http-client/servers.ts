import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecureServerOptions } from 'node:http2';

/** A throwaway CA, a server certificate for `loki.test` only, and a client certificate. */
export interface TestPki {
  dir: string;
  caFile: string;
  ca: string;
  serverKey: string;
  serverCert: string;
  clientKeyFile: string;
  clientCertFile: string;
  remove(): void;
}

export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'obs-pki-'));
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl(
    'req',
    '-subj',
    '/CN=obs-test-ca',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-days',
    '1',
  );
  const leaf = (name: string, ext: string) => {
    ssl(
      'req',
      ...ec,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
      '-subj',
      `/CN=${name}`,
    );
    writeFileSync(f(`${name}.ext`), ext);
    ssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${name}.crt`),
      '-days',
      '1',
      '-extfile',
      f(`${name}.ext`),
    );
  };
  leaf('server', 'subjectAltName=DNS:loki.test\n');
  leaf('client', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caFile: f('ca.crt'),
    ca: readFileSync(f('ca.crt'), 'utf8'),
    serverKey: readFileSync(f('server.key'), 'utf8'),
    serverCert: readFileSync(f('server.crt'), 'utf8'),
    clientKeyFile: f('client.key'),
    clientCertFile: f('client.crt'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Seen {
  method: string;
  path: string;
  httpVersion: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

type Handler = (req: Seen) => { status: number; headers?: Record<string, string>; body?: string };

export interface TestServer {
  url: string;
  port: number;
  seen: Seen[];
  /** TLS connections accepted (HTTPS servers). */
  connections?: () => number;
  close(): Promise<void>;
}

function handle(answer: Handler, seen: Seen[]) {
  return (
    req: http.IncomingMessage | http2.Http2ServerRequest,
    res: http.ServerResponse | http2.Http2ServerResponse,
  ) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = {
        method: req.method ?? '',
        path: new URL(req.url ?? '/', 'http://x').pathname,
        httpVersion: req.httpVersion,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      seen.push(s);
      const out = answer(s);
      res.writeHead(out.status, out.headers ?? {});
      res.end(out.body ?? '');
    });
  };
}

/** HTTPS (HTTP/2 and HTTP/1.1) with the test PKI's `loki.test` certificate. */
export async function httpsServer(
  pki: TestPki,
  answer: Handler,
  tls: Partial<SecureServerOptions> = {},
): Promise<TestServer> {
  const seen: Seen[] = [];
  const server = http2.createSecureServer(
    { key: pki.serverKey, cert: pki.serverCert, allowHTTP1: true, ...tls },
    handle(answer, seen),
  );
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => (sessions.add(s), s.on('close', () => sessions.delete(s))));
  const sockets = new Set<net.Socket>();
  let connections = 0;
  server.on('secureConnection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    seen,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sessions) s.destroy();
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export async function httpServer(answer: Handler): Promise<TestServer> {
  const seen: Seen[] = [];
  const server = http.createServer(handle(answer, seen));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface ProxyRequest {
  method: string;
  target: string;
  headers: Record<string, string>;
}

/** A minimal forward proxy: CONNECT tunnels, and absolute-URI plain HTTP requests. */
export async function forwardProxy(): Promise<TestServer & { requests: ProxyRequest[] }> {
  const requests: ProxyRequest[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      client.removeListener('data', onData);
      const [line, ...lines] = head.toString('latin1', 0, end).split('\r\n');
      const [method, target] = line!.split(' ') as [string, string];
      const headers: Record<string, string> = {};
      for (const l of lines)
        headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
      requests.push({ method, target, headers });
      const tunnel = method === 'CONNECT';
      const dest = tunnel ? new URL(`http://${target}`) : new URL(target);
      const up = net.connect(Number(dest.port), dest.hostname, () => {
        if (tunnel) client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        up.write(tunnel ? head.subarray(end + 4) : head);
        client.pipe(up).pipe(client);
      });
      track(up);
    };
    client.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen: [],
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
