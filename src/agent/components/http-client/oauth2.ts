import { readFileSync } from 'node:fs';
import { HttpClient, readBody } from './client.js';
import { proxySettings } from './proxy.js';
import { tlsOptions } from './tls-options.js';

/** A token is refreshed this long before it expires (Go's oauth2 expiryDelta). */
const EXPIRY_DELTA_MS = 10_000;
const TOKEN_TIMEOUT_MS = 30_000;

interface Token {
  header: string;
  /** Epoch ms; undefined when the server gave no expires_in (the token never expires). */
  expiresAt?: number;
}

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) as Go's clientcredentials
 * package does it for Prometheus's oauth2 config: the token is fetched on
 * first use, reused until 10 s before `expires_in`, then fetched again. The
 * client authenticates with HTTP Basic first and, if the server refuses
 * that, with the credentials in the form (Go's AuthStyleAutoDetect), then
 * keeps to what worked. `client_secret_file` is read at each fetch.
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
    if (this.style) return this.request(this.style);
    try {
      const token = await this.request('header');
      this.style = 'header';
      return token;
    } catch (err) {
      if (!(err instanceof TokenError) || err.status === undefined) throw err;
      const token = await this.request('params');
      this.style = 'params';
      return token;
    }
  }

  private async request(style: 'header' | 'params'): Promise<Token> {
    const c = this.config;
    const id = String(c.client_id ?? '');
    const secret = c.client_secret_file
      ? readFileSync(c.client_secret_file as string, 'utf8').trim()
      : String(c.client_secret ?? '');
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    const scopes = (c.scopes as string[] | undefined) ?? [];
    if (scopes.length > 0) form.set('scope', scopes.join(' '));
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    if (style === 'header') {
      const user = `${encodeURIComponent(id)}:${encodeURIComponent(secret)}`;
      headers.Authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    } else {
      form.set('client_id', id);
      if (secret) form.set('client_secret', secret);
    }
    for (const [k, v] of Object.entries((c.endpoint_params as object) ?? {}))
      form.set(k, String(v));
    const res = await this.client.request(String(c.token_url), {
      method: 'POST',
      headers,
      body: Buffer.from(form.toString()),
      timeoutMs: TOKEN_TIMEOUT_MS,
    });
    const text = (await readBody(res.body)).toString('utf8');
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
