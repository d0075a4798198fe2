import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentEntry, LogsReceiver } from '../../../src/agent/component.js';
import { COMPONENTS } from '../../../src/agent/components/registry.js';
import { lokiRelabel } from '../../../src/agent/components/loki-relabel.js';
import {
  AgentMetrics,
  Controller,
  decodeBody,
  EvalError,
  evaluate,
  standardLibrary,
} from '../../../src/agent/runtime/index.js';
import { parseAlloy } from '../../../src/agent/syntax/index.js';

function controller(src: string) {
  const dir = mkdtempSync(join(tmpdir(), 'obs-agent-relabel-'));
  const c = new Controller({
    body: parseAlloy('t.alloy', src),
    registry: COMPONENTS,
    dataPath: dir,
    logger: pino({ level: 'silent' }),
    metrics: new AgentMetrics(),
  });
  c.build();
  return { c, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const DOCKER_TARGETS = `[
    {
      "__meta_docker_container_name" = "/infra_observability-grafana-1",
      "__meta_docker_container_image" = "grafana/grafana:11.1.0",
      "__meta_docker_container_label_com_docker_compose_project" = "infra_observability",
    },
    { "__meta_docker_container_name" = "/lonely", "__meta_docker_container_image" = "busybox" },
  ]`;

describe('discovery.relabel', () => {
  it("turns Docker meta labels into the seed's container_name, image and compose_project", () => {
    const { c, cleanup } = controller(`discovery.relabel "containers" {
  targets = ${DOCKER_TARGETS}
  rule {
    source_labels = ["__meta_docker_container_name"]
    regex         = "/(.*)"
    target_label  = "container_name"
  }
  rule {
    source_labels = ["__meta_docker_container_image"]
    target_label  = "image"
  }
  rule {
    source_labels = ["__meta_docker_container_label_com_docker_compose_project"]
    target_label  = "compose_project"
  }
  rule {
    action = "labeldrop"
    regex  = "__meta_.*"
  }
}`);
    try {
      const out = c.component('discovery.relabel.containers')!.exports().output;
      assert.deepEqual(out, [
        {
          compose_project: 'infra_observability',
          container_name: 'infra_observability-grafana-1',
          image: 'grafana/grafana:11.1.0',
        },
        { container_name: 'lonely', image: 'busybox' },
      ]);
    } finally {
      cleanup();
    }
  });

  it('drops targets a keep rule rejects, and re-evaluates components downstream when its output changes', async () => {
    const { c, cleanup } = controller(`discovery.relabel "first" {
  targets = [{ app = "api" }, { app = "web" }]
}
discovery.relabel "second" {
  targets = discovery.relabel.first.output
  rule {
    source_labels = ["app"]
    regex         = "api|db"
    action        = "keep"
  }
}`);
    try {
      const second = c.component('discovery.relabel.second')!;
      assert.deepEqual(second.exports().output, [{ app: 'api' }]);
      await c
        .component('discovery.relabel.first')!
        .update({ targets: [{ app: 'db' }, { app: 'api' }, { app: 'x' }], rule: [] });
      await c.settled();
      assert.deepEqual(second.exports().output, [{ app: 'db' }, { app: 'api' }]);
    } finally {
      cleanup();
    }
  });

  it('refuses a bad rule with the message Prometheus gives', () => {
    assert.throws(
      () =>
        controller(`discovery.relabel "x" {
  targets = []
  rule {
    action       = "replace"
    regex        = "("
    target_label = "x"
  }
}`),
      (err: unknown) =>
        err instanceof EvalError &&
        err.pos.line === 1 &&
        err.message === 'discovery.relabel.x: error parsing regexp: missing closing ): `^(?:()$`',
    );
  });
});

describe('loki.relabel', () => {
  it('rewrites entry labels, drops what a rule drops, and exports its rules', async () => {
    const got: AgentEntry[] = [];
    const sink: LogsReceiver = {
      send: async (entries) => {
        got.push(...entries);
      },
    };
    const [block] = parseAlloy(
      't.alloy',
      `loki.relabel "r" {
  forward_to = [sink]
  rule {
    source_labels = ["__journal__systemd_unit"]
    target_label  = "unit"
  }
  rule {
    source_labels = ["unit"]
    regex         = "noisy\\\\.service"
    action        = "drop"
  }
}`,
    );
    assert.ok(block?.type === 'block');
    const scope = { ...standardLibrary(), sink };
    const args = decodeBody(block.body, lokiRelabel.arguments, block.pos, (e) =>
      evaluate(e, scope),
    );
    const r = lokiRelabel.build(
      { id: 'loki.relabel.r', dataPath: tmpdir(), logger: pino({ level: 'silent' }) },
      args,
    );
    const receiver = r.exports().receiver as LogsReceiver;
    await receiver.send([
      { labels: { __journal__systemd_unit: 'ssh.service' }, timestamp: 1n, line: 'a' },
      { labels: { __journal__systemd_unit: 'noisy.service' }, timestamp: 2n, line: 'b' },
    ]);
    assert.deepEqual(got, [
      {
        labels: { __journal__systemd_unit: 'ssh.service', unit: 'ssh.service' },
        timestamp: 1n,
        line: 'a',
      },
    ]);
    assert.ok(r.exports().rules);
  });
});
