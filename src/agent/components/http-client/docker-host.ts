import { validateHttpClient } from './validate.js';

type Args = Record<string, unknown>;

/** The http_client_config settings that change a request when set. */
const EFFECTIVE = [
  'basic_auth',
  'authorization',
  'oauth2',
  'bearer_token',
  'bearer_token_file',
  'tls_config',
  'proxy_url',
  'proxy_from_environment',
  'http_headers',
];

/**
 * The HTTP client settings of a Docker component (`discovery.docker`'s own
 * arguments, `loki.source.docker`'s block), checked as Alloy checks them.
 * Alloy (Prometheus's docker SD, Docker's client) applies them only to
 * http:// and https:// hosts: for unix:// and tcp:// they have no effect, as
 * here. For an http(s):// host obs's Docker API client cannot apply them yet,
 * so a setting that would take effect there is refused rather than ignored.
 */
export function checkDockerHttpClient(component: string, host: string, a: Args | undefined): void {
  if (!a) return;
  validateHttpClient(a);
  if (!/^https?:\/\//i.test(host)) return;
  const set = EFFECTIVE.filter((k) => {
    const v = a[k];
    // `http_headers = {}` sets nothing; an empty block still configures (e.g. basic_auth {}).
    const noHeaders = k === 'http_headers' && isObject(v) && Object.keys(v).length === 0;
    return v !== undefined && v !== '' && v !== false && !noHeaders;
  });
  if (set.length > 0)
    throw new Error(
      `${component}: ${set.join(', ')} for the http(s):// Docker host ${host} cannot be applied by obs; ` +
        'reach the daemon over unix:// or tcp://, where Alloy does not apply them either',
    );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
