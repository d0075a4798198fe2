import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInProcessEndpoint } from '../../../src/agent/components/write/in-process-endpoint.js';

const OWN = 'http://127.0.0.1:3100/loki/api/v1/push';

test('loki.write endpoints that name the logs role of this process', () => {
  const cases: [string, boolean, string][] = [
    [OWN, true, 'the very URL'],
    ['http://localhost:3100/loki/api/v1/push', true, 'localhost'],
    ['http://loki:3100/loki/api/v1/push', true, "the seed's compose service name"],
    ['http://[::1]:3100/loki/api/v1/push', true, 'IPv6 loopback'],
    ['http://127.0.0.1:3100/loki/api/v1/push/', true, 'a trailing slash'],
    ['http://127.0.0.1:3101/loki/api/v1/push', false, 'another port: another Loki'],
    ['http://loki:3101/loki/api/v1/push', false, 'not the seed service port'],
    ['http://loki.example.com:3100/loki/api/v1/push', false, 'a remote host'],
    ['http://10.1.2.3:3100/loki/api/v1/push', false, 'a private address is not this process'],
    ['https://127.0.0.1:3100/loki/api/v1/push', false, 'TLS: not the plain-HTTP logs role'],
    ['http://127.0.0.1:3100/api/prom/push', false, 'another path'],
    ['http://127.0.0.1:3100/loki/api/v1/push?x=1', false, 'a query string'],
    ['not a url', false, 'unparsable'],
  ];
  for (const [url, expected, why] of cases) {
    assert.equal(isInProcessEndpoint(url, OWN), expected, `${url}: ${why}`);
  }
});

test('loki:3100 is the logs role whatever port LOKI_PORT gives it here', () => {
  const own = 'http://127.0.0.1:3200/loki/api/v1/push';
  const cases: [string, boolean][] = [
    ['http://loki:3100/loki/api/v1/push', true],
    ['http://127.0.0.1:3200/loki/api/v1/push', true],
    ['http://127.0.0.1:3100/loki/api/v1/push', false],
  ];
  for (const [url, expected] of cases) assert.equal(isInProcessEndpoint(url, own), expected, url);
});
