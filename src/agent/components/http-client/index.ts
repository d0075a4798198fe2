import { authorizer } from './auth.js';
import { HttpClient } from './client.js';
import { proxySettings } from './proxy.js';
import { tlsOptions } from './tls-options.js';
import { validateHttpClient } from './validate.js';

export { HttpClient } from './client.js';
export { httpClientSchema, withHttpClient } from './schema.js';
export { validateHttpClient } from './validate.js';
export { checkDockerHttpClient } from './docker-host.js';

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
