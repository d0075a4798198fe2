import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { LogsReceiver } from '../../../src/agent/component.js';
import { COMPONENTS } from '../../../src/agent/components/registry.js';
import { createAgentRole, loadAlloyConfig } from '../../../src/agent/index.js';
import { AgentMetrics, Controller } from '../../../src/agent/runtime/index.js';
import { parseAlloy } from '../../../src/agent/syntax/index.js';
import { ConfigError } from '../../../src/common/config-error.js';
import type { LogSink, LogStream } from '../../../src/logs/sink.js';

const PUSH_URL = 'http://127.0.0.1:3100/loki/api/v1/push';

const PIPELINE = `logging {
  level = "warn"
}

loki.process "main" {
  stage.json {
    expressions = { level = "" }
  }
  stage.labels {
    values = { level = "" }
  }
  stage.drop {
    source = "level"
    value  = "debug"
    drop_counter_reason = "debug"
  }
  stage.static_labels {
    values = { env = "sandbox", host = "testhost" }
  }
  forward_to = [loki.write.default.receiver]
}

loki.write "default" {
  endpoint {
    url        = "${PUSH_URL}"
    batch_wait = "10ms"
  }
}
`;

function memorySink(): LogSink & { streams: LogStream[] } {
  const streams: LogStream[] = [];
  return {
    streams,
    async push(s) {
      streams.push(...s);
    },
  };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'obs-agent-role-'));
}

/** Builds and runs a controller for `config` writing to `sink`; stop() ends it and cleans up. */
function startPipeline(config: string, sink: LogSink, metrics = new AgentMetrics()) {
  const dir = tempDir();
  const controller = new Controller({
    body: parseAlloy('t.alloy', config),
    registry: COMPONENTS,
    dataPath: dir,
    logger: pino({ level: 'silent' }),
    metrics,
    inProcessLogs: { pushUrl: PUSH_URL, sink },
  });
  controller.build();
  const abort = new AbortController();
  const running = controller.run(abort.signal);
  return {
    receiver: controller.component('loki.process.main')!.exports().receiver as LogsReceiver,
    async stop() {
      abort.abort();
      await running;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('agent pipeline into an in-process LogSink', () => {
  it('labels, drops and delivers entries; send resolves after the sink has them', async () => {
    const sink = memorySink();
    const { receiver, stop } = startPipeline(PIPELINE, sink);
    try {
      await receiver.send([
        { labels: { job: 'app' }, timestamp: 1_000n, line: '{"level":"info","msg":"a"}' },
        { labels: { job: 'app' }, timestamp: 2_000n, line: '{"level":"debug","msg":"b"}' },
        { labels: { job: 'app' }, timestamp: 3_000n, line: 'plain' },
      ]);
      const got = sink.streams
        .flatMap((s) => s.entries.map((e) => ({ labels: s.labels, ts: e.timestamp, line: e.line })))
        .sort((a, b) => Number(a.ts - b.ts));
      assert.deepEqual(got, [
        {
          labels: { env: 'sandbox', host: 'testhost', job: 'app', level: 'info' },
          ts: 1_000n,
          line: '{"level":"info","msg":"a"}',
        },
        { labels: { env: 'sandbox', host: 'testhost', job: 'app' }, ts: 3_000n, line: 'plain' },
      ]);
    } finally {
      await stop();
    }
  });

  it('on stop, entries a stage still holds are flushed through to the sink', async () => {
    const sink = memorySink();
    const { receiver, stop } = startPipeline(
      `loki.process "main" {
  stage.multiline {
    firstline     = "^START"
    max_wait_time = "1h"
  }
  forward_to = [loki.write.default.receiver]
}
loki.write "default" {
  endpoint {
    url = "${PUSH_URL}"
  }
}`,
      sink,
    );
    await receiver.send([
      { labels: { job: 'a' }, timestamp: 1n, line: 'START one' },
      { labels: { job: 'a' }, timestamp: 2n, line: '  more' },
    ]);
    assert.equal(sink.streams.length, 0);
    await stop();
    assert.deepEqual(
      sink.streams.flatMap((s) => s.entries.map((e) => e.line)),
      ['START one\n  more'],
    );
  });
});

describe('agent role', () => {
  it('serves /-/ready, /-/healthy and per-component /metrics on its debug port, then stops', async () => {
    const dir = tempDir();
    const file = join(dir, 'config.alloy');
    writeFileSync(file, PIPELINE);
    const config = await loadAlloyConfig(file);
    const role = await createAgentRole(
      { logger: pino({ level: 'silent' }), dataDir: join(dir, 'data'), listenHost: '127.0.0.1' },
      { config, debugPort: 0, inProcessLogs: { pushUrl: PUSH_URL, sink: memorySink() } },
    );
    try {
      await role.start();
      const status = role.status();
      assert.equal(status.state, 'running');
      assert.match(status.address!, /^http:\/\/127\.0\.0\.1:\d+$/);
      const ready = await fetch(`${status.address}/-/ready`);
      assert.equal(ready.status, 200);
      assert.equal(await ready.text(), 'Alloy is ready.\n');
      const healthy = await fetch(`${status.address}/-/healthy`);
      assert.equal(healthy.status, 200);
      const metrics = await (await fetch(`${status.address}/metrics`)).text();
      assert.match(metrics, /# TYPE obs_agent_component_lines_read_total counter/);
      assert.equal((await fetch(`${status.address}/nope`)).status, 404);
    } finally {
      await role.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(role.status().state, 'stopped');
  });

  it('counts lines read, sent and dropped by reason per component', async () => {
    const metrics = new AgentMetrics();
    const { receiver, stop } = startPipeline(PIPELINE, memorySink(), metrics);
    try {
      await receiver.send([
        { labels: { job: 'a' }, timestamp: 1n, line: '{"level":"debug"}' },
        { labels: { job: 'a' }, timestamp: 2n, line: '{"level":"info"}' },
      ]);
      const text = await metrics.text();
      assert.match(text, /lines_read_total\{component_id="loki\.process\.main"\} 2/);
      assert.match(text, /lines_sent_total\{component_id="loki\.process\.main"\} 1/);
      assert.match(
        text,
        /lines_dropped_total\{component_id="loki\.process\.main",reason="debug"\} 1/,
      );
    } finally {
      await stop();
    }
  });

  it('refuses a config with a bad argument value as a ConfigError naming file, line and column', async () => {
    const dir = tempDir();
    const file = join(dir, 'config.alloy');
    writeFileSync(
      file,
      'loki.process "p" {\n  forward_to = [loki.write.w.receiver]\n  stage.drop {\n    older_than = "soon"\n  }\n}\nloki.write "w" {\n  endpoint {\n    url = "http://x"\n  }\n}\n',
    );
    try {
      const config = await loadAlloyConfig(file);
      const role = await createAgentRole(
        { logger: pino({ level: 'silent' }), dataDir: join(dir, 'data'), listenHost: '127.0.0.1' },
        { config },
      );
      await assert.rejects(role.start(), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.message, `${file}:4:18: time: invalid duration "soon"`);
        return true;
      });
      assert.equal(role.status().state, 'failed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
