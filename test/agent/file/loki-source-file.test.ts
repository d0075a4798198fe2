import assert from 'node:assert/strict';
import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { after, test } from 'node:test';
import { pino } from 'pino';
import type { AgentEntry, LogsReceiver } from '../../../src/agent/component.js';
import { localFileMatch } from '../../../src/agent/components/local-file-match.js';
import { lokiSourceFile } from '../../../src/agent/components/loki-source-file.js';
import { PositionsFile } from '../../../src/agent/components/file/positions.js';
import { start, until } from '../run-component.js';

const logger = pino({ level: process.env.DEBUG_LOG ?? 'silent' });
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'obs-source-file-'));
  dirs.push(d);
  return d;
}

/** A receiver that records what it got; `delayMs` makes it slow. */
function collector(delayMs = 0) {
  const entries: AgentEntry[] = [];
  const receiver: LogsReceiver = {
    send: async (batch) => {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      entries.push(...batch);
    },
  };
  return { entries, receiver, lines: () => entries.map((e) => e.line) };
}

const fastPoll = { file_watch: { min_poll_frequency: 10, max_poll_frequency: 50 } };

function source(
  dataPath: string,
  targets: Record<string, string>[],
  receiver: LogsReceiver,
  extra = {},
) {
  return lokiSourceFile.build(
    { id: 'loki.source.file.t', dataPath, logger },
    { targets, forward_to: [receiver], ...fastPoll, ...extra },
  );
}

test('lines carry the target labels without __ ones, plus filename; positions as Alloy writes them', async () => {
  const dir = tempDir();
  const file = join(dir, 'app.log');
  writeFileSync(file, 'one\ntwo\r\nthree');
  const c = collector();
  const component = source(
    dir,
    [{ __path__: file, job: 'tool_sink', __internal: 'x' }],
    c.receiver,
  );
  const run = start(component);
  await until(() => c.entries.length === 2);
  appendFileSync(file, ' and more\nfour\n');
  await until(() => c.entries.length === 4);
  await run.stop();
  assert.deepEqual(c.lines(), ['one', 'two', 'three and more', 'four']);
  assert.deepEqual(c.entries[0]!.labels, { job: 'tool_sink', filename: file });
  const ts = c.entries.map((e) => e.timestamp);
  assert.deepEqual(
    [...ts].sort((a, b) => (a < b ? -1 : 1)),
    ts,
    'timestamps increase',
  );
  const positions = readFileSync(join(dir, 'positions.yml'), 'utf8');
  assert.equal(
    positions,
    `positions:\n  ? path: ${JSON.stringify(file)}\n    labels: "{job=\\"tool_sink\\"}"\n  : "29"\n`,
  );
});

test('resumes from the positions file after a restart; tail_from_end only without a position', async () => {
  const dir = tempDir();
  const file = join(dir, 'app.log');
  writeFileSync(file, 'old 1\nold 2\n');
  const c = collector();
  let run = start(source(dir, [{ __path__: file }], c.receiver, { tail_from_end: true }));
  await new Promise((r) => setTimeout(r, 100));
  appendFileSync(file, 'new 1\n');
  await until(() => c.entries.length === 1);
  await run.stop();
  appendFileSync(file, 'while down\n');
  run = start(source(dir, [{ __path__: file }], c.receiver, { tail_from_end: true }));
  await until(() => c.entries.length === 2);
  await run.stop();
  assert.deepEqual(c.lines(), ['new 1', 'while down']);
});

test('a slow receiver holds the position back (nothing committed before acknowledgement)', async () => {
  const dir = tempDir();
  const file = join(dir, 'app.log');
  writeFileSync(file, 'a\nb\n');
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const got: string[] = [];
  const receiver: LogsReceiver = {
    send: async (batch) => {
      await gate;
      got.push(...batch.map((e) => e.line));
    },
  };
  const run = start(source(dir, [{ __path__: file }], receiver));
  await new Promise((r) => setTimeout(r, 150));
  const before = (() => {
    try {
      return readFileSync(join(dir, 'positions.yml'), 'utf8');
    } catch {
      return '';
    }
  })();
  assert.doesNotMatch(before, /"4"/);
  release();
  await until(() => got.length === 2);
  await run.stop();
  assert.match(readFileSync(join(dir, 'positions.yml'), 'utf8'), /: "4"/);
});

/**
 * Writes numbered lines at speed into app.log, rotating it by rename, by
 * truncation and by copytruncate, while the agent restarts in the middle;
 * every line must arrive exactly once. Before a truncation (which throws
 * away what is in the file) the writer waits until the reader has it, as
 * logrotate's copytruncate loses whatever no reader got in time either.
 */
test('rotation by rename, truncate and copytruncate at speed, with a restart: none lost, none doubled', async () => {
  const dir = tempDir();
  const logs = join(dir, 'logs');
  const data = join(dir, 'data');
  rmSync(logs, { recursive: true, force: true });
  const { mkdirSync } = await import('node:fs');
  mkdirSync(logs);
  const file = join(logs, 'app.log');
  const c = collector();
  const seen = () => c.entries.length;
  const build = () => source(data, [{ __path__: file, job: 'rot' }], c.receiver);
  let run = start(build());
  const total = 60_000;
  const burst = 500;
  let written = 0;
  let rotations = 0;
  const pad = 'x'.repeat(60);
  for (let n = 0; n < total; n += burst) {
    let text = '';
    for (let i = n; i < n + burst; i++) text += `line ${i} ${pad}\n`;
    appendFileSync(file, text);
    written += burst;
    const step = n / burst;
    // The reader must have the file open before it is first rotated away: a file
    // renamed before any reader saw it is not followed (as in Alloy).
    if (step === 0) await until(() => seen() > 0, 10_000, 'the reader to start');
    if (step % 10 === 9) {
      const kind = rotations++ % 3;
      if (kind === 0) renameSync(file, `${file}.${rotations}`);
      else {
        await until(
          () => seen() >= written,
          10_000,
          () => `reader to catch up before truncation ${rotations}: ${seen()} of ${written}`,
        );
        if (kind === 1) copyFileSync(file, `${file}.${rotations}`);
        truncateSync(file, 0);
      }
    }
    if (step === 60) {
      await run.stop();
      run = start(build());
    }
    await new Promise((r) => setImmediate(r));
  }
  await until(
    () => seen() >= total,
    20_000,
    () => `all ${total} lines (have ${seen()})`,
  );
  await new Promise((r) => setTimeout(r, 200));
  await run.stop();
  const counts = new Map<string, number>();
  for (const line of c.lines()) counts.set(line, (counts.get(line) ?? 0) + 1);
  const missing: number[] = [];
  for (let i = 0; i < total; i++) if (!counts.has(`line ${i} ${pad}`)) missing.push(i);
  const doubled = [...counts].filter(([, n]) => n > 1).map(([l]) => l);
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} lines lost`);
  assert.deepEqual(doubled.slice(0, 10), [], `${doubled.length} lines doubled`);
  assert.equal(c.entries.length, total);
  assert.ok(rotations >= 10, `rotations: ${rotations}`);
});

test('a file deleted and created again is read from its start', async () => {
  const dir = tempDir();
  const file = join(dir, 'app.log');
  writeFileSync(file, 'first life\n');
  const c = collector();
  const run = start(source(dir, [{ __path__: file }], c.receiver));
  await until(() => c.entries.length === 1);
  unlinkSync(file);
  await new Promise((r) => setTimeout(r, 100));
  writeFileSync(file, 'second life\n');
  await until(() => c.entries.length === 2);
  await run.stop();
  assert.deepEqual(c.lines(), ['first life', 'second life']);
});

test('.gz files are decompressed once; the line position survives a restart', async () => {
  const dir = tempDir();
  const file = join(dir, 'old.log.gz');
  const lines = Array.from({ length: 25_000 }, (_, i) => `gz line ${i}`);
  writeFileSync(file, gzipSync(lines.join('\n') + '\n'));
  const c = collector();
  const decompression = { decompression: { enabled: true, format: 'gz', initial_delay: 0 } };
  let run = start(source(dir, [{ __path__: file }], c.receiver, decompression));
  await until(() => c.entries.length === 25_000);
  await run.stop();
  run = start(source(dir, [{ __path__: file }], c.receiver, decompression));
  await new Promise((r) => setTimeout(r, 200));
  await run.stop();
  assert.deepEqual(c.lines(), lines);
  assert.match(readFileSync(join(dir, 'positions.yml'), 'utf8'), /: "25000"/);
});

test('local.file_match feeds loki.source.file: globs, exclusions, new and deleted files', async () => {
  const dir = tempDir();
  const logs = join(dir, 'logs');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(logs, 'sub'), { recursive: true });
  writeFileSync(join(logs, 'a.log'), 'a1\n');
  writeFileSync(join(logs, 'sub', 'b.log'), 'b1\n');
  writeFileSync(join(logs, 'debug.log'), 'excluded\n');
  writeFileSync(join(logs, 'c.txt'), 'not matched\n');
  const c = collector();
  let changed = 0;
  const match = localFileMatch.build(
    { id: 'local.file_match.t', dataPath: dir, logger, onExportsChange: () => changed++ },
    {
      path_targets: [
        { __path__: `${logs}/**/*.log`, __path_exclude__: `${logs}/debug*`, job: 'tool_sink' },
      ],
      sync_period: 50,
    },
  );
  const file = source(join(dir, 'data'), [], c.receiver);
  const matchRun = start(match);
  const fileRun = start(file);
  const targets = () => match.exports().targets as Record<string, string>[];
  await until(() => changed > 0);
  assert.deepEqual(
    targets().map((t) => t.__path__),
    [join(logs, 'a.log'), join(logs, 'sub', 'b.log')],
  );
  assert.equal(targets()[0]!.job, 'tool_sink');
  await file.update({ targets: targets(), forward_to: [c.receiver], ...fastPoll });
  await until(() => c.entries.length === 2);
  writeFileSync(join(logs, 'sub', 'new.log'), 'n1\n');
  unlinkSync(join(logs, 'a.log'));
  const before = changed;
  await until(() => changed > before);
  await file.update({ targets: targets(), forward_to: [c.receiver], ...fastPoll });
  await until(() => c.entries.length === 3);
  await matchRun.stop();
  await fileRun.stop();
  assert.deepEqual(c.lines().sort(), ['a1', 'b1', 'n1']);
  assert.deepEqual(c.entries.find((e) => e.line === 'n1')!.labels, {
    job: 'tool_sink',
    filename: join(logs, 'sub', 'new.log'),
  });
  const positions = readFileSync(join(dir, 'data', 'positions.yml'), 'utf8');
  assert.doesNotMatch(positions, /a\.log/, 'a deleted target forgets its position');
});

test('many files at once', async () => {
  const dir = tempDir();
  const c = collector();
  const targets = Array.from({ length: 50 }, (_, i) => {
    const path = join(dir, `f${i}.log`);
    writeFileSync(path, Array.from({ length: 200 }, (_, j) => `f${i} ${j}`).join('\n') + '\n');
    return { __path__: path };
  });
  const run = start(source(join(dir, 'data'), targets, c.receiver));
  await until(() => c.entries.length === 50 * 200);
  await run.stop();
  assert.equal(new Set(c.lines()).size, 10_000);
});

test('decompression formats Alloy lists: gz, z (zlib) and bz2 (several bzip2 blocks)', async () => {
  const lines = Array.from(
    { length: 120_000 },
    (_, i) => `compressed line ${i} ${'x'.repeat(i % 17)}`,
  );
  const text = lines.join('\n') + '\n';
  const formats: [string, Buffer][] = [
    ['gz', gzipSync(text)],
    ['z', deflateSync(text)],
    // The real bzip2 tool; its 900 kB blocks make this file three of them.
    ['bz2', execFileSync('bzip2', ['-c', '-9'], { input: text, maxBuffer: 64 << 20 })],
  ];
  for (const [format, bytes] of formats) {
    const dir = tempDir();
    const file = join(dir, `old.log.${format}`);
    writeFileSync(file, bytes);
    const c = collector();
    const decompression = { decompression: { enabled: true, format, initial_delay: 0 } };
    const run = start(source(dir, [{ __path__: file }], c.receiver, decompression));
    await until(() => c.entries.length === lines.length, 20_000, `${format} lines`);
    await run.stop();
    assert.deepEqual(c.lines(), lines, format);
  }
  // 'constructor' is a name every object has, not a format.
  for (const format of ['zip', 'constructor'])
    assert.throws(
      () =>
        source(tempDir(), [], collector().receiver, {
          decompression: { enabled: true, format },
        }),
      new RegExp(`unsupported decompression format "${format}"`),
    );
});

test('legacy_positions_file: Promtail positions converted on first start as Alloy does', async () => {
  const dir = tempDir();
  const file = join(dir, 'app.log');
  writeFileSync(file, 'line 1\nline 2\nline 3\n');
  const legacy = join(dir, 'promtail-positions.yaml');
  writeFileSync(legacy, `positions:\n  ${file}: "7"\n  /var/log/gone.log: "100"\n`);
  const c = collector();
  const extra = { legacy_positions_file: legacy };
  const run = start(source(dir, [{ __path__: file }], c.receiver, extra));
  await until(() => c.entries.length === 2);
  await run.stop();
  assert.deepEqual(c.lines(), ['line 2', 'line 3']);
  assert.ok(readFileSync(legacy, 'utf8').includes('positions:'), 'the legacy file is kept');
  const converted = readFileSync(join(dir, 'positions.yml'), 'utf8');
  assert.match(converted, new RegExp(`path: "${file}"\\n\\s+labels: "\\{\\}"\\n\\s+: "21"`));

  // Converted only while the new positions file is missing or empty.
  writeFileSync(legacy, `positions:\n  ${file}: "0"\n`);
  const again = collector();
  const rerun = start(source(dir, [{ __path__: file }], again.receiver, extra));
  await new Promise((r) => setTimeout(r, 300));
  await rerun.stop();
  assert.deepEqual(again.lines(), []);

  // Not strictly valid (an unknown field): not converted, the file is read from the start.
  const fresh = tempDir();
  const other = join(fresh, 'b.log');
  writeFileSync(other, 'b1\n');
  writeFileSync(legacy, `positions:\n  ${other}: "3"\nextra: 1\n`);
  const strict = collector();
  const strictRun = start(source(fresh, [{ __path__: other }], strict.receiver, extra));
  await until(() => strict.entries.length === 1);
  await strictRun.stop();
  assert.deepEqual(strict.lines(), ['b1']);
});

test('on_positions_file_error: a stored position that is not an offset, per policy', async () => {
  const cases: [string, string[]][] = [
    ['restart_from_beginning', ['one', 'two', 'partial line', 'three']],
    // From the start of the unfinished last line: it arrives once complete.
    ['restart_from_end', ['partial line', 'three']],
    ['skip', []],
  ];
  for (const [policy, want] of cases) {
    const dir = tempDir();
    const file = join(dir, 'app.log');
    writeFileSync(file, 'one\ntwo\npartial');
    const positions = await PositionsFile.open(join(dir, 'positions.yml'));
    positions.put(file, '{}', 'not-a-number');
    await positions.save();
    const c = collector();
    const run = start(
      source(dir, [{ __path__: file }], c.receiver, { on_positions_file_error: policy }),
    );
    await new Promise((r) => setTimeout(r, 200));
    appendFileSync(file, ' line\nthree\n');
    if (want.length > 0) await until(() => c.entries.length === want.length, 5_000, policy);
    else await new Promise((r) => setTimeout(r, 300));
    await run.stop();
    assert.deepEqual(c.lines(), want, policy);
  }
  assert.throws(
    () => source(tempDir(), [], collector().receiver, { on_positions_file_error: 'ignore' }),
    /unknown OnPositionsFileError value: ignore/,
  );
});

test('tail_from_end starts at the beginning of an unfinished last line', async () => {
  const dir = tempDir();
  const file = join(dir, 'app.log');
  writeFileSync(file, 'old\nhalf');
  const c = collector();
  const run = start(source(dir, [{ __path__: file }], c.receiver, { tail_from_end: true }));
  await new Promise((r) => setTimeout(r, 200));
  appendFileSync(file, ' done\nnew\n');
  await until(() => c.entries.length === 2);
  await run.stop();
  assert.deepEqual(c.lines(), ['half done', 'new']);
});

test('file_match block: globs in targets expanded every sync_period, exclusions, ignore_older_than', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.log'), 'a1\n');
  writeFileSync(join(dir, 'skip.log'), 'excluded\n');
  writeFileSync(join(dir, 'old.log'), 'too old\n');
  const hourAgo = new Date(Date.now() - 3600_000);
  utimesSync(join(dir, 'old.log'), hourAgo, hourAgo);
  const c = collector();
  const targets = [
    { __path__: join(dir, '*.log'), __path_exclude__: join(dir, 'skip.*'), job: 'globbed' },
  ];
  const run = start(
    source(join(dir, 'data'), targets, c.receiver, {
      file_match: { enabled: true, sync_period: 50, ignore_older_than: 600_000 },
    }),
  );
  await until(() => c.entries.length === 1);
  writeFileSync(join(dir, 'b.log'), 'b1\n');
  await until(() => c.entries.length === 2, 5_000, 'a file created later');
  await run.stop();
  assert.deepEqual(c.lines().sort(), ['a1', 'b1']);
  assert.deepEqual(c.entries[0]!.labels, { job: 'globbed', filename: join(dir, 'a.log') });
  assert.throws(
    () => source(dir, [], c.receiver, { file_match: { enabled: true, sync_period: 0 } }),
    /sync period must be greater than 0/,
  );
});

test('legacy_positions_file: a labelled target resumes from the converted label-less entry', async () => {
  const dir = tempDir();
  const file = join(dir, 'app.log');
  writeFileSync(file, 'seen\nnew\n');
  const legacy = join(dir, 'legacy.yaml');
  writeFileSync(legacy, `positions:\n  ${file}: "5"\n`);
  const c = collector();
  const run = start(
    source(dir, [{ __path__: file, job: 'tool_sink' }], c.receiver, {
      legacy_positions_file: legacy,
    }),
  );
  await until(() => c.entries.length === 1);
  await new Promise((r) => setTimeout(r, 100));
  await run.stop();
  assert.deepEqual(c.lines(), ['new']);
});
