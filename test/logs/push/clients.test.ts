import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import pinoLoki from 'pino-loki';
import winston from 'winston';
import LokiTransport from 'winston-loki';
import { eventually, readAll, startLogs, type RunningLogs } from '../role/logs-fixture.js';

/** The real npm Loki clients, unchanged, against the logs role. */
describe('real Loki clients', () => {
  let logs: RunningLogs;
  before(async () => {
    logs = await startLogs('auth_enabled: false\nlimits_config:\n  discover_service_name: []\n');
  });
  after(() => logs.close());

  it('pino-loki (JSON, structured metadata) pushes lines that read back', async () => {
    const transport = pinoLoki({
      host: logs.url,
      batching: false,
      labels: { job: 'pino', app: 'clients-test' },
    });
    const logger = pino({ level: 'info' }, transport);
    logger.info({ meta: { trace_id: 'abc123' } }, 'hello from pino');
    logger.error('pino error line');
    const job = [{ type: '=' as const, name: 'job', value: 'pino' }];
    await eventually(async () => (await readAll(logs.role, { matchers: job })).length === 2);
    const got = await readAll(logs.role, { matchers: job });
    const lines = got.map((e) => JSON.parse(e.line) as { msg: string });
    assert.deepEqual(lines.map((l) => l.msg).sort(), ['hello from pino', 'pino error line']);
    assert.equal(got[0]!.labels.app, 'clients-test');
    assert.ok(
      got.some((e) => e.metadata?.trace_id === 'abc123'),
      'structured metadata kept',
    );
    transport.end();
  });

  it('winston-loki (protobuf + snappy) pushes lines that read back', async () => {
    const transport = new LokiTransport({
      host: logs.url,
      labels: { job: 'winston' },
      json: false,
      batching: true,
      interval: 0.2,
      onConnectionError: (err) => assert.fail(String(err)),
    });
    const logger = winston.createLogger({ transports: [transport] });
    for (let i = 0; i < 50; i++) logger.info(`winston line ${i}`);
    const job = [{ type: '=' as const, name: 'job', value: 'winston' }];
    await eventually(async () => (await readAll(logs.role, { matchers: job })).length === 50);
    const got = await readAll(logs.role, { matchers: job });
    assert.equal(new Set(got.map((e) => e.line)).size, 50);
    assert.ok(got.every((e) => e.labels.level === 'info'));
    await transport.flush();
    transport.close();
  });
});
