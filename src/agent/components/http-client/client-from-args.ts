import { authorizer } from './auth.js';
import { HttpClient } from './client.js';
import { proxySettings } from './proxy.js';
import { tlsOptions } from './tls-options.js';
import { validateHttpClient } from './validate.js';

/**
 * An HttpClient for a block's `http_client_config` arguments (validated
 * first, with Alloy's messages). `close` ends its connections and its
 * OAuth2 token client.
 */
export function httpClientFromArgs(a: Record<string, unknown>): HttpClient {
  validateHttpClient(a);
  return new HttpClient({
    tls: tlsOptions(a.tls_config as Record<string, unknown> | undefined),
    proxy: proxySettings(a),
    enableHttp2: (a.enable_http2 as boolean | undefined) ?? true,
    followRedirects: (a.follow_redirects as boolean | undefined) ?? true,
    auth: authorizer(a),
  });
}

/** `http_headers`: a map of value lists, each sent comma-joined. */
export function httpHeaders(a: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries((a.http_headers as Record<string, unknown>) ?? {})) {
    out[name] = (Array.isArray(values) ? values : [values]).map(String).join(', ');
  }
  return out;
}
