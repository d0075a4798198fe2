import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { pino } from 'pino';
import type { AgentEntry, LogsReceiver } from '../../../src/agent/component.js';
import { lokiSourceJournal } from '../../../src/agent/components/loki-source-journal.js';
import { start, until } from '../run-component.js';
import { compileRelabel } from '../../../src/common/relabel.js';
import { repoRoot } from '../../support/repo.js';

const logger = pino({ level: process.env.DEBUG_LOG ?? 'silent' });
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'obs-journal-'));
  dirs.push(d);
  return d;
}

/** Appends entries to real journal files with ../shared/tools/journal-fixture.sh. */
async function writeJournal(dir: string, entries: Record<string, string>[]): Promise<void> {
  const text = entries
    .map(
      (e) =>
        Object.entries(e)
          .map(([k, v]) => `${k}=${v}\n`)
          .join('') + '\n',
    )
    .join('');
  const script = join(repoRoot(), '..', 'shared', 'tools', 'journal-fixture.sh');
  await new Promise<void>((resolve, reject) => {
    const child = execFile(script, [dir], { timeout: 120_000 }, (err) =>
      err ? reject(err) : resolve(),
    );
    child.stdin!.end(text);
  });
}

async function journalAvailable(t: { skip(msg: string): void }): Promise<boolean> {
  try {
    await promisify(execFile)('journalctl', ['--version']);
    return true;
  } catch (err) {
    if (process.env.CI === 'true') throw err;
    t.skip('journalctl is not installed');
    return false;
  }
}

const nowUs = () => BigInt(Date.now()) * 1000n;

function entry(message: string | undefined, unit: string, atUs: bigint): Record<string, string> {
  const e: Record<string, string> = {
    __REALTIME_TIMESTAMP: atUs.toString(),
    _SYSTEMD_UNIT: unit,
    PRIORITY: '6',
    _HOSTNAME: 'codeswarm',
  };
  if (message !== undefined) e.MESSAGE = message;
  return e;
}

const unitRules = compileRelabel([
  { source_labels: ['__journal__systemd_unit'], target_label: 'unit' },
  { source_labels: ['__journal_priority'], target_label: 'priority' },
]);

test('journal entries: MESSAGE lines, __journal_* labels for relabel_rules, max_age, cursor across restarts', async (t) => {
  if (!(await journalAvailable(t))) return;
  const journal = tempDir();
  const data = tempDir();
  const base = nowUs();
  await writeJournal(journal, [
    entry('too old', 'demo.service', base - 8n * 3600n * 1_000_000n),
    entry('first', 'demo.service', base),
    entry(undefined, 'demo.service', base + 1n),
    entry('second', 'other.service', base + 2n),
  ]);
  const got: AgentEntry[] = [];
  const receiver: LogsReceiver = { send: async (batch) => void got.push(...batch) };
  const args = {
    forward_to: [receiver],
    path: journal,
    relabel_rules: unitRules,
    labels: { env: 'sandbox' },
    max_age: 7 * 3600_000,
  };
  const build = () =>
    lokiSourceJournal.build({ id: 'loki.source.journal.read', dataPath: data, logger }, args);
  let run = start(build());
  await until(() => got.length === 2, 15_000, 'the first two entries');
  // Entries appended while following arrive too.
  await writeJournal(journal, [entry('third', 'demo.service', base + 3n)]);
  await until(() => got.length === 3, 15_000, 'a followed entry');
  await run.stop();
  assert.match(
    readFileSync(join(data, 'positions.yml'), 'utf8'),
    /path: "cursor-loki.source.journal.read"/,
  );

  await writeJournal(journal, [entry('while down', 'demo.service', base + 4n)]);
  run = start(build());
  await until(() => got.length === 4, 15_000, 'the entry written while down');
  await new Promise((r) => setTimeout(r, 300));
  await run.stop();

  assert.deepEqual(
    got.map((e) => e.line),
    ['first', 'second', 'third', 'while down'],
  );
  assert.deepEqual(got[0]!.labels, {
    job: 'loki.source.journal.read',
    env: 'sandbox',
    unit: 'demo.service',
    priority: '6',
  });
  assert.equal(got[1]!.labels.unit, 'other.service');
  assert.equal(got[0]!.timestamp, base * 1000n);
});

test('format_as_json and matches', async (t) => {
  if (!(await journalAvailable(t))) return;
  const journal = tempDir();
  const base = nowUs();
  await writeJournal(journal, [
    entry('kept', 'demo.service', base),
    entry('filtered out', 'other.service', base + 1n),
  ]);
  const got: AgentEntry[] = [];
  const receiver: LogsReceiver = { send: async (batch) => void got.push(...batch) };
  const run = start(
    lokiSourceJournal.build(
      { id: 'loki.source.journal.json', dataPath: tempDir(), logger },
      {
        forward_to: [receiver],
        path: journal,
        format_as_json: true,
        matches: '_SYSTEMD_UNIT=demo.service',
      },
    ),
  );
  await until(() => got.length === 1, 15_000);
  await new Promise((r) => setTimeout(r, 300));
  await run.stop();
  assert.equal(got.length, 1);
  const fields = JSON.parse(got[0]!.line) as Record<string, string>;
  assert.equal(fields.MESSAGE, 'kept');
  assert.equal(fields._SYSTEMD_UNIT, 'demo.service');
  assert.equal(fields.__CURSOR, undefined, 'journalctl address fields are not entry fields');
  assert.deepEqual(
    Object.keys(fields),
    [...Object.keys(fields)].sort(),
    'keys sorted as Go writes a map',
  );
  assert.deepEqual(got[0]!.labels, { job: 'loki.source.journal.json' });
});

/** The journalctl this process started (the component's only child process here). */
async function journalctlPid(): Promise<number> {
  let pid: number | undefined;
  await until(
    () => {
      const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], {
        encoding: 'utf8',
      });
      pid = out
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter(([, comm]) => comm === 'journalctl')
        .map(([p]) => Number(p))[0];
      return pid !== undefined;
    },
    10_000,
    'journalctl to start',
  );
  return pid!;
}

test('stop is quiet when the stop signal reaches journalctl first; an exit on its own is logged and restarted', async (t) => {
  if (!(await journalAvailable(t))) return;
  const journal = tempDir();
  await writeJournal(journal, [entry('one', 'demo.service', nowUs())]);
  const warnings: string[] = [];
  const capture = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  const got: AgentEntry[] = [];
  const receiver: LogsReceiver = { send: async (batch) => void got.push(...batch) };
  const build = () =>
    lokiSourceJournal.build(
      { id: 'loki.source.journal.quiet', dataPath: tempDir(), logger: capture },
      { forward_to: [receiver], path: journal },
    );

  // Ctrl-C in a terminal: SIGINT to journalctl and obs at once.
  let run = start(build());
  await until(() => got.length === 1, 15_000);
  process.kill(await journalctlPid(), 'SIGINT');
  await new Promise((r) => setTimeout(r, 100));
  await run.stop();
  assert.deepEqual(warnings, []);

  run = start(build());
  process.kill(await journalctlPid(), 'SIGTERM');
  await until(() => warnings.length === 1, 5_000, 'the restart warning');
  assert.match(warnings[0]!, /journalctl exited; restarting/);
  await writeJournal(journal, [entry('after restart', 'demo.service', nowUs())]);
  await until(() => got.some((e) => e.line === 'after restart'), 15_000, 'an entry after restart');
  await run.stop();
});

test('__journal_priority_keyword; max_age still applies when resuming from a cursor', async (t) => {
  if (!(await journalAvailable(t))) return;
  const journal = tempDir();
  const data = tempDir();
  const base = nowUs();
  await writeJournal(journal, [entry('first', 'demo.service', base)]);
  const got: AgentEntry[] = [];
  const receiver: LogsReceiver = { send: async (batch) => void got.push(...batch) };
  const args = {
    forward_to: [receiver],
    path: journal,
    max_age: 7 * 3600_000,
    relabel_rules: compileRelabel([
      { source_labels: ['__journal_priority_keyword'], target_label: 'level' },
    ]),
  };
  const build = () =>
    lokiSourceJournal.build({ id: 'loki.source.journal.age', dataPath: data, logger }, args);
  let run = start(build());
  await until(() => got.length === 1, 15_000);
  await run.stop();
  // Written after the cursor, but stamped 8 h ago: older than max_age.
  await writeJournal(journal, [
    entry('stale', 'demo.service', base - 8n * 3600n * 1_000_000n),
    entry('fresh', 'demo.service', base + 1n),
  ]);
  run = start(build());
  await until(() => got.length === 2, 15_000);
  await new Promise((r) => setTimeout(r, 300));
  await run.stop();
  assert.deepEqual(
    got.map((e) => e.line),
    ['first', 'fresh'],
  );
  assert.deepEqual(got[0]!.labels, { job: 'loki.source.journal.age', level: 'info' });
});

test('legacy_position: Promtail’s journal cursor converted on first start', async (t) => {
  if (!(await journalAvailable(t))) return;
  const journal = tempDir();
  const base = nowUs();
  await writeJournal(journal, [
    entry('already shipped', 'first.service', base),
    entry('not yet', 'demo.service', base + 1n),
  ]);
  // A first reader of first.service only: its cursor, at the first entry, plays Promtail's.
  const first = tempDir();
  const seen: AgentEntry[] = [];
  const run1 = start(
    lokiSourceJournal.build(
      { id: 'loki.source.journal.promtail', dataPath: first, logger },
      {
        forward_to: [{ send: async (batch: AgentEntry[]) => void seen.push(...batch) }],
        path: journal,
        matches: '_SYSTEMD_UNIT=first.service',
      },
    ),
  );
  await until(() => seen.length === 1, 15_000);
  await new Promise((r) => setTimeout(r, 200));
  await run1.stop();
  const cursor = /: "(s=[^"]+)"/.exec(readFileSync(join(first, 'positions.yml'), 'utf8'))![1]!;
  const legacy = join(first, 'promtail-positions.yaml');
  writeFileSync(legacy, `positions:\n  cursor-journal_job: "${cursor}"\n`);

  const got: AgentEntry[] = [];
  const receiver: LogsReceiver = { send: async (batch) => void got.push(...batch) };
  const run2 = start(
    lokiSourceJournal.build(
      { id: 'loki.source.journal.read', dataPath: tempDir(), logger },
      {
        forward_to: [receiver],
        path: journal,
        legacy_position: { file: legacy, name: 'journal_job' },
      },
    ),
  );
  await until(() => got.length === 1, 15_000);
  await new Promise((r) => setTimeout(r, 300));
  await run2.stop();
  assert.deepEqual(
    got.map((e) => e.line),
    ['not yet'],
  );
});
