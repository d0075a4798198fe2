import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort, waitForHttp } from './helpers.js';

/**
 * `obs run node-exporter` and `obs run cadvisor` as separate processes, as
 * the CLI runs them: they serve their endpoints on the flags' addresses and
 * exit 0 on SIGTERM. The child imports the exporters' door the same way
 * under tsx and from dist.
 */
const door = new URL('../../src/exporters/index.js', import.meta.url).href;
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function runChild(fn: string, argv: string[]) {
  const code = `import(${JSON.stringify(door)}).then((m) => m.${fn}(${JSON.stringify(argv)})).then(() => process.exit(0), (e) => { console.error(e); process.exit(2); });`;
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--test'));
  const child = spawn(process.execPath, [...execArgv, '--input-type=module', '-e', code], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exit, stderr: () => stderr };
}

test('obs run node-exporter serves /metrics and its landing page, honours collector flags, exits 0 on SIGTERM', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'obs-exporters-standalone-'));
  dirs.push(dir);
  await writeFile(join(dir, 'x.prom'), 'standalone_marker 42\n');
  const port = await freePort();
  const p = runChild('runNodeExporterStandalone', [
    `--web.listen-address=127.0.0.1:${port}`,
    `--collector.textfile.directory=${dir}`,
    '--no-collector.filesystem',
  ]);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/metrics`, 30_000);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const body = await res.text();
    assert.match(body, /^standalone_marker 42$/m);
    assert.match(body, /^node_cpu_seconds_total\{cpu="0",mode="idle"\} /m);
    assert.doesNotMatch(body, /collector="filesystem"/);
    assert.match(await (await fetch(`http://127.0.0.1:${port}/`)).text(), /Node Exporter/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/nope`)).status, 404);
  } finally {
    p.child.kill('SIGTERM');
  }
  assert.equal(await p.exit, 0, p.stderr());
});

test('obs run cadvisor serves on -port at loopback, reports an unreachable engine as container_scrape_error, exits 0', async () => {
  const port = await freePort();
  const p = runChild('runCadvisorStandalone', [
    `-port=${port}`,
    '--docker=unix:///nonexistent/docker.sock',
  ]);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/metrics`, 30_000);
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(body, /^container_scrape_error 1$/m);
    assert.match(body, /^container_last_seen\{id="\/",image="",name=""\} /m);
  } finally {
    p.child.kill('SIGTERM');
  }
  assert.equal(await p.exit, 0, p.stderr());
});

test('unknown flags are refused with the real binaries messages', async () => {
  const node = runChild('runNodeExporterStandalone', ['--collector.bogus']);
  assert.equal(await node.exit, 2);
  assert.match(node.stderr(), /unknown long flag '--collector.bogus'/);
  const cad = runChild('runCadvisorStandalone', ['-bogus']);
  assert.equal(await cad.exit, 2);
  assert.match(cad.stderr(), /flag provided but not defined: -bogus/);
});
