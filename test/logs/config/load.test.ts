import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../../src/common/config-error.js';
import {
  expandEnv,
  loadLokiConfig,
  parseByteSize,
  parseLokiConfig,
} from '../../../src/logs/config/index.js';
import { sharedDir } from '../../support/repo.js';

describe('loadLokiConfig', () => {
  it('loads the conformance config (recorded with real Loki 3.0) with env expansion', async () => {
    const file = path.join(sharedDir(), 'conformance', 'logql', 'loki-config.yaml');
    const cfg = await loadLokiConfig(file, {
      expandEnv: true,
      env: { LOKI_DATA: '/tmp/x', LOKI_HTTP_PORT: '' },
    });
    assert.equal(cfg.server.httpListenPort, 3100);
    assert.equal(cfg.server.httpListenAddress, '127.0.0.1');
    assert.equal(cfg.pathPrefix, '/tmp/x');
    assert.equal(cfg.authEnabled, false);
    assert.equal(cfg.limits.retentionPeriodMs, 720 * 3600e3);
    assert.equal(cfg.limits.maxEntriesLimitPerQuery, 100000);
    assert.equal(cfg.limits.allowStructuredMetadata, false);
    assert.deepEqual(cfg.limits.discoverServiceName, []);
    assert.equal(cfg.limits.ingestionRateMb, 1024);
    assert.equal(cfg.compactor.compactionIntervalMs, 600e3);
    assert.equal(cfg.compactor.retentionDeleteDelayMs, 7200e3);
  });

  it('applies the defaults the seed and Loki 3.0 give', () => {
    const cfg = parseLokiConfig('x.yml', 'auth_enabled: false\n');
    assert.equal(cfg.limits.retentionPeriodMs, 720 * 3600e3);
    assert.equal(cfg.limits.maxLabelNamesPerSeries, 15);
    assert.equal(cfg.limits.rejectOldSamples, false);
    assert.equal(cfg.limits.maxLineSize, 256_000);
    assert.equal(cfg.limits.maxEntriesLimitPerQuery, 5000);
    assert.equal(cfg.limits.maxQuerySeries, 500);
    assert.equal(cfg.limits.queryTimeoutMs, 60_000);
    assert.equal(cfg.limits.ingestionRateMb, 4);
    assert.equal(cfg.limits.ingestionBurstSizeMb, 6);
    assert.equal(cfg.compactor.compactionIntervalMs, 600_000);
    assert.equal(cfg.compactor.retentionDeleteDelayMs, 7_200_000);
    assert.equal(cfg.server.httpListenPort, 3100);
    assert.equal(cfg.querier.maxConcurrent, 4);
    assert.equal(
      parseLokiConfig('x.yml', 'querier:\n  max_concurrent: 2\n').querier.maxConcurrent,
      2,
    );
  });

  const bad: { why: string; yaml: string; line: number; key: string }[] = [
    {
      why: 'unknown top-level key',
      yaml: 'auth_enabled: false\nlimit_config:\n  retention_period: 1h\n',
      line: 2,
      key: 'limit_config',
    },
    {
      why: 'misspelt nested key',
      yaml: 'limits_config:\n  retention_periood: 24h\n',
      line: 2,
      key: 'limits_config.retention_periood',
    },
    {
      why: 'bad duration',
      yaml: 'compactor:\n  compaction_interval: ten minutes\n',
      line: 2,
      key: 'compactor.compaction_interval',
    },
    {
      why: 'wrong type',
      yaml: 'server:\n  http_listen_port: "abc"\n',
      line: 2,
      key: 'server.http_listen_port',
    },
  ];
  for (const c of bad) {
    it(`refuses ${c.why} with file, line and key`, () => {
      assert.throws(
        () => parseLokiConfig('loki.yml', c.yaml),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.file === 'loki.yml' &&
          err.line === c.line &&
          err.key === c.key,
      );
    });
  }

  it('refuses an unreadable file with a ConfigError', async () => {
    const missing = path.join(os.tmpdir(), 'obs-no-such-loki.yml');
    fs.rmSync(missing, { force: true });
    await assert.rejects(loadLokiConfig(missing), ConfigError);
  });
});

describe('expandEnv', () => {
  const env = { A: 'one', EMPTY: '' };
  const cases: [string, string][] = [
    ['${A}', 'one'],
    ['$A/x', 'one/x'],
    ['${MISSING}', ''],
    ['${MISSING:-dflt}', 'dflt'],
    ['${EMPTY:-dflt}', 'dflt'],
    ['${A:-dflt}', 'one'],
    ['${MISSING:dflt}', 'dflt'],
    ['port: ${P:-3100}', 'port: 3100'],
  ];
  for (const [input, want] of cases) {
    it(`${input} -> ${JSON.stringify(want)}`, () => assert.equal(expandEnv(input, env), want));
  }
});

describe('parseByteSize', () => {
  const cases: [string | number, number | undefined][] = [
    ['256KB', 256_000],
    ['1MiB', 1_048_576],
    ['512MB', 512_000_000],
    [1024, 1024],
    ['0', 0],
    ['lots', undefined],
  ];
  for (const [input, want] of cases) {
    it(`${input} -> ${want}`, () => assert.equal(parseByteSize(input), want));
  }
});
