import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { text as bodyText } from 'node:stream/consumers';
import { HttpClient } from './client.js';
import { proxySettings } from './proxy.js';
import { tlsOptions } from './tls-options.js';

/** A token is refreshed this long before it expires (Go's oauth2 expiryDelta). */
const EXPIRY_DELTA_MS = 10_000;
const TOKEN_TIMEOUT_MS = 30_000;
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

interface Token {
  header: string;
  /** Epoch ms; undefined when the server gave no expires_in (the token never expires). */
  expiresAt?: number;
}

/**
 * An OAuth 2.0 token as Prometheus's oauth2 config gets one: client
 * credentials (RFC 6749 §4.4, Go's clientcredentials package) or a JWT
 * bearer assertion (RFC 7523). The token is fetched on first use, reused
 * until 10 s before `expires_in`, then fetched again. With client
 * credentials the client authenticates with HTTP Basic first and, if the
 * server refuses that, with the credentials in the form (Go's
 * AuthStyleAutoDetect), then keeps to what worked. Secret and key files are
 * read at each fetch.
 */
export class OAuth2TokenSource {
  private token: Token | undefined;
  private fetching: Promise<Token> | undefined;
  private style: 'header' | 'params' | undefined;
  private readonly client: HttpClient;

  constructor(private readonly config: Record<string, unknown>) {
    this.client = new HttpClient({
      tls: tlsOptions(config.tls_config as Record<string, unknown> | undefined),
      proxy: proxySettings(config),
      enableHttp2: true,
      followRedirects: true,
    });
  }

  /** The Authorization header value, e.g. `Bearer eyJ...`. */
  async authorization(): Promise<string> {
    const t = this.token;
    if (t && (t.expiresAt === undefined || t.expiresAt - EXPIRY_DELTA_MS > Date.now()))
      return t.header;
    this.fetching ??= this.fetch().finally(() => (this.fetching = undefined));
    this.token = await this.fetching;
    return this.token.header;
  }

  close(): void {
    this.client.close();
  }

  private async fetch(): Promise<Token> {
    if (this.config.grant_type === JWT_BEARER) return this.post(jwtBearerForm(this.config), {});
    if (this.style) return this.clientCredentials(this.style);
    try {
      const token = await this.clientCredentials('header');
      this.style = 'header';
      return token;
    } catch (err) {
      if (!(err instanceof TokenError) || err.status === undefined) throw err;
      const token = await this.clientCredentials('params');
      this.style = 'params';
      return token;
    }
  }

  private clientCredentials(style: 'header' | 'params'): Promise<Token> {
    const c = this.config;
    const id = String(c.client_id ?? '');
    const secret = c.client_secret_file
      ? readFileSync(c.client_secret_file as string, 'utf8').trim()
      : String(c.client_secret ?? '');
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    const scopes = (c.scopes as string[] | undefined) ?? [];
    if (scopes.length > 0) form.set('scope', scopes.join(' '));
    const headers: Record<string, string> = {};
    if (style === 'header') {
      const user = `${encodeURIComponent(id)}:${encodeURIComponent(secret)}`;
      headers.Authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    } else {
      form.set('client_id', id);
      if (secret) form.set('client_secret', secret);
    }
    for (const [k, v] of Object.entries((c.endpoint_params as object) ?? {}))
      form.set(k, String(v));
    return this.post(form, headers);
  }

  private async post(form: URLSearchParams, headers: Record<string, string>): Promise<Token> {
    const res = await this.client.request(String(this.config.token_url), {
      method: 'POST',
      headers: {
        ...headers,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: Buffer.from(form.toString()),
      timeoutMs: TOKEN_TIMEOUT_MS,
    });
    const text = await bodyText(res.body);
    if (res.status < 200 || res.status > 299)
      throw new TokenError(
        `oauth2: cannot fetch token: ${res.status}\nResponse: ${text}`,
        res.status,
      );
    const fields = parseTokenResponse(text, String(res.headers['content-type'] ?? ''));
    const access = fields.access_token;
    if (!access) throw new TokenError('oauth2: server response missing access_token');
    const expiresIn = Number(fields.expires_in ?? 0);
    return {
      header: `${tokenType(fields.token_type)} ${access}`,
      expiresAt: expiresIn > 0 ? Date.now() + expiresIn * 1000 : undefined,
    };
  }
}

/**
 * RFC 7523 §2.1, as prometheus/common's JwtGrantTypeConfig asks for a token:
 * an assertion signed with the client's RSA key (iss = `iss` or the client
 * id, sub = the client id, aud = `audience` or the token URL, 10 minutes
 * valid, `scope`, then `claims`), sent without client authentication.
 */
function jwtBearerForm(c: Record<string, unknown>): URLSearchParams {
  const pem = c.client_certificate_key_file
    ? readFileSync(c.client_certificate_key_file as string, 'utf8')
    : String(c.client_certificate_key);
  const alg = String(c.signature_algorithm || 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const scopes = ((c.scopes as string[] | undefined) ?? []).join(' ');
  const claims: Record<string, unknown> = {
    iss: c.iss || c.client_id,
    sub: c.client_id,
    jti: randomUUID(),
    aud: c.audience || c.token_url,
    iat: now,
    exp: now + 600,
    ...(scopes ? { scope: scopes } : {}),
    ...((c.claims as object) ?? {}),
  };
  const header = {
    alg,
    typ: 'JWT',
    ...(c.client_certificate_key_id ? { kid: c.client_certificate_key_id } : {}),
  };
  const signed = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign(`sha${alg.slice(2)}`, Buffer.from(signed), createPrivateKey(pem));
  const form = new URLSearchParams({
    grant_type: JWT_BEARER,
    assertion: `${signed}.${base64url(signature)}`,
  });
  if (scopes) form.set('scope', scopes);
  for (const [k, v] of Object.entries((c.endpoint_params as object) ?? {})) {
    if (form.has(k) && k !== 'grant_type')
      throw new TokenError(`oauth2: cannot overwrite parameter "${k}"`);
    form.set(k, String(v));
  }
  return form;
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

class TokenError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

/** JSON, or the form encoding some servers still answer with (Go accepts both). */
function parseTokenResponse(text: string, contentType: string): Record<string, string | undefined> {
  if (/application\/x-www-form-urlencoded|text\/plain/.test(contentType))
    return Object.fromEntries(new URLSearchParams(text));
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(json).map(([k, v]) => [k, v === null ? undefined : String(v)]),
    );
  } catch {
    throw new TokenError(`oauth2: cannot parse json: ${text.slice(0, 200)}`);
  }
}

/** Go's Token.Type(): the canonical spelling of the usual types, Bearer when empty. */
function tokenType(raw: string | undefined): string {
  const t = (raw ?? '').toLowerCase();
  if (t === '' || t === 'bearer') return 'Bearer';
  if (t === 'mac') return 'MAC';
  if (t === 'basic') return 'Basic';
  return raw!;
}
