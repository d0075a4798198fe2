import net from 'node:net';
import tls from 'node:tls';

export interface DialSettings {
  tls: tls.ConnectionOptions;
  connectHeaders: Record<string, string>;
  /** Abandons connecting (the request's timeout or cancellation). */
  signal?: AbortSignal;
}

const defaultPort = (u: URL) => Number(u.port || (u.protocol === 'https:' ? 443 : 80));

/**
 * A connection for requests to `target`: straight to it, or through
 * `proxy` — as is for plain HTTP (the request then names the absolute
 * URL), tunnelled with CONNECT for HTTPS — and TLS for https targets,
 * offering `alpn` (h2 only when HTTP/2 is enabled).
 */
export async function dial(
  target: URL,
  proxy: URL | undefined,
  s: DialSettings,
  alpn: string[],
): Promise<net.Socket> {
  let socket: net.Socket;
  if (proxy) {
    socket = await open(proxy, s);
    if (proxy.protocol === 'https:') socket = await startTls(socket, proxy, s.tls, ['http/1.1']);
    if (target.protocol !== 'https:') return socket;
    await tunnel(socket, target, proxy, s.connectHeaders);
  } else {
    socket = await open(target, s);
  }
  if (target.protocol !== 'https:') return socket;
  return startTls(socket, target, s.tls, alpn);
}

/** `Proxy-Authorization` from the proxy URL's user info, as Go sends it. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username) return undefined;
  const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(user).toString('base64')}`;
}

function open(u: URL, s: DialSettings): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port: defaultPort(u) });
    const onAbort = () => socket.destroy(new Error('dial cancelled'));
    s.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      s.signal?.removeEventListener('abort', onAbort);
      resolve(socket);
    });
    socket.once('error', (err) => {
      s.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}

function startTls(
  socket: net.Socket,
  u: URL,
  options: tls.ConnectionOptions,
  alpn: string[],
): Promise<tls.TLSSocket> {
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const secure = tls.connect({
      ...options,
      socket,
      host,
      // SNI may not carry an IP address; the certificate is still checked against it.
      servername: options.servername ?? (net.isIP(host) ? undefined : host),
      ALPNProtocols: alpn,
    });
    secure.once('secureConnect', () => {
      secure.removeListener('error', reject);
      resolve(secure);
    });
    secure.once('error', reject);
  });
}

/** HTTP CONNECT through the proxy; resolves once it answers 2xx, bytes after the answer kept. */
function tunnel(
  socket: net.Socket,
  target: URL,
  proxy: URL,
  connectHeaders: Record<string, string>,
): Promise<void> {
  const authority = `${target.hostname}:${defaultPort(target)}`;
  const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
  const auth = proxyAuthorization(proxy);
  if (auth) lines.push(`Proxy-Authorization: ${auth}`);
  for (const [k, v] of Object.entries(connectHeaders)) lines.push(`${k}: ${v}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > 16 * 1024) done(new Error('proxy: CONNECT answer too long'));
        return;
      }
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.toString('latin1', 0, end));
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      if (status && status[1]!.startsWith('2')) done();
      else {
        const line = head.toString('latin1', 0, head.indexOf('\r\n'));
        done(new Error(`proxyconnect tcp: ${proxy.host} refused CONNECT ${authority}: ${line}`));
      }
    };
    const onError = (err: Error) => done(err);
    const onClose = () =>
      done(new Error(`proxy ${proxy.host} closed the connection during CONNECT`));
    const done = (err?: Error) => {
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        socket.pause();
        resolve();
      }
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}
