import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createGunzip } from 'node:zlib';
import type { HttpClientConfig } from '../config/index.js';

export interface ScrapeBody {
  contentType: string;
  body: string;
  /** Uncompressed size, as scrape_body_size_bytes. */
  bytes: number;
  /** The body was not valid UTF-8 (bad bytes read as U+FFFD). */
  invalidUtf8: boolean;
}

export interface HttpScrapeOptions {
  timeoutMs: number;
  accept: string;
  enableCompression: boolean;
  /** 0 for no limit. */
  bodySizeLimit: number;
  userAgent: string;
  client: HttpClientConfig;
}

/** A failed scrape, with the message Prometheus's Go HTTP client would give. */
export class ScrapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScrapeError';
  }
}

const MAX_REDIRECTS = 10;

/**
 * GETs a target as Prometheus's scraper does: its Accept header, gzip,
 * X-Prometheus-Scrape-Timeout-Seconds, auth and TLS from the scrape config,
 * the whole scrape bounded by the timeout, non-200 answers as errors.
 */
export async function scrapeHttp(url: string, opts: HttpScrapeOptions): Promise<ScrapeBody> {
  const deadline = Date.now() + opts.timeoutMs;
  let current = url;
  for (let hop = 0; ; hop++) {
    const res = await request(current, opts, deadline, url);
    if ('redirect' in res) {
      if (!opts.client.follow_redirects || hop >= MAX_REDIRECTS) {
        throw new ScrapeError(`server returned HTTP status ${res.status}`);
      }
      current = new URL(res.redirect, current).toString();
      continue;
    }
    return res;
  }
}

function authHeader(client: HttpClientConfig): string | undefined {
  const basic = client.basic_auth;
  if (basic) {
    const user = basic.username_file
      ? readFileSync(basic.username_file, 'utf8').trim()
      : (basic.username ?? '');
    const pass = basic.password_file
      ? readFileSync(basic.password_file, 'utf8').trim()
      : (basic.password ?? '');
    return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  const auth = client.authorization;
  if (auth) {
    const cred = auth.credentials_file
      ? readFileSync(auth.credentials_file, 'utf8').trim()
      : (auth.credentials ?? '');
    return `${auth.type ?? 'Bearer'} ${cred}`;
  }
  return undefined;
}

function tlsOptions(client: HttpClientConfig): https.RequestOptions {
  const tls = client.tls_config;
  if (!tls) return {};
  const out: https.RequestOptions = { rejectUnauthorized: !tls.insecure_skip_verify };
  if (tls.ca_file) out.ca = readFileSync(tls.ca_file);
  else if (tls.ca) out.ca = tls.ca;
  if (tls.cert_file) out.cert = readFileSync(tls.cert_file);
  else if (tls.cert) out.cert = tls.cert;
  if (tls.key_file) out.key = readFileSync(tls.key_file);
  else if (tls.key) out.key = tls.key;
  if (tls.server_name) out.servername = tls.server_name;
  return out;
}

function request(
  url: string,
  opts: HttpScrapeOptions,
  deadline: number,
  originalUrl: string,
): Promise<ScrapeBody | { redirect: string; status: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = {
      Accept: opts.accept,
      'Accept-Encoding': opts.enableCompression ? 'gzip' : 'identity',
      'User-Agent': opts.userAgent,
      'X-Prometheus-Scrape-Timeout-Seconds': String(opts.timeoutMs / 1000),
    };
    const auth = authHeader(opts.client);
    if (auth) headers.Authorization = auth;
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(new ScrapeError(message));
    };
    const req = mod.request(
      u,
      { method: 'GET', headers, ...(u.protocol === 'https:' ? tlsOptions(opts.client) : {}) },
      (res) => {
        const status = res.statusCode ?? 0;
        const statusText =
          `${status} ${res.statusMessage ?? http.STATUS_CODES[status] ?? ''}`.trim();
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          settled = true;
          clearTimeout(timer);
          resolve({ redirect: res.headers.location, status: statusText });
          return;
        }
        if (status !== 200) {
          res.resume();
          fail(`server returned HTTP status ${statusText}`);
          return;
        }
        const gzipped = res.headers['content-encoding'] === 'gzip';
        const stream = gzipped ? res.pipe(createGunzip()) : res;
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (opts.bodySizeLimit > 0 && size > opts.bodySizeLimit) {
            fail('body size limit exceeded');
            return;
          }
          chunks.push(chunk);
        });
        stream.on('error', (err: Error) => fail(gzipped ? `gzip: ${err.message}` : err.message));
        stream.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const buf = Buffer.concat(chunks);
          const { text, invalid } = decodeUtf8(buf);
          resolve({
            contentType: String(res.headers['content-type'] ?? ''),
            body: text,
            bytes: buf.length,
            invalidUtf8: invalid,
          });
        });
      },
    );
    const timer = setTimeout(
      () => fail(`Get "${originalUrl}": context deadline exceeded`),
      Math.max(0, deadline - Date.now()),
    );
    req.on('error', (err: NodeJS.ErrnoException) => fail(goNetError(originalUrl, u, err)));
    req.end();
  });
}

function decodeUtf8(buf: Buffer): { text: string; invalid: boolean } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf), invalid: false };
  } catch {
    return { text: buf.toString('utf8'), invalid: true };
  }
}

/** Node's socket errors in the words of Go's net/http client. */
function goNetError(url: string, u: URL, err: NodeJS.ErrnoException): string {
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `Get "${url}": dial tcp ${addr}: connect: connection refused`;
    case 'ENOTFOUND':
      return `Get "${url}": dial tcp: lookup ${host}: no such host`;
    case 'ECONNRESET':
      return `Get "${url}": read tcp ${addr}: read: connection reset by peer`;
    case 'EHOSTUNREACH':
      return `Get "${url}": dial tcp ${addr}: connect: no route to host`;
    default:
      return `Get "${url}": ${err.message}`;
  }
}
