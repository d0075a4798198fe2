import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import snappy from 'snappy';
import type { LogsReceiver } from '../../../src/agent/component.js';
import { lokiWrite } from '../../../src/agent/components/loki-write.js';
import { COMPONENTS } from '../../../src/agent/components/registry.js';
import { checkAlloyConfig } from '../../../src/agent/runtime/index.js';
import {
  forwardProxy,
  httpServer,
  httpsServer,
  makePki,
  type TestPki,
} from '../http-client/servers.js';

const logger = pino({ level: 'silent' });
let pki: TestPki;
const dirs: string[] = [];
before(() => (pki = makePki()));
after(async () => {
  pki.remove();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'obs-loki-write-https-'));
  dirs.push(d);
  return d;
}

test('endpoint over HTTPS with a private CA, through a CONNECT proxy, with an OAuth2 token', async () => {
  const token = await httpServer(() => ({
    status: 200,
    headers: { 'Content-Type': 'application/json' },
    body: '{"access_token":"abc","token_type":"Bearer","expires_in":3600}',
  }));
  const loki = await httpsServer(pki, () => ({ status: 204 }));
  const proxy = await forwardProxy();
  const component = lokiWrite.build(
    { id: 'loki.write.cloud', dataPath: await tempDir(), logger },
    {
      endpoint: [
        {
          url: `https://127.0.0.1:${loki.port}/loki/api/v1/push`,
          tenant_id: 'team-a',
          proxy_url: proxy.url,
          tls_config: { ca_file: pki.caFile, server_name: 'loki.test', min_version: 'TLS12' },
          oauth2: {
            client_id: 'agent',
            client_secret: 'x',
            token_url: `${token.url}/token`,
            grant_type: 'client_credentials',
          },
        },
      ],
    },
  );
  const ac = new AbortController();
  const running = component.run(ac.signal);
  try {
    const receiver = component.exports().receiver as LogsReceiver;
    await receiver.send([{ labels: { job: 'x' }, timestamp: 1n, line: 'over tls' }]);
    assert.equal(loki.seen.length, 1);
    const push = loki.seen[0]!;
    assert.equal(push.path, '/loki/api/v1/push');
    assert.equal(push.headers.authorization, 'Bearer abc');
    assert.equal(push.headers['x-scope-orgid'], 'team-a');
    assert.equal(push.httpVersion, '2.0');
    assert.match((snappy.uncompressSync(push.body) as Buffer).toString('latin1'), /over tls/);
    assert.equal(proxy.requests[0]!.method, 'CONNECT', 'the token URL is fetched directly');
    assert.equal(proxy.requests.length, 1);
  } finally {
    ac.abort();
    await running;
    await Promise.all([token.close(), loki.close(), proxy.close()]);
  }
});

test('endpoint arguments Alloy refuses are configuration errors', async () => {
  const component = lokiWrite.build(
    { id: 'loki.write.bad', dataPath: await tempDir(), logger },
    {
      endpoint: [{ url: 'http://127.0.0.1:1/x', bearer_token: 'a', basic_auth: { username: 'u' } }],
    },
  );
  await assert.rejects(
    component.update({
      endpoint: [{ url: 'http://127.0.0.1:1/x', bearer_token: 'a', basic_auth: { username: 'u' } }],
    }),
    /at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file/,
  );
  assert.equal(component.health().healthy, false);
  // Every documented endpoint argument and block is known to the schema; others are not.
  const documented = `loki.write "all" {
  endpoint {
    url = "https://logs.example/loki/api/v1/push"
    name = "cloud"
    batch_size = "512KiB"
    batch_wait = "2s"
    headers = { "X-A" = "b" }
    http_headers = { "X-B" = ["c"] }
    tenant_id = "t"
    min_backoff_period = "1s"
    max_backoff_period = "1m"
    max_backoff_retries = 3
    retry_on_http_429 = false
    remote_timeout = "5s"
    enable_http2 = false
    follow_redirects = false
    proxy_url = "http://proxy:3128"
    no_proxy = "10.0.0.0/8"
    proxy_connect_header = { "X-C" = ["d"] }
    oauth2 {
      client_id = "id"
      client_secret = "s"
      token_url = "https://auth.example/token"
      scopes = ["a"]
      endpoint_params = { "audience" = "x" }
      proxy_from_environment = true
      tls_config { insecure_skip_verify = true }
    }
    tls_config {
      ca_pem = "x"
      cert_file = "/c"
      key_file = "/k"
      server_name = "logs.example"
      min_version = "TLS13"
    }
    queue_config { capacity = "20MiB" }
  }
}
`;
  assert.doesNotThrow(() => checkAlloyConfig('config.alloy', documented, COMPONENTS));
  assert.throws(
    () =>
      checkAlloyConfig(
        'config.alloy',
        documented.replace('name = "cloud"', 'proxy = "x"'),
        COMPONENTS,
      ),
    /unrecognized attribute name "proxy"/,
  );
});
