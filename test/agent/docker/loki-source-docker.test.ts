import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type { AgentEntry, Component, LogsReceiver } from '../../../src/agent/component.js';
import { discoveryDocker } from '../../../src/agent/components/discovery-docker.js';
import { lokiSourceDocker } from '../../../src/agent/components/loki-source-docker.js';
import { compileRelabel } from '../../../src/common/relabel.js';
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

function start(component: Component) {
  const ac = new AbortController();
  const done = component.run(ac.signal);
  return { stop: async () => (ac.abort(), await done) };
}

async function until(
  cond: () => boolean,
  ms = 20_000,
  what = 'condition',
  state = () => '',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${state()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
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
  await until(() => changes > 0);
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
    'all of run 1',
    () => names.map((n) => count(n, 1)).join(' '),
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
