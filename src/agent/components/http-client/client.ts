import http from 'node:http';
import http2 from 'node:http2';
import type { Duplex, Readable } from 'node:stream';
import type tls from 'node:tls';
import type { Authorizer } from './auth.js';
import { dial, proxyAuthorization } from './dial.js';
import { proxyFor, type ProxySettings } from './proxy.js';

export interface HttpClientSettings {
  tls: tls.ConnectionOptions;
  proxy: ProxySettings;
  enableHttp2: boolean;
  followRedirects: boolean;
  /** The Authorization header for each request (read per request: files rotate, tokens expire). */
  auth?: Authorizer;
}

export interface HttpRequest {
  method: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** For the whole exchange, body included (Go's http.Client Timeout). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/** Go's http.Client gives up after this many redirects. */
const MAX_REDIRECTS = 10;
/** An HTTP/2 connection idle this long is closed (Go's IdleConnTimeout in Prometheus's client). */
const H2_IDLE_MS = 5 * 60_000;

interface DialOptions extends http.RequestOptions {
  obsTarget: URL;
  obsProxy?: URL;
}

/**
 * Keep-alive HTTP/1.1 connections made by `dial`, one pool per target
 * (and proxy), so https and CONNECT tunnels are pooled like plain ones.
 */
class DialAgent extends http.Agent {
  constructor(private readonly settings: HttpClientSettings) {
    super({ keepAlive: true });
  }

  override getName(options: http.ClientRequestArgs): string {
    const o = options as DialOptions;
    return `${o.obsProxy?.href ?? ''}|${o.obsTarget.origin}`;
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): undefined {
    const o = options as DialOptions;
    dial(
      o.obsTarget,
      o.obsProxy,
      { tls: this.settings.tls, connectHeaders: this.settings.proxy.connectHeaders },
      ['http/1.1'],
    ).then(
      (socket) => callback?.(null, socket),
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/**
 * The HTTP client behind Alloy's `http_client_config` blocks: TLS settings,
 * a proxy (with CONNECT for https), HTTP/2 when the server offers it over
 * TLS and `enable_http2` is on, redirects followed as Go's client does
 * (at most 10; 301/302/303 turn a POST into a GET), and per-request
 * authorization.
 */
export class HttpClient {
  private readonly agent: DialAgent;
  /** Per origin: an HTTP/2 session, or 'http/1.1' when the server did not offer h2. */
  private readonly h2 = new Map<string, Promise<http2.ClientHttp2Session | 'http/1.1'>>();
  private closed = false;

  constructor(private readonly settings: HttpClientSettings) {
    this.agent = new DialAgent(settings);
  }

  async request(url: string | URL, req: HttpRequest): Promise<HttpResponse> {
    const signals = [req.signal, req.timeoutMs ? AbortSignal.timeout(req.timeoutMs) : undefined];
    const list = signals.filter((s): s is AbortSignal => s !== undefined);
    const signal = list.length > 0 ? AbortSignal.any(list) : undefined;
    let target = new URL(url);
    let { method, body } = req;
    for (let hops = 0; ; hops++) {
      const res = await this.once(target, method, req.headers ?? {}, body, signal);
      const location = res.headers.location;
      if (!this.settings.followRedirects || !isRedirect(res.status) || !location) return res;
      res.body.resume();
      if (hops >= MAX_REDIRECTS) throw new Error(`stopped after ${MAX_REDIRECTS} redirects`);
      target = new URL(String(location), target);
      if (res.status <= 303 && method !== 'HEAD') {
        method = 'GET';
        body = undefined;
      }
    }
  }

  close(): void {
    this.closed = true;
    this.agent.destroy();
    for (const s of this.h2.values())
      void s.then((x) => x !== 'http/1.1' && x.close()).catch(() => undefined);
    this.h2.clear();
    this.settings.auth?.close();
  }

  private async once(
    target: URL,
    method: string,
    extra: Record<string, string>,
    body: Buffer | undefined,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { ...extra };
    const auth = await this.settings.auth?.header();
    if (auth) headers.Authorization = auth;
    if (body) headers['Content-Length'] = String(body.length);
    const proxy = proxyFor(this.settings.proxy, target);
    if (target.protocol === 'https:' && this.settings.enableHttp2) {
      const session = await this.session(target, proxy, signal);
      if (session !== 'http/1.1') return h2Request(session, target, method, headers, body, signal);
    }
    return this.h1Request(target, proxy, method, headers, body, signal);
  }

  private h1Request(
    target: URL,
    proxy: URL | undefined,
    method: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    // Plain HTTP through a proxy: the request line names the absolute URL.
    const absolute = proxy !== undefined && target.protocol === 'http:';
    const auth = absolute ? proxyAuthorization(proxy) : undefined;
    const options: DialOptions = {
      method,
      host: target.hostname,
      port: target.port,
      path: absolute ? target.href : target.pathname + target.search,
      headers: { Host: target.host, ...headers, ...(auth ? { 'Proxy-Authorization': auth } : {}) },
      agent: this.agent,
      signal,
      obsTarget: target,
      obsProxy: proxy,
    };
    return new Promise((resolve, reject) => {
      const r = http.request(options, (res) =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
      );
      r.on('error', reject);
      r.end(body);
    });
  }

  private session(
    target: URL,
    proxy: URL | undefined,
    signal: AbortSignal | undefined,
  ): Promise<http2.ClientHttp2Session | 'http/1.1'> {
    const key = `${proxy?.href ?? ''}|${target.origin}`;
    let known = this.h2.get(key);
    if (known) return known;
    const settings = {
      tls: this.settings.tls,
      connectHeaders: this.settings.proxy.connectHeaders,
      signal,
    };
    known = dial(target, proxy, settings, ['h2', 'http/1.1']).then((socket) => {
      if ((socket as tls.TLSSocket).alpnProtocol !== 'h2') {
        // The server speaks HTTP/1.1 only: remember it, and pool HTTP/1.1 connections instead.
        socket.destroy();
        return 'http/1.1' as const;
      }
      const session = http2.connect(target.origin, { createConnection: () => socket });
      const forget = () => {
        if (this.h2.get(key) === known) this.h2.delete(key);
      };
      session.on('close', forget);
      session.on('goaway', forget);
      session.on('error', forget);
      session.setTimeout(H2_IDLE_MS, () => session.close());
      if (this.closed) session.close();
      return session;
    });
    known.catch(() => this.h2.delete(key));
    this.h2.set(key, known);
    return known;
  }
}

function h2Request(
  session: http2.ClientHttp2Session,
  target: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  signal: AbortSignal | undefined,
): Promise<HttpResponse> {
  const stream = session.request(
    { ...headers, ':method': method, ':path': target.pathname + target.search },
    { signal },
  );
  return new Promise((resolve, reject) => {
    stream.once('response', (h) => {
      stream.removeListener('error', reject);
      const { ':status': status, ...rest } = h;
      resolve({ status: Number(status), headers: rest, body: stream });
    });
    stream.once('error', reject);
    stream.end(body);
  });
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}
