import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { nowNs, readAll, startLogs, type RunningLogs } from './logs-fixture.js';

describe('logs role', () => {
  let logs: RunningLogs;
  before(async () => {
    logs = await startLogs('auth_enabled: false\nlimits_config:\n  retention_period: 48h\n');
  });
  after(() => logs.close());

  it('answers /ready with Loki\'s plain "ready"', async () => {
    const res = await fetch(logs.url + '/ready');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ready\n');
  });

  it('reports build info as Loki 3.0 for Grafana', async () => {
    const info = (await (await fetch(logs.url + '/loki/api/v1/status/buildinfo')).json()) as {
      version: string;
    };
    assert.equal(info.version, '3.0.0');
  });

  it('serves its configuration on /config', async () => {
    const doc = parseYaml(await (await fetch(logs.url + '/config')).text()) as {
      limits_config: { retention_period: string };
    };
    assert.equal(doc.limits_config.retention_period, '48h');
  });

  it('reports status for obs status', () => {
    const s = logs.role.status();
    assert.equal(s.state, 'running');
    assert.equal(s.address, logs.url);
    assert.equal(s.healthPath, '/ready');
    assert.equal(s.retention, '48h');
  });

  it('validates in-process pushes through the same distributor', async () => {
    await logs.role.sink.push([
      { labels: { job: 'inproc' }, entries: [{ timestamp: nowNs(), line: 'from the agent' }] },
    ]);
    await assert.rejects(
      logs.role.sink.push([{ labels: {}, entries: [{ timestamp: nowNs(), line: 'x' }] }]),
      { status: 400, message: 'error at least one label pair is required per stream' },
    );
    const got = await readAll(logs.role, {
      matchers: [{ type: '=', name: 'job', value: 'inproc' }],
    });
    assert.deepEqual(
      got.map((e) => [e.labels, e.line]),
      [[{ job: 'inproc', service_name: 'inproc' }, 'from the agent']],
    );
  });

  it('keeps acknowledging pushes while a query holds a long scan open', async () => {
    const t0 = nowNs(-3_600_000);
    const lines = Array.from({ length: 20_000 }, (_, i) => ({
      timestamp: t0 + BigInt(i) * 1_000_000n,
      line: `level=info i=${i} msg="filler line for a long scan"`,
    }));
    await logs.role.sink.push([{ labels: { job: 'scan' }, entries: lines }]);
    const scan = logs.role.reader
      .selectEntries({
        matchers: [{ type: '=', name: 'job', value: 'scan' }],
        filters: [],
        startNs: t0,
        endNs: nowNs(),
        direction: 'forward',
      })
      [Symbol.asyncIterator]();
    // The scan is open, its consumer stalled; pushes must still complete promptly.
    assert.equal((await scan.next()).done, false);
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      await logs.role.sink.push([
        { labels: { job: 'during-scan' }, entries: [{ timestamp: nowNs(), line: `push ${i}` }] },
      ]);
    }
    assert.ok(Date.now() - started < 2000, `pushes took ${Date.now() - started} ms`);
    await scan.return?.();
    const got = await readAll(logs.role, {
      matchers: [{ type: '=', name: 'job', value: 'during-scan' }],
    });
    assert.equal(got.length, 5);
  });

  it('resumes with all data after stop and start', async () => {
    await logs.role.stop();
    assert.equal(logs.role.status().state, 'stopped');
    await logs.role.start();
    const got = await readAll(logs.role, {
      matchers: [{ type: '=', name: 'job', value: 'inproc' }],
    });
    assert.equal(got.length, 1);
    assert.equal(
      (await fetch(logs.url.replace(/:\d+$/, `:${logs.role.port}`) + '/ready')).status,
      200,
    );
  });
});
