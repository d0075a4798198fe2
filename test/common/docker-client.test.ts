import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DockerApiError,
  DockerClient,
  parseRfc3339Nano,
  type DockerLogLine,
} from '../../src/common/docker-client.js';
import { startDockerEngine, type DockerEngine } from '../agent/docker/engine.js';

let engine: DockerEngine | undefined;
let client: DockerClient;

before(async () => {
  engine = await startDockerEngine();
  if (engine) client = new DockerClient(engine.host);
});

after(async () => {
  client?.close();
  await engine?.stop();
});

function skipWithoutDocker(t: { skip(msg: string): void }): boolean {
  if (engine) return false;
  t.skip('no Docker engine (../shared/tools/dockerd-up.sh failed)');
  return true;
}

async function collect(it: AsyncIterable<DockerLogLine>): Promise<DockerLogLine[]> {
  const out: DockerLogLine[] = [];
  for await (const l of it) out.push(l);
  return out;
}

test('RFC 3339 timestamps with nanoseconds', () => {
  const cases: [string, bigint | undefined][] = [
    ['2026-11-26T22:48:19.897339539Z', 1795733299897339539n],
    ['2026-11-26T22:48:19Z', 1795733299000000000n],
    ['2026-11-26T22:48:19.5Z', 1795733299500000000n],
    ['2026-11-26T23:48:19.000000001+01:00', 1795733299000000001n],
    ['yesterday', undefined],
  ];
  for (const [text, ns] of cases) assert.equal(parseRfc3339Nano(text), ns, text);
});

test('ping, list, inspect and a 404 from the daemon', async (t) => {
  if (skipWithoutDocker(t)) return;
  assert.equal(await client.ping(), 'OK');
  const id = await engine!.docker(
    ...['run', '-d', '--network', 'none', '--label', 'com.docker.compose.project=demo'],
    ...['--name', `obs-dc-list-${process.pid}`, 'obs-test/busybox', 'sleep', '30'],
  );
  t.after(() => engine!.docker('rm', '-f', id));
  const running = await client.listContainers();
  const mine = running.find((c) => c.Id === id);
  assert.ok(mine, 'running container listed');
  assert.deepEqual(mine.Names, [`/obs-dc-list-${process.pid}`]);
  assert.equal(mine.Labels?.['com.docker.compose.project'], 'demo');
  assert.equal(mine.HostConfig.NetworkMode, 'none');
  const filtered = await client.listContainers({
    filters: { label: ['com.docker.compose.project=other'] },
  });
  assert.equal(
    filtered.find((c) => c.Id === id),
    undefined,
  );
  const info = await client.inspectContainer(id);
  assert.equal(info.Config.Tty, false);
  assert.equal(info.State.Running, true);
  await assert.rejects(client.inspectContainer('no-such-container'), (err: unknown) => {
    assert.ok(err instanceof DockerApiError);
    assert.equal(err.status, 404);
    assert.match(err.message, /no-such-container/);
    return true;
  });
  const networks = await client.listNetworks();
  assert.ok(networks.some((n) => n.Name === 'none'));
});

test('logs: stdout and stderr demultiplexed, long lines rejoined, timestamps in order', async (t) => {
  if (skipWithoutDocker(t)) return;
  const script = [
    'echo "out 1"',
    'echo "err 1" >&2',
    'printf "%040000d\\n" 7',
    'echo "héllo wörld ✓"',
    'echo "err 2" >&2',
    'printf "no newline at end"',
  ].join('; ');
  const before = BigInt(Date.now() - 1000) * 1_000_000n;
  const id = await engine!.docker(
    'run',
    '-d',
    '--network',
    'none',
    'obs-test/busybox',
    'sh',
    '-c',
    script,
  );
  t.after(() => engine!.docker('rm', '-f', id));
  await engine!.docker('wait', id);
  const lines = await collect(client.containerLogs(id, { timestamps: true }));
  const byStream = (s: string) => lines.filter((l) => l.stream === s).map((l) => l.line);
  assert.deepEqual(byStream('stdout'), [
    'out 1',
    '7'.padStart(40000, '0'),
    'héllo wörld ✓',
    'no newline at end',
  ]);
  assert.deepEqual(byStream('stderr'), ['err 1', 'err 2']);
  const now = BigInt(Date.now() + 1000) * 1_000_000n;
  for (const l of lines) assert.ok(l.timestamp > before && l.timestamp < now, String(l.timestamp));
  const stdoutTs = lines.filter((l) => l.stream === 'stdout').map((l) => l.timestamp);
  assert.deepEqual([...stdoutTs].sort(), stdoutTs);

  const onlyErr = await collect(client.containerLogs(id, { stdout: false, timestamps: true }));
  assert.deepEqual(
    onlyErr.map((l) => l.line),
    ['err 1', 'err 2'],
  );
  const since = await collect(
    client.containerLogs(id, { timestamps: true, since: lines[4]!.timestamp }),
  );
  assert.ok(since.length < lines.length && since.length >= 2, `since gave ${since.length}`);
});

test('logs of a TTY container are one raw stream', async (t) => {
  if (skipWithoutDocker(t)) return;
  const id = await engine!.docker(
    ...['run', '-d', '-t', '--network', 'none', 'obs-test/busybox'],
    ...['sh', '-c', 'echo one; echo two >&2; echo three'],
  );
  t.after(() => engine!.docker('rm', '-f', id));
  await engine!.docker('wait', id);
  const lines = await collect(client.containerLogs(id, { timestamps: true }));
  assert.deepEqual(
    lines.map((l) => [l.stream, l.line]),
    [
      ['stdout', 'one'],
      ['stdout', 'two'],
      ['stdout', 'three'],
    ],
  );
});

test('follow: lines arrive while the container runs, the stream ends when it stops', async (t) => {
  if (skipWithoutDocker(t)) return;
  const id = await engine!.docker(
    ...['run', '-d', '--network', 'none', 'obs-test/busybox'],
    ...['sh', '-c', 'for i in 1 2 3 4 5; do echo line $i; sleep 0.2; done'],
  );
  t.after(() => engine!.docker('rm', '-f', id));
  const lines = await collect(client.containerLogs(id, { follow: true, timestamps: true }));
  assert.deepEqual(
    lines.map((l) => l.line),
    ['line 1', 'line 2', 'line 3', 'line 4', 'line 5'],
  );
});

test('follow stops quietly on abort; events report container starts', async (t) => {
  if (skipWithoutDocker(t)) return;
  const ac = new AbortController();
  const events: string[] = [];
  const watching = (async () => {
    for await (const e of client.events({ filters: { type: ['container'] } }, ac.signal)) {
      events.push(`${e.Action} ${e.Actor.ID}`);
    }
  })();
  await new Promise((r) => setTimeout(r, 200));
  const id = await engine!.docker(
    ...['run', '-d', '--network', 'none', 'obs-test/busybox'],
    ...['sh', '-c', 'while :; do echo tick; sleep 0.1; done'],
  );
  t.after(() => engine!.docker('rm', '-f', id));
  const logs = new AbortController();
  const got: string[] = [];
  for await (const l of client.containerLogs(id, { follow: true }, logs.signal)) {
    got.push(l.line);
    if (got.length === 3) logs.abort();
  }
  assert.deepEqual(got, ['tick', 'tick', 'tick']);
  const stats = await client.containerStats(id, { oneShot: true });
  assert.ok('memory_stats' in stats);
  ac.abort();
  await watching;
  assert.ok(events.includes(`start ${id}`), events.join('\n'));
});
