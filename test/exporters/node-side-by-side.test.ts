import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createNodeExporterSource, NODE_COLLECTORS } from '../../src/exporters/index.js';
import { NODE_DEFAULTS } from '../../src/exporters/node/options.js';
import type { ParsedFamily } from '../../src/exporters/exposition-parse.js';
import {
  familiesByName,
  freePort,
  hasCommand,
  promtoolCheck,
  requirePeer,
  seriesKey,
  startProcess,
  stopProcess,
  waitForHttp,
} from './helpers.js';

/**
 * obs's host exporter next to the real node_exporter (Debian's 1.5 here),
 * both with the same collectors and the same filters (obs's defaults are
 * node_exporter 1.8's, which differ from Debian's), scraped at the same
 * moment.
 */
const BINARY = 'prometheus-node-exporter';
const skip = requirePeer(hasCommand(BINARY), BINARY);
const skipPromtool = skip || requirePeer(hasCommand('promtool'), 'promtool');

/** Families obs adds that node_exporter 1.5 lacks: 1.8's additions (cpu "full" PSI line). */
const OBS_ONLY = new Set(['node_pressure_cpu_stalled_seconds_total']);

/** Labels node_exporter gained after 1.5 that obs has (1.6 added adminstate to node_network_info). */
const OBS_ONLY_LABELS: Record<string, string[]> = { node_network_info: ['adminstate'] };

/** Families whose values are timings of the scrape itself, so not comparable. */
const UNCOMPARABLE = new Set(['node_scrape_collector_duration_seconds']);

/**
 * Tolerances: absolute slack by family, and 5% relative on top. Both are
 * read within milliseconds of each other, but memory, disk and the clock move
 * in between; a unit error (x1024, /100, ms vs s) is still far outside.
 */
function tolerance(name: string): number {
  if (name === 'node_time_seconds') return 5;
  if (name.endsWith('_bytes') || name.endsWith('_bytes_total')) return 64 * 1024 * 1024;
  if (name.includes('seconds')) return 2;
  if (name.startsWith('node_filesystem_files')) return 10_000;
  return 500;
}

let dir = '';
let port = 0;
let child: ReturnType<typeof startProcess> | undefined;
const filters = {
  mountPointsExclude: NODE_DEFAULTS.mountPointsExclude,
  fsTypesExclude: NODE_DEFAULTS.fsTypesExclude,
  diskstatsDeviceExclude: NODE_DEFAULTS.diskstatsDeviceExclude,
  netstatFields: NODE_DEFAULTS.netstatFields,
  vmstatFields: NODE_DEFAULTS.vmstatFields,
};

before(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), 'obs-exporters-textfile-'));
  await writeFile(
    join(dir, 'batch.prom'),
    '# HELP batch_last_success_seconds Last success.\n# TYPE batch_last_success_seconds gauge\nbatch_last_success_seconds{job="backup"} 1.7e+09\nuntyped_thing{a="b"} 3\n',
  );
  await writeFile(join(dir, 'broken.prom'), 'broken{a="b" 1\n');
  port = await freePort();
  child = startProcess(BINARY, [
    `--web.listen-address=127.0.0.1:${port}`,
    '--collector.disable-defaults',
    ...NODE_COLLECTORS.map((c) => `--collector.${c}`),
    `--collector.textfile.directory=${dir}`,
    `--collector.filesystem.mount-points-exclude=${filters.mountPointsExclude}`,
    `--collector.filesystem.fs-types-exclude=${filters.fsTypesExclude}`,
    `--collector.diskstats.device-exclude=${filters.diskstatsDeviceExclude}`,
    `--collector.netstat.fields=${filters.netstatFields}`,
    `--collector.vmstat.fields=${filters.vmstatFields}`,
    // Debian's build excludes lo by default; upstream (and obs) do not.
    '--collector.netdev.device-exclude=^$',
  ]);
  await waitForHttp(`http://127.0.0.1:${port}/metrics`);
});

after(async () => {
  if (child) await stopProcess(child);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function scrapeBoth(): Promise<[string, string]> {
  const obs = createNodeExporterSource({ textfileDirectory: dir, ...filters });
  try {
    return await Promise.all([
      fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()),
      obs.collect().then((r) => r.body),
    ]);
  } finally {
    obs.close();
  }
}

function isExporterOwn(name: string): boolean {
  return /^(go_|process_|promhttp_|node_exporter_build_info)/.test(name);
}

function compare(real: Map<string, ParsedFamily>, ours: Map<string, ParsedFamily>): string[] {
  const problems: string[] = [];
  for (const [name, rf] of real) {
    if (isExporterOwn(name)) continue;
    const of = ours.get(name);
    if (!of) {
      problems.push(`missing family ${name}`);
      continue;
    }
    if (of.type !== rf.type) problems.push(`${name}: type ${of.type}, want ${rf.type}`);
    if (of.help !== rf.help)
      problems.push(`${name}: HELP ${JSON.stringify(of.help)}, want ${JSON.stringify(rf.help)}`);
    const extraLabels = OBS_ONLY_LABELS[name] ?? [];
    for (const s of of.samples) {
      for (const l of extraLabels) {
        if (!(l in s.labels)) problems.push(`${name}: no ${l} label`);
        delete s.labels[l];
      }
    }
    const oursByKey = new Map(of.samples.map((s) => [seriesKey(s.name, s.labels), s.value]));
    for (const s of rf.samples) {
      const key = seriesKey(s.name, s.labels);
      const v = oursByKey.get(key);
      if (v === undefined) {
        problems.push(`missing series ${key}`);
        continue;
      }
      if (UNCOMPARABLE.has(name)) continue;
      const slack = tolerance(name) + 0.05 * Math.max(Math.abs(v), Math.abs(s.value));
      if (Math.abs(v - s.value) > slack) problems.push(`${key}: ${v}, want ${s.value} ± ${slack}`);
    }
    for (const s of of.samples) {
      const key = seriesKey(s.name, s.labels);
      if (!rf.samples.some((r) => seriesKey(r.name, r.labels) === key)) {
        problems.push(`extra series ${key}`);
      }
    }
  }
  for (const name of ours.keys()) {
    if (!real.has(name) && !OBS_ONLY.has(name)) problems.push(`extra family ${name}`);
  }
  return problems;
}

test('every family and series node_exporter exposes, obs exposes alike', { skip }, async () => {
  // Mounts and devices can change between the two reads (other engines on
  // this machine); a second pair of scrapes settles that.
  let problems: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const [real, ours] = await scrapeBoth();
    problems = compare(familiesByName(real), familiesByName(ours));
    if (problems.length === 0) break;
  }
  assert.deepEqual(problems, []);
});

test(
  'collector success and the textfile collector agree with node_exporter',
  { skip },
  async () => {
    const [real, ours] = await scrapeBoth();
    const r = familiesByName(real);
    const o = familiesByName(ours);
    for (const name of [
      'node_scrape_collector_success',
      'node_textfile_scrape_error',
      'batch_last_success_seconds',
      'untyped_thing',
    ]) {
      assert.deepEqual(
        o.get(name)?.samples.map((s) => [seriesKey(s.name, s.labels), s.value]),
        r.get(name)?.samples.map((s) => [seriesKey(s.name, s.labels), s.value]),
        name,
      );
    }
    assert.equal(
      o.get('node_textfile_scrape_error')!.samples[0]!.value,
      1,
      'broken.prom is reported',
    );
    assert.equal(o.get('untyped_thing')!.help, r.get('untyped_thing')!.help);
    assert.deepEqual(
      o.get('node_scrape_collector_success')!.samples.map((s) => s.labels.collector),
      [...NODE_COLLECTORS],
    );
  },
);

test(
  'promtool check metrics finds nothing in obs output it does not find in node_exporter',
  { skip: skipPromtool },
  async () => {
    const [real, ours] = await scrapeBoth();
    const r = promtoolCheck(real);
    const o = promtoolCheck(ours);
    assert.notEqual(o.status, 1, `promtool could not parse obs output: ${o.problems.join('\n')}`);
    const known = new Set(r.problems);
    // node_exporter's own camelCase names draw lint warnings; obs must add none of another kind.
    const added = o.problems.filter(
      (p) => !known.has(p) && !/should be written in 'snake_case'/.test(p),
    );
    assert.deepEqual(added, []);
  },
);
