import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import type tls from 'node:tls';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type { AgentEntry, LogsReceiver } from '../../../src/agent/component.js';
import { discoveryDocker } from '../../../src/agent/components/discovery-docker.js';
import { dockerClientFor } from '../../../src/agent/components/http-client/index.js';
import { lokiSourceDocker } from '../../../src/agent/components/loki-source-docker.js';
import { DockerApiError } from '../../../src/common/docker-client.js';
import { compileRelabel } from '../../../src/common/relabel.js';
import { makePki, type TestPki } from '../http-client/servers.js';
import { start, until } from '../run-component.js';
import { startDockerEngine, type DockerEngine } from './engine.js';

const logger = pino({ level: process.env.DEBUG_LOG ?? 'silent' });
let engine: DockerEngine | undefined;
const dirs: string[] = [];

before(async () => {
  engine = await startDockerEngine();
});
after(async () => {
  await engine?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function skipWithoutDocker(t: { skip(msg: string): void }): boolean {
  if (engine) return false;
  t.skip('no Docker engine (../shared/tools/dockerd-up.sh failed)');
  return true;
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'obs-source-docker-'));
  dirs.push(d);
  return d;
}

/** The seed's discovery.relabel rules for Docker logs (label schema: container_name, image, compose_project). */
const seedRules = compileRelabel([
  {
    source_labels: ['__meta_docker_container_name'],
    regex: '/(.*)',
    target_label: 'container_name',
  },
  {
    source_labels: ['__meta_docker_container_label_com_docker_compose_project'],
    target_label: 'compose_project',
  },
  { source_labels: ['__meta_docker_container_image'], target_label: 'image' },
  { source_labels: ['__meta_docker_container_log_stream'], target_label: 'stream' },
]);

test('discovery.docker exports Prometheus docker SD labels, plus the image', async (t) => {
  if (skipWithoutDocker(t)) return;
  const name = `obs-sd-${process.pid}`;
  const id = await engine!.docker(
    ...['run', '-d', '--network', 'none', '--name', name],
    ...['--label', 'com.docker.compose.project=infra_observability', '--label', 'odd-key.x=1'],
    ...['obs-test/busybox', 'sleep', '60'],
  );
  t.after(() => engine!.docker('rm', '-f', id));
  let changes = 0;
  const sd = discoveryDocker.build(
    { id: 'discovery.docker.t', dataPath: tempDir(), logger, onExportsChange: () => changes++ },
    { host: engine!.host, refresh_interval: 60_000, filter: [{ name: 'name', values: [name] }] },
  );
  const run = start(sd);
  await until(() => changes > 0, 20_000);
  await run.stop();
  const targets = sd.exports().targets as Record<string, string>[];
  assert.equal(targets.length, 1);
  const target = targets[0]!;
  const networkId = target.__meta_docker_network_id!;
  assert.match(networkId, /^[0-9a-f]{64}$/);
  assert.deepEqual(target, {
    __address__: ':80',
    __meta_docker_container_id: id,
    __meta_docker_container_name: `/${name}`,
    __meta_docker_container_network_mode: 'none',
    __meta_docker_container_image: 'obs-test/busybox',
    __meta_docker_container_label_com_docker_compose_project: 'infra_observability',
    __meta_docker_container_label_odd_key_x: '1',
    __meta_docker_network_id: networkId,
    __meta_docker_network_ingress: 'false',
    __meta_docker_network_internal: 'false',
    __meta_docker_network_ip: '',
    __meta_docker_network_name: 'none',
    __meta_docker_network_scope: 'local',
  });
});

/**
 * Containers log, one is restarted, one is removed, and the agent itself
 * restarts in the middle; every line must arrive once, with the seed's
 * labels. Each container run numbers its lines (run N line I), the run
 * number kept in the container's own filesystem across restarts.
 */
test('loki.source.docker: every line once across container and agent restarts', async (t) => {
  if (skipWithoutDocker(t)) return;
  const script =
    'n=$(cat /tmp/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /tmp/n; ' +
    'for i in $(seq 1 200); do echo "$HOSTNAME run $n line $i"; [ $((i % 50)) = 0 ] && echo "$HOSTNAME run $n err $i" >&2; done; ' +
    'sleep 1; for i in $(seq 201 300); do echo "$HOSTNAME run $n line $i"; sleep 0.01; done; sleep 600';
  const ids: string[] = [];
  const names = ['alpha', 'beta'].map((n) => `obs-logs-${n}-${process.pid}`);
  for (const name of names) {
    ids.push(
      await engine!.docker(
        ...['run', '-d', '--network', 'none', '--name', name, '--hostname', name],
        ...['--label', 'com.docker.compose.project=demo', 'obs-test/busybox', 'sh', '-c', script],
      ),
    );
  }
  t.after(() => engine!.docker('rm', '-f', ...ids).catch(() => ''));

  const entries: AgentEntry[] = [];
  const receiver: LogsReceiver = { send: async (batch) => void entries.push(...batch) };
  const dataPath = tempDir();
  const sd = discoveryDocker.build(
    { id: 'discovery.docker.t', dataPath, logger, onExportsChange: () => void wire() },
    {
      host: engine!.host,
      refresh_interval: 60_000,
      filter: [{ name: 'label', values: ['com.docker.compose.project=demo'] }],
    },
  );
  const build = () =>
    lokiSourceDocker.build(
      { id: 'loki.source.docker.t', dataPath: join(dataPath, 'src'), logger },
      {
        host: engine!.host,
        targets: [],
        forward_to: [receiver],
        labels: { job: 'dockerlogs' },
        relabel_rules: seedRules,
      },
    );
  let source = build();
  const wire = () =>
    source.update({
      host: engine!.host,
      targets: sd.exports().targets,
      forward_to: [receiver],
      labels: { job: 'dockerlogs' },
      relabel_rules: seedRules,
    });
  const sdRun = start(sd);
  let run = start(source);
  const count = (name: string, run: number) =>
    entries.filter((e) => e.line.startsWith(`${name} run ${run} `)).length;
  await until(() => count(names[0]!, 1) > 100, 20_000, 'first lines');

  // The agent restarts while the containers keep logging.
  await run.stop();
  await new Promise((r) => setTimeout(r, 500));
  source = build();
  run = start(source);
  await wire();
  await until(
    () => names.every((n) => count(n, 1) === 304),
    30_000,
    () => `all of run 1 ${names.map((n) => count(n, 1)).join(' ')}`,
  );

  // A container restart: same id, a second run of lines.
  await engine!.docker('restart', '-t', '0', ids[0]!);
  await until(() => count(names[0]!, 2) === 304, 30_000, 'run 2 after the container restart');

  // A removed container's reader ends and forgets its position.
  await engine!.docker('rm', '-f', ids[1]!);
  await new Promise((r) => setTimeout(r, 1500));
  await run.stop();
  await sdRun.stop();

  const lines = entries.map((e) => e.line);
  assert.equal(new Set(lines).size, lines.length, 'no line doubled');
  assert.equal(count(names[0]!, 1) + count(names[0]!, 2) + count(names[1]!, 1), lines.length);
  const sample = entries.find((e) => e.line === `${names[0]} run 1 line 7`)!;
  assert.deepEqual(sample.labels, {
    job: 'dockerlogs',
    container_name: names[0],
    image: 'obs-test/busybox',
    compose_project: 'demo',
    stream: 'stdout',
  });
  const err = entries.find((e) => e.line === `${names[1]} run 1 err 50`)!;
  assert.equal(err.labels.stream, 'stderr');
  const ts = entries
    .filter((e) => e.line.startsWith(`${names[0]} run 1 line`))
    .map((e) => e.timestamp);
  assert.deepEqual(
    [...ts].sort((a, b) => (a < b ? -1 : 1)),
    ts,
    'timestamps from the daemon, in order',
  );
});

/** The engine's unix socket offered on a loopback TCP port, as `dockerd -H tcp://` would. */
async function tcpForwarder(unixHost: string) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const up = net.connect(unixHost.replace(/^unix:\/\//, ''));
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(up).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  let connections = 0;
  server.on('connection', () => connections++);
  return {
    host: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

test('discovery.docker and loki.source.docker over tcp://, with port and filter', async (t) => {
  if (skipWithoutDocker(t)) return;
  if (!engine!.host.startsWith('unix://')) return t.skip('DOCKER_HOST is not a unix socket');
  const forwarder = await tcpForwarder(engine!.host);
  t.after(() => forwarder.close());
  const name = `obs-tcp-${process.pid}`;
  const id = await engine!.docker(
    ...['run', '-d', '--network', 'none', '--name', name, '--label', 'obs.tcp=yes'],
    ...['obs-test/busybox', 'sh', '-c', 'for i in 1 2 3; do echo "tcp line $i"; done; sleep 60'],
  );
  t.after(() => engine!.docker('rm', '-f', id));
  let changes = 0;
  const sd = discoveryDocker.build(
    { id: 'discovery.docker.tcp', dataPath: tempDir(), logger, onExportsChange: () => changes++ },
    {
      host: forwarder.host,
      port: 9100,
      refresh_interval: 60_000,
      filter: [{ name: 'label', values: ['obs.tcp=yes'] }],
    },
  );
  const sdRun = start(sd);
  await until(() => changes > 0, 20_000, 'targets over tcp');
  const targets = sd.exports().targets as Record<string, string>[];
  assert.deepEqual(
    targets.map((l) => [l.__address__, l.__meta_docker_container_name]),
    [[':9100', `/${name}`]],
  );
  const entries: AgentEntry[] = [];
  const source = lokiSourceDocker.build(
    { id: 'loki.source.docker.tcp', dataPath: tempDir(), logger },
    {
      host: forwarder.host,
      targets,
      forward_to: [{ send: async (batch: AgentEntry[]) => void entries.push(...batch) }],
      labels: { job: 'tcp' },
    },
  );
  const run = start(source);
  await until(() => entries.length === 3, 20_000, 'lines over tcp');
  await run.stop();
  await sdRun.stop();
  assert.deepEqual(
    entries.map((e) => e.line),
    ['tcp line 1', 'tcp line 2', 'tcp line 3'],
  );
  assert.ok(forwarder.connections() > 0, 'the daemon was reached through the tcp port');
});

/**
 * The engine behind an HTTPS front that demands a client certificate from
 * the test CA and basic auth, as a TLS-protected `dockerd -H` (or a proxy
 * before it) would; requests are streamed through to the unix socket.
 */
async function httpsFront(unixHost: string, pki: TestPki, authorization: string) {
  const seen: { authorized: boolean; clientCert: boolean; path: string }[] = [];
  const server = http2.createSecureServer(
    {
      key: pki.serverKey,
      cert: pki.serverCert,
      ca: pki.ca,
      requestCert: true,
      rejectUnauthorized: true,
      allowHTTP1: true,
    },
    (req, res) => {
      const socket = req.socket as tls.TLSSocket;
      const ok = req.headers.authorization === authorization;
      seen.push({ authorized: ok, clientCert: socket.authorized, path: req.url ?? '' });
      if (!ok) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"message":"unauthorized"}');
        return;
      }
      const up = http.request(
        { socketPath: unixHost.replace(/^unix:\/\//, ''), method: req.method, path: req.url },
        (r) => {
          res.writeHead(r.statusCode ?? 502, { 'content-type': r.headers['content-type'] ?? '' });
          r.pipe(res as unknown as NodeJS.WritableStream);
        },
      );
      up.on('error', () => res.destroy());
      res.on('close', () => up.destroy());
      up.end();
    },
  );
  const sockets = new Set<net.Socket>();
  server.on('secureConnection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

test('discovery.docker and loki.source.docker over https:// apply tls_config and basic_auth, as Alloy does', async (t) => {
  if (skipWithoutDocker(t)) return;
  if (!engine!.host.startsWith('unix://')) return t.skip('DOCKER_HOST is not a unix socket');
  const pki = makePki();
  t.after(() => pki.remove());
  const front = await httpsFront(
    engine!.host,
    pki,
    `Basic ${Buffer.from('u:p').toString('base64')}`,
  );
  t.after(() => front.close());
  const client = {
    tls_config: {
      ca_file: pki.caFile,
      cert_file: pki.clientCertFile,
      key_file: pki.clientKeyFile,
      server_name: 'loki.test',
    },
    basic_auth: { username: 'u', password: 'p' },
  };
  const name = `obs-https-${process.pid}`;
  const id = await engine!.docker(
    ...['run', '-d', '--network', 'none', '--name', name, '--label', 'obs.https=yes'],
    ...['obs-test/busybox', 'sh', '-c', 'for i in 1 2; do echo "https line $i"; done; sleep 60'],
  );
  t.after(() => engine!.docker('rm', '-f', id));

  // Without the client settings the front refuses: they are what gets through.
  const bare = dockerClientFor(front.host, {
    tls_config: { ca_file: pki.caFile, server_name: 'loki.test' },
  });
  await assert.rejects(bare.ping());
  bare.close();
  const noAuth = dockerClientFor(front.host, { tls_config: client.tls_config });
  await assert.rejects(
    noAuth.ping(),
    (err: Error) => err instanceof DockerApiError && err.status === 401,
  );
  noAuth.close();

  let changes = 0;
  const sd = discoveryDocker.build(
    { id: 'discovery.docker.https', dataPath: tempDir(), logger, onExportsChange: () => changes++ },
    {
      host: front.host,
      refresh_interval: 60_000,
      filter: [{ name: 'label', values: ['obs.https=yes'] }],
      ...client,
    },
  );
  const sdRun = start(sd);
  await until(() => changes > 0, 20_000, 'targets over https');
  const targets = sd.exports().targets as Record<string, string>[];
  assert.deepEqual(
    targets.map((l) => l.__meta_docker_container_name),
    [`/${name}`],
  );
  const entries: AgentEntry[] = [];
  const source = lokiSourceDocker.build(
    { id: 'loki.source.docker.https', dataPath: tempDir(), logger },
    {
      host: front.host,
      targets,
      forward_to: [{ send: async (batch: AgentEntry[]) => void entries.push(...batch) }],
      http_client_config: client,
    },
  );
  const run = start(source);
  await until(() => entries.length === 2, 20_000, 'lines over https');
  await run.stop();
  await sdRun.stop();
  assert.deepEqual(
    entries.map((e) => e.line),
    ['https line 1', 'https line 2'],
  );
  const through = front.seen.filter((s) => s.authorized);
  assert.ok(
    through.some((s) => s.path.startsWith('/containers/json')) &&
      through.some((s) => s.path.includes('/logs')),
    `listing and logs went through the front: ${JSON.stringify(front.seen)}`,
  );
  assert.ok(
    front.seen.every((s) => s.clientCert),
    'every request came with the client certificate',
  );
});
