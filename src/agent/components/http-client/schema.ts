import type { ArgumentSchema, AttributeSpec } from '../../component.js';

/** Alloy's shared `tls_config` block (docs/sources/shared/reference/components/tls-config-block.md). */
const tlsConfigSchema: ArgumentSchema = {
  attributes: {
    ca_pem: { type: 'string' },
    ca_file: { type: 'string' },
    cert_pem: { type: 'string' },
    cert_file: { type: 'string' },
    key_pem: { type: 'string' },
    key_file: { type: 'string' },
    server_name: { type: 'string' },
    insecure_skip_verify: { type: 'bool', default: false },
    min_version: { type: 'string' },
  },
  blocks: {},
};

/** The proxy arguments every HTTP client block shares (http-client-proxy-config-description.md). */
const proxyAttributes: Record<string, AttributeSpec> = {
  proxy_url: { type: 'string' },
  no_proxy: { type: 'string' },
  proxy_from_environment: { type: 'bool', default: false },
  proxy_connect_header: { type: 'map' },
};

/** The `oauth2` block: client credentials or JWT bearer grant (oauth2-block.md). */
const oauth2Schema: ArgumentSchema = {
  attributes: {
    client_id: { type: 'string', required: true },
    client_secret: { type: 'string' },
    client_secret_file: { type: 'string' },
    token_url: { type: 'string', required: true },
    scopes: { type: 'list' },
    endpoint_params: { type: 'map' },
    grant_type: { type: 'string', default: 'client_credentials' },
    audience: { type: 'string', default: '' },
    claims: { type: 'map', default: {} },
    client_certificate_key: { type: 'string', default: '' },
    client_certificate_key_file: { type: 'string', default: '' },
    client_certificate_key_id: { type: 'string', default: '' },
    iss: { type: 'string', default: '' },
    signature_algorithm: { type: 'string', default: 'RS256' },
    ...proxyAttributes,
  },
  blocks: { tls_config: { schema: tlsConfigSchema } },
};

/**
 * Alloy's `http_client_config` arguments and blocks (http-client-config-block.md):
 * what `loki.write`'s `endpoint` and `discovery.docker` take for talking HTTP.
 */
export const httpClientSchema: ArgumentSchema = {
  attributes: {
    bearer_token: { type: 'string' },
    bearer_token_file: { type: 'string' },
    enable_http2: { type: 'bool', default: true },
    follow_redirects: { type: 'bool', default: true },
    http_headers: { type: 'map' },
    ...proxyAttributes,
  },
  blocks: {
    basic_auth: {
      schema: {
        attributes: {
          username: { type: 'string' },
          password: { type: 'string' },
          password_file: { type: 'string' },
        },
        blocks: {},
      },
    },
    authorization: {
      schema: {
        attributes: {
          type: { type: 'string', default: 'Bearer' },
          credentials: { type: 'string' },
          credentials_file: { type: 'string' },
        },
        blocks: {},
      },
    },
    oauth2: { schema: oauth2Schema },
    tls_config: { schema: tlsConfigSchema },
  },
};

/** `base` with the HTTP client's arguments and blocks added. */
/** The `http_client_config` arguments among a component's own (discovery.docker's style). */
export function httpClientArgs(args: Record<string, unknown>): Record<string, unknown> {
  const names = [
    ...Object.keys(httpClientSchema.attributes),
    ...Object.keys(httpClientSchema.blocks),
  ];
  return Object.fromEntries(names.filter((n) => n in args).map((n) => [n, args[n]]));
}

export function withHttpClient(base: ArgumentSchema): ArgumentSchema {
  return {
    ...base,
    attributes: { ...base.attributes, ...httpClientSchema.attributes },
    blocks: { ...base.blocks, ...httpClientSchema.blocks },
  };
}
