type Args = Record<string, unknown>;

const TLS_VERSIONS = ['TLS10', 'TLS11', 'TLS12', 'TLS13'];
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const SIGNATURE_ALGORITHMS = ['RS256', 'RS384', 'RS512'];

/**
 * The checks Alloy's HTTPClientConfig.Validate (and the TLS, basic_auth,
 * authorization and proxy configs under it) makes, with its messages.
 * Throws the first problem found.
 */
export function validateHttpClient(a: Args): void {
  const auth = ['basic_auth', 'authorization', 'oauth2', 'bearer_token', 'bearer_token_file'];
  if (auth.filter((k) => a[k] !== undefined && a[k] !== '').length > 1)
    fail(
      'at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured',
    );
  const basic = a.basic_auth as Args | undefined;
  if (basic?.password && basic.password_file)
    fail('at most one of basic_auth password & password_file must be configured');
  const authorization = a.authorization as Args | undefined;
  if (authorization?.credentials && authorization.credentials_file)
    fail('at most one of authorization credentials & credentials_file must be configured');
  if (authorization && String(authorization.type).toLowerCase() === 'basic')
    fail(`authorization type cannot be set to "basic", use "basic_auth" instead`);
  const oauth2 = a.oauth2 as Args | undefined;
  if (oauth2) {
    if (oauth2.client_secret && oauth2.client_secret_file)
      fail('at most one of oauth2 client_secret & client_secret_file must be configured');
    if (oauth2.grant_type === JWT_BEARER) {
      if (!oauth2.client_certificate_key === !oauth2.client_certificate_key_file)
        fail(
          'the jwt-bearer grant needs exactly one of oauth2 client_certificate_key & client_certificate_key_file',
        );
      if (!SIGNATURE_ALGORITHMS.includes(String(oauth2.signature_algorithm ?? 'RS256')))
        fail(
          `invalid oauth2 signature_algorithm "${String(oauth2.signature_algorithm)}" (one of ${SIGNATURE_ALGORITHMS.join(', ')})`,
        );
    } else if (oauth2.grant_type !== 'client_credentials') {
      fail(
        `invalid oauth2 grant_type "${String(oauth2.grant_type)}" (client_credentials or ${JWT_BEARER})`,
      );
    }
    validateProxy(oauth2);
    validateTls(oauth2.tls_config as Args | undefined);
  }
  validateProxy(a);
  validateTls(a.tls_config as Args | undefined);
}

function validateProxy(a: Args): void {
  const url = a.proxy_url as string | undefined;
  const fromEnv = a.proxy_from_environment === true;
  const connect = a.proxy_connect_header as Args | undefined;
  if (connect && Object.keys(connect).length > 0 && !fromEnv && !url)
    fail(
      'if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured',
    );
  if (fromEnv && url)
    fail('if proxy_from_environment is configured, proxy_url must not be configured');
  if (fromEnv && a.no_proxy)
    fail('if proxy_from_environment is configured, no_proxy must not be configured');
  if (!url && a.no_proxy) fail('if no_proxy is configured, proxy_url must also be configured');
  if (url) {
    try {
      new URL(url);
    } catch {
      fail(`invalid proxy_url "${url}"`);
    }
  }
}

function validateTls(t: Args | undefined): void {
  if (!t) return;
  for (const [pem, file] of [
    ['ca_pem', 'ca_file'],
    ['cert_pem', 'cert_file'],
    ['key_pem', 'key_file'],
  ] as const) {
    if (t[pem] && t[file]) fail(`at most one of ${pem} and ${file} must be configured`);
  }
  const cert = Boolean(t.cert_pem || t.cert_file);
  const key = Boolean(t.key_pem || t.key_file);
  if (cert !== key)
    fail(
      'exactly one of key_pem or key_file must be configured when a client certificate is configured',
    );
  const min = t.min_version as string | undefined;
  if (min !== undefined && !TLS_VERSIONS.includes(min))
    fail(`unknown TLS version: ${min} (one of ${TLS_VERSIONS.join(', ')})`);
}

function fail(message: string): never {
  throw new Error(message);
}
