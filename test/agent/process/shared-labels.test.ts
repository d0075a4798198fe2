import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { AgentEntry, EnumBlock, LogsReceiver } from '../../../src/agent/component.js';
import {
  LOKI_PROCESS_SCHEMA,
  lokiProcess,
} from '../../../src/agent/components/loki-process/index.js';
import { decodeBody, evaluate, standardLibrary } from '../../../src/agent/runtime/index.js';
import { parseAlloy } from '../../../src/agent/syntax/index.js';

/** A loki.process component with these stages, forwarding to a receiver that records. */
function component(stages: string) {
  const [block] = parseAlloy('t.alloy', `loki.process "t" {\n  forward_to = []\n${stages}\n}\n`);
  assert.ok(block?.type === 'block');
  const scope = standardLibrary();
  const args = decodeBody(block.body, LOKI_PROCESS_SCHEMA, block.pos, (e) => evaluate(e, scope));
  const got: AgentEntry[] = [];
  const sink: LogsReceiver = { send: async (entries) => void got.push(...entries) };
  const c = lokiProcess.build(
    { id: 'loki.process.t', dataPath: '/nonexistent', logger: pino({ level: 'silent' }) },
    { forward_to: [sink], stage: args.stage as EnumBlock[] },
  );
  const receiver = (c.exports().receiver as LogsReceiver).send;
  return { send: receiver, got };
}

/**
 * Sources hand loki.process many entries sharing one label object; stages
 * must change each entry's labels alone and never the source's object.
 */
describe('loki.process with entries sharing a label object', () => {
  const stages = `stage.logfmt {
  mapping = { level = "" }
}
stage.static_labels {
  values = { env = "sandbox" }
}
stage.labels {
  values = { level = "" }
}
stage.label_drop {
  values = ["drop_me"]
}`;

  it('labels each entry by its own line and leaves the source labels alone', async () => {
    const { send, got } = component(stages);
    const source = { job: 'files', drop_me: 'x' };
    const frozen = { ...source };
    await send([
      { labels: source, timestamp: 1n, line: 'level=warn a' },
      { labels: source, timestamp: 2n, line: 'no level' },
      { labels: source, timestamp: 3n, line: 'level=info b' },
    ]);
    assert.deepEqual(source, frozen);
    assert.deepEqual(
      got.map((e) => e.labels),
      [
        { job: 'files', env: 'sandbox', level: 'warn' },
        { job: 'files', env: 'sandbox' },
        { job: 'files', env: 'sandbox', level: 'info' },
      ],
    );
    assert.notEqual(got[0]!.labels, got[2]!.labels);
  });

  it('entries left unchanged after the static stages share one output label object', async () => {
    const { send, got } = component(stages);
    const a = { job: 'a' };
    const b = { job: 'b' };
    await send([
      { labels: a, timestamp: 1n, line: 'x' },
      { labels: b, timestamp: 2n, line: 'y' },
      { labels: a, timestamp: 3n, line: 'z' },
    ]);
    assert.deepEqual(
      got.map((e) => e.labels),
      [
        { job: 'a', env: 'sandbox' },
        { job: 'b', env: 'sandbox' },
        { job: 'a', env: 'sandbox' },
      ],
    );
    assert.equal(got[0]!.labels, got[2]!.labels);
    assert.deepEqual(a, { job: 'a' });
  });
});
