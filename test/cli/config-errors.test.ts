import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runObs } from '../support/obs-cli.js';
import { makeObsDirs } from '../support/obs-dirs.js';

/**
 * Each broken config directory must stop `obs up` before anything starts,
 * with a message naming the file, the line and the key, and the fix.
 */
interface Case {
  name: string;
  file: string;
  /** Turns the good file into the broken one. */
  edit: (text: string) => string;
  mode?: number;
  code: number;
  message: RegExp;
}

const CASES: Case[] = [
  {
    name: '.env readable by group and others',
    file: '.env',
    edit: (t) => t,
    mode: 0o644,
    code: 1,
    message:
      /\.env: holds the Grafana admin password but is readable by group or others \(mode 644\)\n {2}fix: chmod 600 /,
  },
  {
    name: '.env port that is not a number',
    file: '.env',
    edit: (t) => t.replace(/^GRAFANA_PORT=.*$/m, 'GRAFANA_PORT=ninety'),
    code: 1,
    message: /\.env:4: GRAFANA_PORT: not a TCP port: "ninety"/,
  },
  {
    name: '.env line that is not KEY=VALUE',
    file: '.env',
    edit: (t) => t + 'just some words\n',
    code: 1,
    message: /\.env:7: not a KEY=VALUE line/,
  },
  {
    name: 'unknown key in a Grafana datasource',
    file: 'grafana/provisioning/datasources/obs.yml',
    edit: (t) => t.replace('    access: proxy\n', '    acess: proxy\n'),
    code: 1,
    message: /datasources\/obs\.yml:7: datasources\[0\]\.acess: unknown key "acess"/,
  },
  {
    name: 'bad YAML in a dashboards provider',
    file: 'grafana/provisioning/dashboards/obs.yml',
    edit: (t) => t.replace('providers:', 'providers: [unclosed'),
    code: 1,
    message: /dashboards\/obs\.yml:\d+: invalid YAML: /,
  },
  {
    name: 'unknown key in loki-config.yml',
    file: 'loki-config.yml',
    edit: (t) => t.replace('  retention_period: 720h', '  retention_perod: 720h'),
    code: 1,
    message:
      /loki-config\.yml:\d+: limits_config\.retention_perod: unknown key "retention_perod"\n {2}fix: did you mean "retention_period"\?/,
  },
  {
    name: 'bad YAML in loki-config.yml',
    file: 'loki-config.yml',
    edit: (t) => t.replace('auth_enabled: false', 'auth_enabled: [false'),
    code: 1,
    message: /loki-config\.yml:\d+: invalid YAML/,
  },
  {
    name: 'unknown key in prometheus.yml',
    file: 'prometheus/prometheus.yml',
    edit: (t) => t.replace('  scrape_interval: 15s', '  scrape_intreval: 15s'),
    code: 1,
    message: /prometheus\.yml:\d+: .*scrape_intreval/,
  },
  {
    name: 'retention set in prometheus.yml',
    file: 'prometheus/prometheus.yml',
    edit: (t) => t + 'storage:\n  tsdb:\n    retention: 30d\n',
    code: 1,
    message:
      /prometheus\.yml:\d+: storage\.tsdb\.retention: .*\n {2}fix: use --storage\.tsdb\.retention\.time, as Prometheus does/,
  },
  {
    name: '# comment in the Alloy file',
    file: 'alloy-config.alloy',
    edit: (t) => t.replace('// ---- Docker containers', '# ---- Docker containers'),
    code: 1,
    message: /alloy-config\.alloy:\d+:1: .*Alloy comments are \/\//,
  },
];

for (const c of CASES) {
  test(`refuses to start: ${c.name}`, async () => {
    const dirs = await makeObsDirs();
    const path = join(dirs.configDir, c.file);
    await writeFile(path, c.edit(await readFile(path, 'utf8')));
    if (c.mode !== undefined) await chmod(path, c.mode);
    const res = await runObs(['up', '--config-dir', dirs.configDir, '--data-dir', dirs.dataDir]);
    assert.equal(res.code, c.code, res.stderr);
    assert.match(res.stderr, c.message);
    assert.match(res.stderr, /^obs: configuration error: /m);
  });
}

test('a missing config file is named, with the command that writes it', async () => {
  const dirs = await makeObsDirs();
  const { rm } = await import('node:fs/promises');
  await rm(join(dirs.configDir, '.env'));
  const res = await runObs(['up', '--config-dir', dirs.configDir, '--data-dir', dirs.dataDir]);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /\.env is missing; `obs init .*` writes the files that are missing/);
});

test('unknown commands and flags are usage errors (exit 2)', async () => {
  const bad = await runObs(['upp']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command "upp"/);
  const flag = await runObs(['up', '--confg-dir', 'x']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown long flag '--confg-dir'/);
  const role = await runObs(['run', 'grafana']);
  assert.equal(role.code, 2);
  assert.match(
    role.stderr,
    /obs run needs a role: one of logs, metrics, agent, node-exporter, cadvisor, ui/,
  );
});

test('a non-loopback address in loki-config.yml is refused unless --listen-address says so', async () => {
  const dirs = await makeObsDirs();
  const path = join(dirs.configDir, 'loki-config.yml');
  await writeFile(
    path,
    (await readFile(path, 'utf8')).replace(
      'http_listen_address: 127.0.0.1',
      'http_listen_address: 0.0.0.0',
    ),
  );
  const res = await runObs(['up', '--config-dir', dirs.configDir, '--data-dir', dirs.dataDir]);
  assert.equal(res.code, 2, res.stderr);
  assert.match(
    res.stderr,
    /server\.http_listen_address is 0\.0\.0\.0, which is not loopback; obs binds loopback only unless you pass --listen-address 0\.0\.0\.0 explicitly/,
  );
});
