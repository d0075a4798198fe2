import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PositionsFile } from '../../../src/agent/components/file/positions.js';

const dir = mkdtempSync(join(tmpdir(), 'obs-positions-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('reads the positions.yml Alloy writes (yaml.v2 complex keys), and writes it back readable', async () => {
  const file = join(dir, 'positions.yml');
  writeFileSync(
    file,
    [
      'positions:',
      '  ? path: /tmp/foo.log',
      `    labels: '{color="pink"}'`,
      '  : "123"',
      '  ? path: cursor-4f1b2c',
      `    labels: '{__meta_docker_container_id="4f1b2c"}'`,
      '  : "1700000000"',
      '',
    ].join('\n'),
  );
  const p = await PositionsFile.open(file);
  assert.equal(p.get('/tmp/foo.log', '{color="pink"}'), '123');
  assert.equal(p.get('cursor-4f1b2c', '{__meta_docker_container_id="4f1b2c"}'), '1700000000');
  assert.equal(p.get('/tmp/foo.log', '{}'), undefined);
  p.put('/tmp/a "quoted" path.log', '{job="x"}', '42');
  p.remove('cursor-4f1b2c', '{__meta_docker_container_id="4f1b2c"}');
  await p.save();
  const again = await PositionsFile.open(file);
  assert.equal(again.get('/tmp/foo.log', '{color="pink"}'), '123');
  assert.equal(again.get('/tmp/a "quoted" path.log', '{job="x"}'), '42');
  assert.equal(again.get('cursor-4f1b2c', '{__meta_docker_container_id="4f1b2c"}'), undefined);
  assert.match(readFileSync(file, 'utf8'), /^positions:\n {2}\? path: /);
});

test('a missing file is an empty set of positions', async () => {
  const p = await PositionsFile.open(join(dir, 'none', 'positions.yml'));
  assert.equal(p.get('/x', '{}'), undefined);
  p.put('/x', '{}', '1');
  await p.save();
  assert.equal((await PositionsFile.open(join(dir, 'none', 'positions.yml'))).get('/x', '{}'), '1');
});
