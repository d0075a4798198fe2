import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createCadvisorSource } from '../../src/exporters/index.js';
import type { ParsedFamily } from '../../src/exporters/exposition-parse.js';
import { sharedDir } from '../support/repo.js';
import { familiesByName, hasCommand, promtoolCheck, requirePeer } from './helpers.js';

/**
 * The container exporter against a real Docker engine (a private dockerd
 * from ../shared/tools/dockerd-up.sh): busybox containers burning CPU,
 * holding memory and doing direct I/O show up with cAdvisor's labels, their
 * counters rise, and their series go when the container does.
 */
const DIR = '/tmp/obs-dockerd-exporters';
const SOCK = `unix://${DIR}/docker.sock`;
const tools = join(sharedDir(), 'tools');
const canRoot = process.getuid?.() === 0 && hasCommand('dockerd') && hasCommand('docker');
const skip = requirePeer(canRoot, 'a root shell with docker.io (dockerd)');

let startedEngine = false;
const started: string[] = [];

function docker(...args: string[]): string {
  const r = spawnSync('docker', args, {
    env: { ...process.env, DOCKER_HOST: SOCK },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function engineAnswers(): boolean {
  return (
    spawnSync('docker', ['version'], { env: { ...process.env, DOCKER_HOST: SOCK } }).status === 0
  );
}

function run(name: string, extra: string[], script: string): string {
  const id = docker(
    'run',
    '-d',
    '--network',
    'none',
    '--name',
    name,
    ...extra,
    'obs-test/busybox',
    'sh',
    '-c',
    script,
  );
  started.push(id);
  return id;
}

before(() => {
  if (skip) return;
  startedEngine = !engineAnswers();
  const up = spawnSync(join(tools, 'dockerd-up.sh'), [DIR], { encoding: 'utf8' });
  if (up.status !== 0) throw new Error(`dockerd-up.sh failed: ${up.stderr}`);
  for (const name of ['obs-exp-cpu', 'obs-exp-mem', 'obs-exp-io']) {
    spawnSync('docker', ['rm', '-f', name], { env: { ...process.env, DOCKER_HOST: SOCK } });
  }
});

after(() => {
  if (skip) return;
  for (const id of started)
    spawnSync('docker', ['rm', '-f', id], { env: { ...process.env, DOCKER_HOST: SOCK } });
  if (startedEngine) spawnSync(join(tools, 'dockerd-down.sh'), [DIR]);
});

function series(f: ParsedFamily | undefined, name: string) {
  return (f?.samples ?? []).filter((s) => s.labels.name === name);
}

function sum(f: ParsedFamily | undefined, name: string): number {
  return series(f, name).reduce((a, s) => a + s.value, 0);
}

test(
  'busybox containers appear with cAdvisor labels, rise with their work, and go',
  { skip, timeout: 120_000 },
  async () => {
    const cpuId = run(
      'obs-exp-cpu',
      ['--label', 'com.example.team=obs-tests', '--cpus', '0.2'],
      'while :; do :; done',
    );
    // dd holds its 40 MiB buffer while blocked writing into a pipe nobody reads.
    run('obs-exp-mem', [], 'busybox dd if=/dev/zero bs=40M count=1 | sleep 600');
    // Direct I/O, with a (generous) throttle rule so the v1 blkio controller accounts it.
    run(
      'obs-exp-io',
      ['--device-write-bps', '/dev/vda:2000mb', '--device-read-bps', '/dev/vda:2000mb'],
      'while :; do busybox dd if=/dev/zero of=/tmp/f bs=1M count=8 oflag=direct 2>/dev/null; busybox dd if=/tmp/f of=/dev/null bs=1M iflag=direct 2>/dev/null; sleep 0.2; done',
    );
    const src = createCadvisorSource({ docker: SOCK });
    try {
      const MiB = 1024 * 1024;
      const cpu = (f: Map<string, ParsedFamily>) =>
        sum(f.get('container_cpu_usage_seconds_total'), 'obs-exp-cpu');
      const written = (f: Map<string, ParsedFamily>) =>
        sum(f.get('container_fs_writes_bytes_total'), 'obs-exp-io');
      const read = (f: Map<string, ParsedFamily>) =>
        sum(f.get('container_fs_reads_bytes_total'), 'obs-exp-io');
      const throttled = (f: Map<string, ParsedFamily>) =>
        sum(f.get('container_cpu_cfs_throttled_periods_total'), 'obs-exp-cpu');
      const rss = (f: Map<string, ParsedFamily>) =>
        sum(f.get('container_memory_rss'), 'obs-exp-mem');
      await new Promise((r) => setTimeout(r, 1000));
      const first = familiesByName((await src.collect()).body);
      // Scrape until the work shows (a loaded machine may give the containers little CPU at first).
      let body = '';
      let second = first;
      const deadline = Date.now() + 20_000;
      do {
        await new Promise((r) => setTimeout(r, 500));
        body = (await src.collect()).body;
        second = familiesByName(body);
      } while (
        !(
          cpu(second) - cpu(first) > 0.3 &&
          throttled(second) > 0 &&
          written(second) > written(first) &&
          read(second) >= 8 * MiB &&
          rss(second) > 40 * MiB
        ) &&
        Date.now() < deadline
      );

      // Labels: id is the container's cgroup, name and image from the engine, labels sanitised.
      const cpuSeries = series(second.get('container_cpu_user_seconds_total'), 'obs-exp-cpu');
      assert.equal(cpuSeries.length, 1);
      const labels = cpuSeries[0]!.labels;
      assert.match(labels.id!, new RegExp(`^/.*${cpuId}`));
      assert.equal(labels.image, 'obs-test/busybox');
      assert.equal(labels.container_label_com_example_team, 'obs-tests');
      // Every series carries the union of label names; the root has them empty.
      const root = second.get('container_last_seen')!.samples.find((s) => s.labels.id === '/')!;
      assert.equal(root.labels.container_label_com_example_team, '');
      assert.equal(root.labels.name, '');

      // CPU: the burner's usage rises, against its fifth-of-a-CPU quota.
      assert.ok(cpu(second) - cpu(first) > 0.3, `cpu rose ${cpu(second) - cpu(first)} s`);
      assert.ok(sum(second.get('container_cpu_user_seconds_total'), 'obs-exp-cpu') > 0);
      assert.equal(sum(second.get('container_spec_cpu_quota'), 'obs-exp-cpu'), 20000);
      assert.equal(sum(second.get('container_spec_cpu_period'), 'obs-exp-cpu'), 100000);
      assert.ok(throttled(second) > 0, 'the quota throttles the burner');
      assert.equal(series(second.get('container_spec_cpu_quota'), 'obs-exp-mem').length, 0);

      // Memory: the 40 MiB buffer is resident and in the working set.
      for (const name of [
        'container_memory_rss',
        'container_memory_working_set_bytes',
        'container_memory_usage_bytes',
      ]) {
        const v = sum(second.get(name), 'obs-exp-mem');
        assert.ok(v > 40 * 1024 * 1024, `${name} ${v}`);
      }
      assert.equal(sum(second.get('container_spec_memory_limit_bytes'), 'obs-exp-mem'), 0);

      // I/O: bytes written and read directly to the disk rise.
      assert.ok(written(second) >= 8 * 1024 * 1024, `written ${written(second)}`);
      assert.ok(written(second) > written(first), 'writes rise');
      assert.ok(sum(second.get('container_fs_reads_bytes_total'), 'obs-exp-io') >= 8 * 1024 * 1024);
      assert.match(
        series(second.get('container_fs_writes_bytes_total'), 'obs-exp-io')[0]!.labels.device!,
        /^\/dev\//,
      );

      // Times: created just now, seen now.
      const start = sum(second.get('container_start_time_seconds'), 'obs-exp-cpu');
      assert.ok(Math.abs(start - Date.now() / 1000) < 60, `start ${start}`);
      const seen = sum(second.get('container_last_seen'), 'obs-exp-cpu');
      assert.ok(Math.abs(seen - Date.now() / 1000) < 5, `last seen ${seen}`);
      assert.equal(second.get('container_scrape_error')!.samples[0]!.value, 0);

      // promtool parses it; its only remark is the one real cAdvisor draws too.
      if (hasCommand('promtool')) {
        const check = promtoolCheck(body);
        assert.notEqual(check.status, 1, check.problems.join('\n'));
        assert.deepEqual(
          check.problems.filter(
            (p) =>
              !p.startsWith('container_memory_failcnt counter metrics should have "_total" suffix'),
          ),
          [],
        );
      }

      // Gone: no series names the container once it is removed.
      docker('rm', '-f', 'obs-exp-cpu');
      const gone = (await src.collect()).body;
      assert.ok(!gone.includes('name="obs-exp-cpu"'));
      assert.ok(!gone.includes(cpuId));
      assert.ok(gone.includes('name="obs-exp-mem"'));
    } finally {
      src.close();
    }
  },
);
