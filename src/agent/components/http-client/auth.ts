import { readFileSync } from 'node:fs';
import { OAuth2TokenSource } from './oauth2.js';

type Args = Record<string, unknown>;

export interface Authorizer {
  /** The Authorization header for the next request; undefined sends none. */
  header(): Promise<string | undefined>;
  close(): void;
}

/**
 * The client's one authentication method (validateHttpClient allows at
 * most one). Secret files are read at each request, as Prometheus's
 * round trippers do, so a rotated credential is picked up without a reload.
 */
export function authorizer(a: Args): Authorizer {
  const file = (path: unknown) => readFileSync(path as string, 'utf8').trim();
  const fixed = (make: () => string | undefined): Authorizer => ({
    header: async () => make(),
    close: () => undefined,
  });
  const basic = a.basic_auth as Args | undefined;
  if (basic) {
    return fixed(() => {
      const password = basic.password_file ? file(basic.password_file) : (basic.password ?? '');
      const user = `${String(basic.username ?? '')}:${String(password)}`;
      return `Basic ${Buffer.from(user).toString('base64')}`;
    });
  }
  const auth = a.authorization as Args | undefined;
  if (auth) {
    return fixed(() => {
      const credentials = auth.credentials_file
        ? file(auth.credentials_file)
        : String(auth.credentials ?? '');
      return `${String(auth.type ?? 'Bearer')} ${credentials}`;
    });
  }
  if (a.bearer_token_file) return fixed(() => `Bearer ${file(a.bearer_token_file)}`);
  if (a.bearer_token) return fixed(() => `Bearer ${String(a.bearer_token)}`);
  if (a.oauth2) {
    const source = new OAuth2TokenSource(a.oauth2 as Args);
    return { header: () => source.authorization(), close: () => source.close() };
  }
  return fixed(() => undefined);
}
