import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { glob, globToRegExp } from '../../../src/agent/components/file/glob.js';

const root = mkdtempSync(join(tmpdir(), 'obs-glob-'));
after(() => rmSync(root, { recursive: true, force: true }));
for (const f of [
  'a.log',
  'b.log',
  '.hidden.log',
  'c.txt',
  'sub/d.log',
  'sub/deeper/e.log',
  'sub/deeper/f.jsonl',
  'other/g.log',
]) {
  mkdirSync(join(root, f, '..'), { recursive: true });
  writeFileSync(join(root, f), 'x\n');
}

test('globs expand like doublestar', async () => {
  const cases: [string, string[]][] = [
    ['*.log', ['.hidden.log', 'a.log', 'b.log']],
    ['?.log', ['a.log', 'b.log']],
    ['[ab].log', ['a.log', 'b.log']],
    ['[!a].log', ['b.log']],
    ['*.{log,txt}', ['.hidden.log', 'a.log', 'b.log', 'c.txt']],
    ['**/*.log', ['.hidden.log', 'a.log', 'b.log', 'other/g.log', 'sub/d.log', 'sub/deeper/e.log']],
    ['sub/**/*.jsonl', ['sub/deeper/f.jsonl']],
    ['sub/*/e.log', ['sub/deeper/e.log']],
    ['sub/**', ['sub', 'sub/d.log', 'sub/deeper', 'sub/deeper/e.log', 'sub/deeper/f.jsonl']],
    ['missing/*.log', []],
    ['c.txt', ['c.txt']],
    ['nope.txt', []],
  ];
  for (const [pattern, want] of cases) {
    const got = (await glob(join(root, pattern))).map((p) => p.slice(root.length + 1) || '.');
    assert.deepEqual(got.sort(), want.sort(), pattern);
  }
});

test('path matching for __path_exclude__', () => {
  const cases: [string, string, boolean][] = [
    ['/var/log/**/*.gz', '/var/log/a/b/c.gz', true],
    ['/var/log/**/*.gz', '/var/log/c.gz', true],
    ['/var/log/*.gz', '/var/log/a/c.gz', false],
    ['/var/log/debug-*', '/var/log/debug-1.log', true],
    ['/var/log/debug-*', '/var/log/info.log', false],
  ];
  for (const [pattern, path, want] of cases) {
    assert.equal(globToRegExp(pattern).test(path), want, `${pattern} ${path}`);
  }
});
