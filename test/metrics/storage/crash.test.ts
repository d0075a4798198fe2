import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openMetricsStore } from '../../../src/metrics/storage/index.js';
import { dump, tempDir } from './helpers.js';

const self = fileURLToPath(import.meta.url);
const child = self.replace(/crash\.test\.(ts|js)$/, 'crash-child.$1');
const nodeArgs = process.execArgv.filter((a) => !a.startsWith('--test'));

/** Runs the child until it has acknowledged `minBatches` commits, then SIGKILLs it. */
function runAndKill(dir: string, minBatches: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...nodeArgs, child, dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let acked = -1;
    let buf = '';
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) acked = Number(l);
      if (acked >= minBatches && !p.killed) p.kill('SIGKILL');
    });
    p.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`child exited without being killed: ${stderr}`));
    });
  });
}

test('every acknowledged commit survives kill -9, none doubled, batches atomic', async () => {
  const dir = tempDir('crash');
  // Three crash rounds; each reopens the previous round's data and keeps appending.
  for (const target of [300, 550, 900]) {
    const acked = await runAndKill(dir, target);
    const store = await openMetricsStore({ dir, retentionMs: 0, blockRangeMs: 10_000 });
    const got = await dump(store, [{ type: '=', name: '__name__', value: 'crash' }]);
    assert.equal(got.size, 50);
    const counts = new Set<number>();
    for (const samples of got.values()) {
      for (let i = 1; i < samples.length; i++) {
        assert.ok(samples[i]![0] > samples[i - 1]![0], 'no duplicates');
      }
      // Sample i is batch i: nothing acknowledged is missing, nothing doubled.
      samples.forEach(([t, v], i) => {
        assert.equal(v, i);
        assert.equal(t, i * 100);
      });
      assert.ok(samples.length > acked, `acknowledged ${acked}, found ${samples.length}`);
      counts.add(samples.length);
    }
    assert.equal(counts.size, 1, 'a commit is all or nothing across series');
    await store.close();
  }
  fs.rmSync(dir, { recursive: true });
});
