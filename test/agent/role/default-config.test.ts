import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultAlloyConfig } from '../../../src/agent/index.js';
import { COMPONENTS } from '../../../src/agent/components/registry.js';
import { checkAlloyConfig, evaluate, standardLibrary } from '../../../src/agent/runtime/index.js';
import { parseAlloy, type Block } from '../../../src/agent/syntax/index.js';

const text = defaultAlloyConfig({ home: '/home/luce', hostname: 'codeswarm' });
const body = parseAlloy('alloy-config.alloy', text);
const blocks = body.filter((s): s is Block => s.type === 'block');
const byId = new Map(blocks.map((b) => [`${b.name}.${b.label}`, b]));

function attr(id: string, name: string, scope: Record<string, unknown> = standardLibrary()) {
  const a = byId.get(id)!.body.find((s) => s.type === 'attribute' && s.name === name);
  assert.ok(a?.type === 'attribute', `${id} has ${name}`);
  return evaluate(a.value, scope);
}

function stageValues(id: string): Record<string, unknown> {
  const stage = byId.get(id)!.body.find((s) => s.name === 'stage.static_labels');
  assert.ok(stage?.type === 'block');
  const values = stage.body[0]!;
  assert.ok(values.type === 'attribute');
  return evaluate(values.value, standardLibrary()) as Record<string, unknown>;
}

describe("the default alloy-config.alloy (the seed's pipelines)", () => {
  it('passes the same checks as a user config, against the components obs provides', () => {
    assert.equal(checkAlloyConfig('alloy-config.alloy', text, COMPONENTS).body.length, body.length);
  });

  it('is Alloy syntax with // comments only', () => {
    assert.ok(!/^\s*#/m.test(text));
    assert.match(text, /^\/\/ /m);
  });

  it('declares the four pipelines and the CodeSwarm branch', () => {
    assert.deepEqual(
      [...byId.keys()],
      [
        'discovery.relabel.home',
        'discovery.docker.containers',
        'discovery.relabel.containers',
        'loki.source.docker.containers',
        'loki.relabel.journal',
        'loki.source.journal.system',
        'local.file_match.tool_sink',
        'loki.source.file.tool_sink',
        'local.file_match.telemetry',
        'loki.source.file.telemetry',
        'local.file_match.codeswarm_mcp',
        'loki.source.file.codeswarm_mcp',
        'loki.process.codeswarm',
        'loki.process.main',
        'loki.write.default',
      ],
    );
  });

  it('sets the home directory in one place, used by every file pipeline', () => {
    assert.equal(text.split('/home/luce').length - 1, 1);
    const scope = {
      ...standardLibrary(),
      discovery: { relabel: { home: { output: [{ dir: '/home/luce' }] } } },
    };
    const paths = ['tool_sink', 'telemetry', 'codeswarm_mcp'].map((name) => {
      const [target] = attr(`local.file_match.${name}`, 'path_targets', scope) as Record<
        string,
        string
      >[];
      return [target!.__path__, target!.job];
    });
    assert.deepEqual(paths, [
      ['/home/luce/_logs/*.log', 'tool_sink'],
      ['/home/luce/_telemetry/*.jsonl', 'telemetry'],
      ['/home/luce/apps/vLLM/_data/mcp-logs/*.log', 'codeswarm_mcp'],
    ]);
  });

  it('labels env and host on every line and log_source on CodeSwarm lines', () => {
    assert.deepEqual(stageValues('loki.process.main'), { env: 'sandbox', host: 'codeswarm' });
    assert.deepEqual(stageValues('loki.process.codeswarm'), { log_source: 'codeswarm_mcp' });
    assert.deepEqual(attr('loki.source.docker.containers', 'labels'), { job: 'dockerlogs' });
  });

  it('routes every source through loki.process.main into loki.write at the logs role', () => {
    const refs = (id: string) =>
      byId
        .get(id)!
        .body.filter((s) => s.type === 'attribute' && s.name === 'forward_to')
        .map((s) => (s.type === 'attribute' ? text.slice(s.value.pos.offset).split('\n')[0] : ''));
    for (const id of [
      'loki.source.docker.containers',
      'loki.source.journal.system',
      'loki.source.file.tool_sink',
      'loki.source.file.telemetry',
      'loki.process.codeswarm',
    ]) {
      assert.deepEqual(refs(id), ['[loki.process.main.receiver]'], id);
    }
    assert.deepEqual(refs('loki.source.file.codeswarm_mcp'), ['[loki.process.codeswarm.receiver]']);
    assert.deepEqual(refs('loki.process.main'), ['[loki.write.default.receiver]']);
    assert.match(text, /url = "http:\/\/loki:3100\/loki\/api\/v1\/push"/);
  });
});
