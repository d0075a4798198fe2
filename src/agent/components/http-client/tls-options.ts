import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

const MIN_VERSIONS = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
} as const;

/** Node's TLS options for an Alloy `tls_config` block; Go's default minimum, TLS 1.2, without one. */
export function tlsOptions(t: Record<string, unknown> | undefined): ConnectionOptions {
  const pem = (inline: unknown, file: unknown) =>
    inline ? Buffer.from(inline as string) : file ? readFileSync(file as string) : undefined;
  if (!t) return { minVersion: 'TLSv1.2' };
  return {
    ca: pem(t.ca_pem, t.ca_file),
    cert: pem(t.cert_pem, t.cert_file),
    key: pem(t.key_pem, t.key_file),
    servername: (t.server_name as string | undefined) || undefined,
    rejectUnauthorized: !(t.insecure_skip_verify as boolean | undefined),
    minVersion: MIN_VERSIONS[(t.min_version as keyof typeof MIN_VERSIONS) ?? 'TLS12'],
  };
}
