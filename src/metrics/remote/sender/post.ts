import http from 'node:http';
import https from 'node:https';
import { tlsRequestOptions, type HttpClientConfig } from '../../config/index.js';

export interface PostResult {
  status: number;
  statusText: string;
  body: string;
  retryAfterMs?: number;
}

const agents = {
  http: new http.Agent({ keepAlive: true }),
  https: new https.Agent({ keepAlive: true }),
};

/** POSTs a body, resolving with the answer; rejects on network errors and the timeout. */
export function post(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
  timeoutMs: number,
  client: HttpClientConfig,
  signal?: AbortSignal,
): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const isHttps = u.protocol === 'https:';
    const req = (isHttps ? https : http).request(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(body.length) },
        agent: client.tls_config ? undefined : isHttps ? agents.https : agents.http,
        ...(isHttps ? tlsRequestOptions(client) : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (chunks.length < 64) chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          const retryAfter = Number(res.headers['retry-after']);
          resolve({
            status,
            statusText: `${status} ${res.statusMessage ?? http.STATUS_CODES[status] ?? ''}`.trim(),
            body: Buffer.concat(chunks).toString('utf8').slice(0, 512),
            ...(Number.isFinite(retryAfter) && retryAfter > 0
              ? { retryAfterMs: retryAfter * 1000 }
              : {}),
          });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`Post "${url}": context deadline exceeded`));
    }, timeoutMs);
    signal?.addEventListener('abort', () =>
      req.destroy(new Error(`Post "${url}": context canceled`)),
    );
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}
