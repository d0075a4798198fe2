import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMPONENTS } from '../../../src/agent/components/registry.js';
import { AlloyConfigError, checkAlloyConfig } from '../../../src/agent/runtime/index.js';
import { ConfigError } from '../../../src/common/config-error.js';

const WRITE = `loki.write "default" {
  endpoint {
    url = "http://127.0.0.1:3100/loki/api/v1/push"
  }
  external_labels = { cluster = "local" }
}
`;

describe('Alloy configs obs accepts', () => {
  const valid: [string, string][] = [
    [
      'a JSON pipeline with labels, timestamp and output',
      `loki.process "json" {
  forward_to = [loki.write.default.receiver]

  stage.json {
    expressions = { level = "", msg = "message", ts = "time", user = "req.user" }
  }
  stage.labels {
    values = { level = null }
  }
  stage.timestamp {
    source = "ts"
    format = "RFC3339Nano"
  }
  stage.output {
    source = "msg"
  }
}
${WRITE}`,
    ],
    [
      'relabel rules for discovered targets and for entries',
      `discovery.relabel "keep_api" {
  targets = [{ "__address__" = "a:80", "app" = "api" }, { "__address__" = "b:80", "app" = "web" }]
  rule {
    source_labels = ["app"]
    regex         = "api"
    action        = "keep"
  }
}
loki.relabel "add_env" {
  forward_to = [loki.write.default.receiver]
  rule {
    target_label = "env"
    replacement  = "sandbox"
  }
  rule {
    action = "labeldrop"
    regex  = "tmp_.*"
  }
}
${WRITE}`,
    ],
    [
      'logging and livedebugging blocks',
      `logging {
  level  = "warn"
  format = "json"
}
livedebugging {
  enabled = true
}
${WRITE}`,
    ],
    [
      'stage.match with nested stages and a drop action',
      `loki.process "route" {
  stage.match {
    selector      = "{job=\\"tool_sink\\"} |= \\"error\\""
    pipeline_name = "errors"
    stage.regex {
      expression = "^(?P<level>\\\\w+) (?P<msg>.*)$"
    }
    stage.labels {
      values = { level = "" }
    }
  }
  stage.match {
    selector = "{app=~\\"debug.*\\"}"
    action   = "drop"
    drop_counter_reason = "debug_noise"
  }
  forward_to = [loki.write.default.receiver]
}
${WRITE}`,
    ],
    [
      'the remaining stages in their documented forms',
      `loki.process "all" {
  stage.multiline {
    firstline     = "^\\\\d{4}-\\\\d{2}-\\\\d{2}"
    max_wait_time = "3s"
    max_lines     = 128
  }
  stage.logfmt {
    mapping = { lvl = "level", caller = "" }
  }
  stage.template {
    source   = "lvl"
    template = "{{ ToUpper .Value }}"
  }
  stage.drop {
    source     = "lvl"
    expression = "DEBUG"
  }
  stage.drop {
    older_than          = "24h"
    drop_counter_reason = "too_old"
  }
  stage.structured_metadata {
    values = { caller = "" }
  }
  stage.static_labels {
    values = { env = "sandbox" }
  }
  stage.label_drop {
    values = ["filename"]
  }
  stage.label_keep {
    values = ["env", "job", "level"]
  }
  forward_to = [loki.write.default.receiver]
}
${WRITE}`,
    ],
    [
      'expressions with the standard library in arguments',
      `loki.write "default" {
  endpoint {
    url = coalesce(sys.env("LOKI_URL"), "http://127.0.0.1:3100") + "/loki/api/v1/push"
  }
  external_labels = { host = constants.hostname, os = format("%s", constants.os) }
}
`,
    ],
  ];
  for (const [why, src] of valid) {
    it(why, () => {
      const config = checkAlloyConfig('config.alloy', src, COMPONENTS);
      assert.ok(config.body.length > 0);
    });
  }
});

describe('Alloy configs obs refuses, with Alloy-style messages', () => {
  const invalid: [string, string, string][] = [
    [
      'an unknown component',
      'loki.source.nope "x" {\n}\n',
      'config.alloy:1:1: unrecognized block name "loki.source.nope"',
    ],
    [
      'an unknown argument',
      'loki.process "p" {\n  forward_to = []\n  forwardto = []\n}\n',
      'config.alloy:3:3: unrecognized attribute name "forwardto"',
    ],
    [
      'a missing required argument',
      'loki.process "p" {\n}\n',
      'config.alloy:1:1: missing required attribute "forward_to"',
    ],
    [
      'an unknown stage',
      'loki.process "p" {\n  forward_to = []\n  stage.jsonn {\n  }\n}\n',
      'config.alloy:3:3: unrecognized block name "stage.jsonn"',
    ],
    [
      'a stage argument that does not exist',
      'loki.process "p" {\n  forward_to = []\n  stage.json {\n    expression = {}\n  }\n}\n',
      'config.alloy:4:5: unrecognized attribute name "expression"',
    ],
    [
      'a component without a label',
      'loki.process {\n  forward_to = []\n}\n',
      'config.alloy:1:1: component "loki.process" must have a label',
    ],
    [
      'the same component twice',
      'loki.process "p" {\n  forward_to = []\n}\nloki.process "p" {\n  forward_to = []\n}\n',
      'config.alloy:4:1: block loki.process.p already declared',
    ],
    [
      'a reference to a component that does not exist',
      'loki.process "p" {\n  forward_to = [loki.write.missing.receiver]\n}\n',
      'config.alloy:2:17: component "loki.write.missing.receiver" does not exist or is out of scope',
    ],
    [
      'a cycle between components',
      'loki.process "a" {\n  forward_to = [loki.process.b.receiver]\n}\nloki.process "b" {\n  forward_to = [loki.process.a.receiver]\n}\n',
      'config.alloy:1:1: cycle detected: loki.process.a -> loki.process.b -> loki.process.a',
    ],
    [
      'a # comment',
      '# collect logs\nlogging {\n}\n',
      `config.alloy:1:1: illegal character U+0023 '#' (Alloy comments are // (not #))`,
    ],
    [
      'an attribute at the top level',
      'level = "info"\n',
      'config.alloy:1:1: unrecognized attribute name "level"',
    ],
    [
      'a block given twice that may appear once',
      'loki.write "w" {\n  endpoint {\n    url = "http://a"\n  }\n  external_labels = {}\n  external_labels = {}\n}\n',
      'config.alloy:6:3: attribute "external_labels" may only be provided once',
    ],
    [
      'a log level Alloy does not have',
      'logging {\n  level = "verbose"\n}\n',
      'config.alloy:2:11: unrecognized log level "verbose", must be one of debug, info, warn, error',
    ],
    [
      'an unknown argument in the logging block',
      'logging {\n  lvl = "debug"\n}\n',
      'config.alloy:2:3: unrecognized attribute name "lvl"',
    ],
  ];
  for (const [why, src, message] of invalid) {
    it(why, () => {
      assert.throws(
        () => checkAlloyConfig('config.alloy', src, COMPONENTS),
        (err: unknown) => {
          assert.ok(err instanceof AlloyConfigError);
          assert.ok(err instanceof ConfigError);
          assert.equal(err.message.split('\n')[0], message);
          assert.equal(err.file, 'config.alloy');
          return true;
        },
      );
    });
  }

  it('names the components it knows when a component is unknown', () => {
    assert.throws(
      () => checkAlloyConfig('c.alloy', 'prometheus.scrape "x" {\n}\n', COMPONENTS),
      (err: unknown) =>
        err instanceof AlloyConfigError &&
        err.line === 1 &&
        err.column === 1 &&
        /fix: components obs provides: .*loki\.process/.test(err.message),
    );
  });
});
