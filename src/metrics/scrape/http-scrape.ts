import http from 'node:http';
import https from 'node:https';
import { createGunzip } from 'node:zlib';
import { authorizationHeader, tlsRequestOptions, type HttpClientConfig } from '../config/index.js';

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
    const auth = authorizationHeader(opts.client);
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
      {
        method: 'GET',
        headers,
        ...(u.protocol === 'https:' ? tlsRequestOptions(opts.client) : {}),
      },
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
