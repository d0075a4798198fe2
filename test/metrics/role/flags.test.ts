import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlagError } from '../../../src/common/flags.js';
import { flagsForStatus, parseMetricsFlags } from '../../../src/metrics/flags.js';

test("Prometheus's defaults, with obs's loopback listen address", () => {
  const f = parseMetricsFlags([]);
  assert.equal(f.configFile, 'prometheus.yml');
  assert.equal(f.storagePath, 'data/');
  assert.equal(f.listenAddress, '127.0.0.1:9004');
  assert.equal(f.retentionTimeMs, 15 * 86400e3);
  assert.equal(f.retentionSizeBytes, 0);
  assert.equal(f.lookbackDeltaMs, 5 * 60e3);
  assert.equal(f.queryTimeoutMs, 2 * 60e3);
  assert.equal(f.queryMaxSamples, 50_000_000);
  assert.equal(f.enableLifecycle, false);
  assert.equal(f.enableAdminApi, false);
  assert.equal(f.enableRemoteWriteReceiver, false);
});

test('the flags the seed compose file passes to Prometheus', () => {
  const f = parseMetricsFlags([
    '--config.file=/etc/prometheus/prometheus.yml',
    '--storage.tsdb.path=/prometheus',
    '--storage.tsdb.retention.time=15d',
    '--web.enable-lifecycle',
    '--web.enable-remote-write-receiver',
    '--web.listen-address',
    '0.0.0.0:9090',
    '--storage.tsdb.retention.size=512MB',
    '--query.max-samples=1000',
    '--no-storage.tsdb.wal-compression',
  ]);
  assert.equal(f.configFile, '/etc/prometheus/prometheus.yml');
  assert.equal(f.storagePath, '/prometheus');
  assert.equal(f.retentionTimeMs, 15 * 86400e3);
  assert.equal(f.retentionSizeBytes, 512 * 2 ** 20);
  assert.equal(f.enableLifecycle, true);
  assert.equal(f.enableRemoteWriteReceiver, true);
  assert.equal(f.listenAddress, '0.0.0.0:9090');
  assert.equal(f.queryMaxSamples, 1000);
  const status = flagsForStatus(f);
  assert.equal(status['storage.tsdb.retention.time'], '15d');
  assert.equal(status['web.enable-lifecycle'], 'true');
  assert.equal(status['storage.tsdb.wal-compression'], 'false');
  assert.equal(status['query.lookback-delta'], '5m');
});

test('a size limit alone leaves time retention off, as in Prometheus', () => {
  const f = parseMetricsFlags(['--storage.tsdb.retention.size=1GB']);
  assert.equal(f.retentionTimeMs, 0);
  assert.equal(f.retentionSizeBytes, 2 ** 30);
});

test('status shows the effective retention time when none is given', () => {
  assert.equal(flagsForStatus(parseMetricsFlags([]))['storage.tsdb.retention.time'], '15d');
});

const bad: [string[], RegExp][] = [
  [['--storage.tsdb.retention.time=1.5d'], /not a valid duration string/],
  [['--storage.tsdb.retention.size=12'], /--storage.tsdb.retention.size/],
  [['--web.listen-address=localhost'], /missing port in address/],
  [['--no-such-flag'], /unknown long flag '--no-such-flag'/],
  [['--query.max-samples=lots'], /--query.max-samples/],
  [['--log.level=loud'], /unrecognized log level/],
];
for (const [argv, message] of bad) {
  test(`rejects ${argv.join(' ')}`, () => {
    assert.throws(
      () => parseMetricsFlags(argv),
      (err: unknown) => {
        assert.ok(err instanceof FlagError);
        assert.match(err.message, message);
        return true;
      },
    );
  });
}
