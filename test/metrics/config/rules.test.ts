import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError } from '../../../src/common/config-error.js';
import { loadRuleFiles, parseRuleFile } from '../../../src/metrics/config/index.js';
import { peer } from '../helpers/peers.js';

const dir = mkdtempSync(join(tmpdir(), 'obs-rules-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const promtool = peer('promtool');

const GOOD = `groups:
  - name: node
    interval: 30s
    rules:
      - record: instance:node_cpu:rate5m
        expr: sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))
      - alert: HostDown
        expr: up == 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.instance }} is down"}
`;

test('a valid rule file loads (globs expanded), and real promtool accepts it', async (t) => {
  writeFileSync(join(dir, 'a.rules.yml'), GOOD);
  const groups = await loadRuleFiles([join(dir, '*.rules.yml')]);
  assert.equal(groups.length, 1);
  assert.equal(groups[0]!.name, 'node');
  assert.equal(groups[0]!.rules[1]!.alert, 'HostDown');
  assert.equal(groups[0]!.rules[1]!.for, '5m');
  if (promtool.skip) return t.skip(promtool.skip);
  const r = spawnSync('promtool', ['check', 'rules', join(dir, 'a.rules.yml')], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

// Prometheus's rulefmt errors, with the line obs points at; promtool must reject each too.
const bad: [string, string, number, RegExp][] = [
  ['unknown key', 'groups:\n  - name: a\n    rulez: []\n', 3, /unknown key "rulez"/],
  [
    'repeated group',
    'groups:\n  - name: a\n  - name: a\n',
    3,
    /groupname: "a" is repeated in the same file/,
  ],
  ['empty group name', 'groups:\n  - rules: []\n', 2, /Groupname must not be empty/],
  [
    'neither record nor alert',
    'groups:\n  - name: a\n    rules:\n      - expr: up\n',
    4,
    /group "a", rule 1, "": one of 'record' or 'alert' must be set/,
  ],
  [
    'both record and alert',
    'groups:\n  - name: a\n    rules:\n      - record: x\n        alert: y\n        expr: up\n',
    4,
    /only one of 'record' and 'alert' must be set/,
  ],
  [
    'no expr',
    'groups:\n  - name: a\n    rules:\n      - record: x\n',
    4,
    /field 'expr' must be set in rule/,
  ],
  [
    'bad expr',
    'groups:\n  - name: a\n    rules:\n      - record: x\n        expr: sum(up\n',
    5,
    /could not parse expression: 1:\d+: parse error: /,
  ],
  [
    'for on a recording rule',
    'groups:\n  - name: a\n    rules:\n      - record: x\n        expr: up\n        for: 5m\n',
    4,
    /invalid field 'for' in recording rule/,
  ],
  [
    'bad recording rule name',
    'groups:\n  - name: a\n    rules:\n      - record: "x-y"\n        expr: up\n',
    4,
    /invalid recording rule name: x-y/,
  ],
  [
    'bad label name',
    'groups:\n  - name: a\n    rules:\n      - alert: x\n        expr: up\n        labels: {"0a": b}\n',
    6,
    /invalid label name: 0a/,
  ],
];

for (const [name, text, line, message] of bad) {
  test(`rule file rejected: ${name}`, () => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.yml`);
    assert.throws(
      () => parseRuleFile(text, file),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.line, line, err.message);
        assert.match(err.message, message);
        return true;
      },
    );
  });
  test(`promtool rejects it too: ${name}`, { skip: promtool.skip }, () => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.yml`);
    writeFileSync(file, text);
    const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    assert.notEqual(r.status, 0, r.stdout);
  });
}
