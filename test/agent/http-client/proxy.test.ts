import assert from 'node:assert/strict';
import { test } from 'node:test';
import { proxyFor, proxySettings } from '../../../src/agent/components/http-client/proxy.js';

const via = (args: Record<string, unknown>, target: string) =>
  proxyFor(proxySettings(args), new URL(target))?.href;

test('proxy_url alone proxies every request, loopback included (Go http.ProxyURL)', () => {
  assert.equal(via({ proxy_url: 'http://p:3128' }, 'http://127.0.0.1:3100/x'), 'http://p:3128/');
  assert.equal(via({}, 'http://loki:3100/x'), undefined);
});

test('no_proxy: domains, subdomains, IPs, CIDRs and ports as Go httpproxy matches them', () => {
  const cases: [string, string, boolean][] = [
    ['example.com', 'https://example.com/', false],
    ['example.com', 'https://logs.example.com/', false],
    ['example.com', 'https://badexample.com/', true],
    ['.example.com', 'https://example.com/', true],
    ['.example.com', 'https://logs.example.com/', false],
    ['*.example.com', 'https://logs.example.com/', false],
    ['example.com:8443', 'https://example.com:8443/', false],
    ['example.com:8443', 'https://example.com/', true],
    ['10.0.0.0/8', 'http://10.1.2.3:3100/', false],
    ['10.0.0.0/8', 'http://11.1.2.3:3100/', true],
    ['192.168.1.5', 'http://192.168.1.5:3100/', false],
    ['192.168.1.5:80', 'http://192.168.1.5:3100/', true],
    ['*', 'http://anything/', false],
    // With no_proxy set, Go's rules never proxy localhost or loopback addresses.
    ['example.com', 'http://localhost:3100/', false],
    ['example.com', 'http://127.0.0.2:3100/', false],
    ['example.com, .corp', 'http://loki.corp/', false],
  ];
  for (const [noProxy, target, proxied] of cases) {
    const got = via({ proxy_url: 'http://p:3128', no_proxy: noProxy }, target);
    assert.equal(got !== undefined, proxied, `${noProxy} ${target}`);
  }
});

test('proxy_from_environment: HTTP_PROXY/HTTPS_PROXY by scheme (upper case first), NO_PROXY', () => {
  const saved = { ...process.env };
  try {
    for (const k of [
      'HTTP_PROXY',
      'http_proxy',
      'HTTPS_PROXY',
      'https_proxy',
      'NO_PROXY',
      'no_proxy',
    ])
      delete process.env[k];
    process.env.http_proxy = 'plain:3128';
    process.env.HTTPS_PROXY = 'https://secure:3129';
    process.env.https_proxy = 'http://ignored:1';
    process.env.no_proxy = 'internal.example';
    const env = { proxy_from_environment: true };
    assert.equal(via(env, 'http://loki.example/'), 'http://plain:3128/');
    assert.equal(via(env, 'https://loki.example/'), 'https://secure:3129/');
    assert.equal(via(env, 'https://internal.example/'), undefined);
    assert.equal(via(env, 'https://localhost/'), undefined);
  } finally {
    process.env = saved;
  }
});
