import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { discoveryDocker } from '../../../src/agent/components/discovery-docker.js';
import { lokiSourceDocker } from '../../../src/agent/components/loki-source-docker.js';
import { COMPONENTS } from '../../../src/agent/components/registry.js';
import { checkAlloyConfig } from '../../../src/agent/runtime/index.js';

const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'obs-docker-args-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const options = (id: string) => ({ id, dataPath: dir, logger });

test('Docker HTTP client settings: checked as Alloy does, for every host', () => {
  const sd = (args: Record<string, unknown>) => () =>
    discoveryDocker.build(options('discovery.docker.t'), { refresh_interval: 60_000, ...args });
  const source = (args: Record<string, unknown>) => () =>
    lokiSourceDocker.build(options('loki.source.docker.t'), {
      targets: [],
      forward_to: [],
      refresh_interval: 60_000,
      ...args,
    });
  const auth = { basic_auth: { username: 'u', password: 'p' } };
  assert.doesNotThrow(sd({ host: 'unix:///var/run/docker.sock', ...auth }));
  assert.doesNotThrow(sd({ host: 'tcp://127.0.0.1:2375', bearer_token: 't' }));
  assert.doesNotThrow(sd({ host: 'http://127.0.0.1:2375', http_headers: {} }));
  assert.doesNotThrow(sd({ host: 'http://127.0.0.1:2375', ...auth }));
  assert.throws(
    sd({ host: 'unix:///var/run/docker.sock', bearer_token: 'a', bearer_token_file: '/f' }),
    /at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file/,
  );
  assert.doesNotThrow(
    source({ host: 'unix:///var/run/docker.sock', http_client_config: { bearer_token: 't' } }),
  );
  assert.throws(
    source({
      host: 'https://docker.example:2376',
      http_client_config: { bearer_token: 'a', basic_auth: { username: 'u' } },
    }),
    /at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file/,
  );
  assert.throws(
    source({ host: 'unix:///var/run/docker.sock', refresh_interval: 0 }),
    /refresh_interval must be positive/,
  );
});

test('the documented Docker HTTP client arguments and blocks are known', () => {
  const config = `discovery.docker "d" {
  host                = "unix:///var/run/docker.sock"
  port                = 9100
  refresh_interval    = "30s"
  match_first_network = false
  bearer_token_file   = "/token"
  follow_redirects    = true
  enable_http2        = true
  proxy_url           = "http://proxy:3128"
  no_proxy            = "localhost"
  filter {
    name   = "label"
    values = ["logs=true"]
  }
  tls_config { insecure_skip_verify = true }
}
loki.source.docker "s" {
  host       = "unix:///var/run/docker.sock"
  targets    = discovery.docker.d.targets
  forward_to = []
  http_client_config {
    basic_auth {
      username = "u"
      password = "p"
    }
  }
}
`;
  assert.doesNotThrow(() => checkAlloyConfig('config.alloy', config, COMPONENTS));
});
