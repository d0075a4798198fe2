import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/obs-cli.js';
import { procWords } from '../support/proc.js';
import { repoRoot } from '../support/repo.js';

/**
 * bin/obs, the installed command: it runs dist/src/cli/main.js, and starts
 * `obs run logs` with the memory settings node and glibc read only at start-up.
 */
const root = repoRoot();
const main = path.join(root, 'dist', 'src', 'cli', 'main.js');
const built = fs.existsSync(main);
const skip = built || process.env.CI === 'true' ? false : 'dist/ is not built (npm run build)';

describe('bin/obs', { skip }, () => {
  it('runs the command through a symlink, as npm installs it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-launcher-'));
    try {
      const link = path.join(dir, 'obs');
      fs.symlinkSync(path.join(root, 'bin', 'obs'), link);
      const r = spawnSync(link, ['--version'], { encoding: 'utf8' });
      const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
        version: string;
      };
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), `obs ${pkg.version}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts `obs run logs` as one node process with its heap and malloc settings', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-launcher-'));
    const config = path.join(dir, 'loki.yml');
    fs.writeFileSync(config, `auth_enabled: false\ncommon:\n  path_prefix: ${dir}/data\n`);
    const port = await freePort();
    const child = spawn(
      path.join(root, 'bin', 'obs'),
      ['run', 'logs', `-config.file=${config}`, `-server.http-listen-port=${port}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      for (let i = 0; ; i++) {
        const ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
          (r) => r.ok,
          () => false,
        );
        if (ready) break;
        assert.ok(i < 150, `logs role not ready:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      // The launcher's shell replaced itself: the child is node, signals reach it.
      const argv = procWords(child.pid!, 'cmdline');
      assert.match(argv[0]!, /node/);
      assert.deepEqual(
        argv.filter((w) => w.startsWith('--')),
        ['--max-semi-space-size=8', '--heap-growing-percent=25'],
      );
      assert.deepEqual(argv.slice(-4, -2), ['run', 'logs']);
      const env = procWords(child.pid!, 'environ').filter((w) => w.startsWith('MALLOC_'));
      assert.deepEqual(env.sort(), [
        'MALLOC_ARENA_MAX=2',
        'MALLOC_MMAP_THRESHOLD_=131072',
        'MALLOC_TRIM_THRESHOLD_=131072',
      ]);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
