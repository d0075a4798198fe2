import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import type { HttpClientConfig } from './types.js';

/**
 * The Authorization header an HTTP client config asks for; secret files are
 * read on every request, as Prometheus does, so rotated credentials apply.
 */
export function authorizationHeader(client: HttpClientConfig): string | undefined {
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

const TLS_VERSIONS: Record<string, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

/** node:https options for the config's tls_config. */
export function tlsRequestOptions(client: HttpClientConfig): RequestOptions {
  const tls = client.tls_config;
  if (!tls) return {};
  const out: RequestOptions = { rejectUnauthorized: !tls.insecure_skip_verify };
  const ca = tls.ca_file ? readFileSync(tls.ca_file) : tls.ca;
  const cert = tls.cert_file ? readFileSync(tls.cert_file) : tls.cert;
  const key = tls.key_file ? readFileSync(tls.key_file) : tls.key;
  if (ca) out.ca = ca;
  if (cert) out.cert = cert;
  if (key) out.key = key;
  if (tls.server_name) out.servername = tls.server_name;
  if (tls.min_version) out.minVersion = TLS_VERSIONS[tls.min_version];
  if (tls.max_version) out.maxVersion = TLS_VERSIONS[tls.max_version];
  return out;
}
