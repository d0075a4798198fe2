import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { text as bodyText } from 'node:stream/consumers';
import {
  httpClientFromArgs,
  type HttpClient,
} from '../../../src/agent/components/http-client/index.js';
import {
  forwardProxy,
  httpServer,
  httpsServer,
  makePki,
  type TestPki,
  type TestServer,
} from './servers.js';

let pki: TestPki;
before(() => (pki = makePki()));
after(() => pki.remove());

const ok = () => ({ status: 204 });

async function get(client: HttpClient, url: string, body?: string) {
  const res = await client.request(url, {
    method: body === undefined ? 'GET' : 'POST',
    body: body === undefined ? undefined : Buffer.from(body),
    timeoutMs: 5_000,
  });
  return { status: res.status, text: await bodyText(res.body) };
}

async function using<T>(servers: TestServer[], clients: HttpClient[], fn: () => Promise<T>) {
  try {
    return await fn();
  } finally {
    for (const c of clients) c.close();
    for (const s of servers) await s.close();
  }
}

test('tls_config: ca_file, server_name, insecure_skip_verify, min_version, client certificate', async () => {
  const server = await httpsServer(pki, ok);
  const mtls = await httpsServer(pki, ok, {
    ca: pki.ca,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const tls12 = await httpsServer(pki, ok, { maxVersion: 'TLSv1.2' });
  const make = (tls_config?: Record<string, unknown>) => httpClientFromArgs({ tls_config });
  const clients = {
    trusted: make({ ca_file: pki.caFile, server_name: 'loki.test' }),
    trustedPem: make({ ca_pem: pki.ca, server_name: 'loki.test' }),
    wrongName: make({ ca_file: pki.caFile }),
    untrusted: make(),
    insecure: make({ insecure_skip_verify: true }),
    client: make({
      ca_file: pki.caFile,
      server_name: 'loki.test',
      cert_file: pki.clientCertFile,
      key_file: pki.clientKeyFile,
    }),
    noClientCert: make({ ca_file: pki.caFile, server_name: 'loki.test' }),
    tls13: make({ ca_file: pki.caFile, server_name: 'loki.test', min_version: 'TLS13' }),
    tls12: make({ ca_file: pki.caFile, server_name: 'loki.test', min_version: 'TLS12' }),
  };
  await using([server, mtls, tls12], Object.values(clients), async () => {
    assert.equal((await get(clients.trusted, `${server.url}/x`)).status, 204);
    assert.equal((await get(clients.trustedPem, `${server.url}/x`)).status, 204);
    await assert.rejects(
      get(clients.wrongName, `${server.url}/x`),
      /IP: 127.0.0.1 is not in the cert's list/,
    );
    await assert.rejects(
      get(clients.untrusted, `${server.url}/x`),
      /unable to verify the first certificate/,
    );
    assert.equal((await get(clients.insecure, `${server.url}/x`)).status, 204);
    assert.equal((await get(clients.client, `${mtls.url}/x`)).status, 204);
    await assert.rejects(get(clients.noClientCert, `${mtls.url}/x`));
    await assert.rejects(get(clients.tls13, `${tls12.url}/x`), /protocol version|version/i);
    assert.equal((await get(clients.tls12, `${tls12.url}/x`)).status, 204);
  });
});

test('enable_http2: HTTP/2 over TLS when on (the default), HTTP/1.1 when off; connections are reused', async () => {
  const server = await httpsServer(pki, ok);
  const tls_config = { ca_file: pki.caFile, server_name: 'loki.test' };
  const h2 = httpClientFromArgs({ tls_config });
  const h1 = httpClientFromArgs({ tls_config, enable_http2: false });
  await using([server], [h1, h2], async () => {
    for (let i = 0; i < 3; i++) await get(h2, `${server.url}/a`, 'x');
    for (let i = 0; i < 3; i++) await get(h1, `${server.url}/b`, 'x');
    assert.deepEqual(
      server.seen.map((s) => `${s.path} ${s.httpVersion} ${s.body}`),
      ['/a 2.0 x', '/a 2.0 x', '/a 2.0 x', '/b 1.1 x', '/b 1.1 x', '/b 1.1 x'],
    );
    assert.equal(server.connections!(), 2);
  });
});

test('authorization: bearer_token(_file), basic_auth (password_file), authorization block', async () => {
  const server = await httpServer(ok);
  const secret = join(pki.dir, 'secret');
  writeFileSync(secret, 'from-file\n');
  const cases: [Record<string, unknown>, string][] = [
    [{ bearer_token: 'tok' }, 'Bearer tok'],
    [{ bearer_token_file: secret }, 'Bearer from-file'],
    [{ basic_auth: { username: 'u', password: 'p' } }, `Basic ${btoa('u:p')}`],
    [{ basic_auth: { username: 'u', password_file: secret } }, `Basic ${btoa('u:from-file')}`],
    [{ authorization: { type: 'Token', credentials: 'c' } }, 'Token c'],
    [{ authorization: { type: 'Bearer', credentials_file: secret } }, 'Bearer from-file'],
  ];
  const clients = cases.map(([args]) => httpClientFromArgs(args));
  await using([server], clients, async () => {
    for (const c of clients) await get(c, `${server.url}/`);
    assert.deepEqual(
      server.seen.map((s) => s.headers.authorization),
      cases.map(([, want]) => want),
    );
    // A rotated secret file is read at the next request.
    writeFileSync(secret, 'rotated\n');
    await get(clients[1]!, `${server.url}/`);
    assert.equal(server.seen.at(-1)!.headers.authorization, 'Bearer rotated');
  });
});

test('oauth2 client credentials over HTTPS: scopes, endpoint_params, cached token, refreshed before expiry', async () => {
  let issued = 0;
  const token = await httpsServer(pki, (req) => {
    const form = new URLSearchParams(req.body.toString());
    const basic = `Basic ${btoa('agent:s3cret')}`;
    if (req.headers.authorization !== basic)
      return { status: 401, body: '{"error":"invalid_client"}' };
    if (form.get('grant_type') !== 'client_credentials') return { status: 400 };
    issued++;
    return {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      // 11 s: usable for 1 s before Go's 10 s expiry margin asks for a new one.
      body: JSON.stringify({ access_token: `t${issued}`, token_type: 'bearer', expires_in: 11 }),
    };
  });
  const loki = await httpServer(ok);
  const client = httpClientFromArgs({
    oauth2: {
      client_id: 'agent',
      client_secret: 's3cret',
      token_url: `${token.url}/oauth2/token`,
      scopes: ['logs:write', 'openid'],
      endpoint_params: { audience: 'loki' },
      grant_type: 'client_credentials',
      tls_config: { ca_file: pki.caFile, server_name: 'loki.test' },
    },
  });
  await using([token, loki], [client], async () => {
    await Promise.all([get(client, `${loki.url}/1`), get(client, `${loki.url}/2`)]);
    await get(client, `${loki.url}/3`);
    await new Promise((r) => setTimeout(r, 1_100));
    await get(client, `${loki.url}/4`);
    assert.deepEqual(
      loki.seen.map((s) => s.headers.authorization),
      ['Bearer t1', 'Bearer t1', 'Bearer t1', 'Bearer t2'],
    );
    const form = new URLSearchParams(token.seen[0]!.body.toString());
    assert.equal(form.get('scope'), 'logs:write openid');
    assert.equal(form.get('audience'), 'loki');
    assert.equal(token.seen[0]!.headers['content-type'], 'application/x-www-form-urlencoded');
  });
});

test('oauth2: a server refusing HTTP Basic client authentication gets the credentials in the form', async () => {
  const token = await httpServer((req) => {
    const form = new URLSearchParams(req.body.toString());
    if (req.headers.authorization) return { status: 401 };
    if (form.get('client_id') !== 'agent' || form.get('client_secret') !== 'from-file')
      return { status: 401 };
    return {
      status: 200,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'access_token=formtok&token_type=bearer',
    };
  });
  const loki = await httpServer(ok);
  const secret = join(pki.dir, 'client-secret');
  writeFileSync(secret, 'from-file\n');
  const client = httpClientFromArgs({
    oauth2: {
      client_id: 'agent',
      client_secret_file: secret,
      token_url: token.url,
      grant_type: 'client_credentials',
    },
  });
  await using([token, loki], [client], async () => {
    await get(client, `${loki.url}/`);
    await get(client, `${loki.url}/`);
    assert.deepEqual(
      loki.seen.map((s) => s.headers.authorization),
      ['Bearer formtok', 'Bearer formtok'],
    );
    assert.equal(token.seen.length, 2, 'header style tried once, then the form');
  });
});

test('proxy_url: CONNECT tunnel for https with proxy_connect_header and user info, absolute URI for http', async () => {
  const proxy = await forwardProxy();
  const secure = await httpsServer(pki, ok);
  const plain = await httpServer(ok);
  const proxyUrl = `http://user:pa%20ss@127.0.0.1:${proxy.port}`;
  const client = httpClientFromArgs({
    proxy_url: proxyUrl,
    proxy_connect_header: { 'X-Proxy-Team': ['obs', 'agent'] },
    tls_config: { ca_file: pki.caFile, server_name: 'loki.test' },
  });
  await using([proxy, secure, plain], [client], async () => {
    assert.equal((await get(client, `${secure.url}/push`, 'a')).status, 204);
    assert.equal((await get(client, `${plain.url}/push`, 'b')).status, 204);
    const [connect, absolute] = proxy.requests;
    assert.equal(connect!.method, 'CONNECT');
    assert.equal(connect!.target, `127.0.0.1:${secure.port}`);
    assert.equal(connect!.headers['x-proxy-team'], 'obs, agent');
    assert.equal(connect!.headers['proxy-authorization'], `Basic ${btoa('user:pa ss')}`);
    assert.equal(absolute!.method, 'POST');
    assert.equal(absolute!.target, `${plain.url}/push`);
    assert.equal(absolute!.headers['proxy-authorization'], `Basic ${btoa('user:pa ss')}`);
    assert.equal(
      absolute!.headers['x-proxy-team'],
      undefined,
      'connect headers are for CONNECT only',
    );
    assert.equal(secure.seen[0]!.httpVersion, '2.0', 'HTTP/2 through the tunnel');
  });
});

test('follow_redirects: 307/308 keep method and body, 303 turns into GET; off returns the redirect', async () => {
  const server = await httpServer((req) => {
    if (req.path === '/old') return { status: 307, headers: { Location: '/new' } };
    if (req.path === '/see') return { status: 303, headers: { Location: '/new' } };
    if (req.path === '/loop') return { status: 302, headers: { Location: '/loop' } };
    return { status: 200, body: `${req.method} ${req.body}` };
  });
  const follow = httpClientFromArgs({});
  const stay = httpClientFromArgs({ follow_redirects: false });
  await using([server], [follow, stay], async () => {
    assert.deepEqual(await get(follow, `${server.url}/old`, 'payload'), {
      status: 200,
      text: 'POST payload',
    });
    assert.deepEqual(await get(follow, `${server.url}/see`, 'payload'), {
      status: 200,
      text: 'GET ',
    });
    await assert.rejects(get(follow, `${server.url}/loop`), /stopped after 10 redirects/);
    assert.equal((await get(stay, `${server.url}/old`, 'payload')).status, 307);
  });
});

test('invalid combinations are refused with Alloy’s messages', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [
      { bearer_token: 'a', bearer_token_file: '/f' },
      /at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured/,
    ],
    [{ basic_auth: { password: 'a', password_file: '/f' } }, /password & password_file/],
    [{ no_proxy: 'example.com' }, /if no_proxy is configured, proxy_url must also be configured/],
    [
      { proxy_from_environment: true, proxy_url: 'http://p:3128' },
      /if proxy_from_environment is configured, proxy_url must not be configured/,
    ],
    [
      { proxy_connect_header: { A: ['b'] } },
      /proxy_url or proxy_from_environment must also be configured/,
    ],
    [{ tls_config: { ca_pem: 'x', ca_file: '/f' } }, /at most one of ca_pem and ca_file/],
    [{ tls_config: { cert_file: '/f' } }, /key_pem or key_file/],
    [{ tls_config: { min_version: 'TLS14' } }, /unknown TLS version: TLS14/],
    [
      { oauth2: { client_id: 'a', token_url: 'http://t', grant_type: 'password' } },
      /invalid oauth2 grant_type "password"/,
    ],
    [
      {
        oauth2: {
          client_id: 'a',
          token_url: 'http://t',
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        },
      },
      /exactly one of oauth2 client_certificate_key & client_certificate_key_file/,
    ],
  ];
  for (const [args, message] of cases) assert.throws(() => httpClientFromArgs(args), message);
});

test('oauth2 JWT bearer grant (RFC 7523): a signed assertion with the documented claims', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(pki.dir, 'jwt.key');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  let assertion: { header: Record<string, unknown>; claims: Record<string, unknown> } | undefined;
  let form: URLSearchParams | undefined;
  const token = await httpServer((req) => {
    form = new URLSearchParams(req.body.toString());
    const [h, c, sig] = form.get('assertion')!.split('.') as [string, string, string];
    const valid = verify(
      'sha384',
      Buffer.from(`${h}.${c}`),
      publicKey,
      Buffer.from(sig, 'base64url'),
    );
    if (!valid || req.headers.authorization) return { status: 401 };
    assertion = {
      header: JSON.parse(Buffer.from(h, 'base64url').toString()),
      claims: JSON.parse(Buffer.from(c, 'base64url').toString()),
    };
    return {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: '{"access_token":"jwt-granted","token_type":"bearer","expires_in":3600}',
    };
  });
  const loki = await httpServer(ok);
  const client = httpClientFromArgs({
    oauth2: {
      client_id: 'agent',
      token_url: `${token.url}/token`,
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      client_certificate_key_file: keyFile,
      client_certificate_key_id: 'key-1',
      signature_algorithm: 'RS384',
      scopes: ['logs:write'],
      claims: { tenant: 'team-a' },
      endpoint_params: { resource: 'loki' },
    },
  });
  await using([token, loki], [client], async () => {
    await get(client, `${loki.url}/`);
    assert.equal(loki.seen[0]!.headers.authorization, 'Bearer jwt-granted');
    assert.equal(form!.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    assert.equal(form!.get('scope'), 'logs:write');
    assert.equal(form!.get('resource'), 'loki');
    assert.deepEqual(assertion!.header, { alg: 'RS384', typ: 'JWT', kid: 'key-1' });
    const c = assertion!.claims;
    assert.equal(c.iss, 'agent');
    assert.equal(c.sub, 'agent');
    assert.equal(c.aud, `${token.url}/token`);
    assert.equal(c.scope, 'logs:write');
    assert.equal(c.tenant, 'team-a');
    assert.equal((c.exp as number) - (c.iat as number), 600);
    assert.match(String(c.jti), /^[0-9a-f-]{36}$/);
  });
});
