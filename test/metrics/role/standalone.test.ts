import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { peer } from '../helpers/peers.js';
import { freePort } from '../../support/obs-cli.js';
import { startPeer, waitHttp } from '../helpers/spawn.js';

const dir = mkdtempSync(join(tmpdir(), 'obs-metrics-standalone-'));
const cfgFile = join(dir, 'prometheus.yml');
const dataDir = join(dir, 'data');
const promtool = peer('promtool');
const door = new URL('../../../src/metrics/index.js', import.meta.url).href;
let target: Server;
let targetAddr = '';
let counter = 0;

before(async () => {
  target = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(`app_x ${++counter}\n`);
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetAddr = `127.0.0.1:${(target.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((r) => target.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

/** `obs run metrics` in a child process, with Prometheus's flags. */
function runMetrics(port: number) {
  const script = `import(${JSON.stringify(door)}).then((m) => m.runMetricsStandalone(process.argv.slice(1))).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;
  return startPeer(process.execPath, [
    ...process.execArgv.filter((a) => !a.startsWith('--test')),
    '--input-type=module',
    '-e',
    script,
    '--',
    `--config.file=${cfgFile}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--storage.tsdb.path=${dataDir}`,
    '--web.enable-lifecycle',
    '--log.level=warn',
  ]);
}

async function rangeSamples(port: number): Promise<number[]> {
  const res = await fetch(
    `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent('app_x[1h]')}&time=${Date.now() / 1000}`,
  );
  const body = (await res.json()) as { data: { result: { values: [number, string][] }[] } };
  return (body.data.result[0]?.values ?? []).map(([t]) => Math.round(t * 1000));
}

test(
  'obs run metrics: promtool queries it, SIGHUP reloads, kill -9 loses nothing committed, SIGTERM exits 0',
  { timeout: 120_000 },
  async (t) => {
    writeFileSync(
      cfgFile,
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 500ms\nscrape_configs:\n  - job_name: app\n    static_configs: [{targets: ['${targetAddr}']}]\n`,
    );
    const port = await freePort();
    let proc = runMetrics(port);
    try {
      await waitHttp(`http://127.0.0.1:${port}/-/ready`, 30_000);
      const until = Date.now() + 15_000;
      let before: number[] = [];
      while (Date.now() < until && before.length < 3) {
        before = await rangeSamples(port);
        await new Promise((r) => setTimeout(r, 300));
      }
      assert.ok(before.length >= 3, `scraped samples: ${before.length}`);

      if (promtool.skip) t.diagnostic(promtool.skip);
      else {
        const instant = spawnSync(
          'promtool',
          ['query', 'instant', `http://127.0.0.1:${port}`, 'up{job="app"}'],
          {
            encoding: 'utf8',
          },
        );
        assert.equal(instant.status, 0, instant.stderr);
        assert.match(
          instant.stdout,
          new RegExp(`up\\{instance="${targetAddr}", job="app"\\} => 1 @\\[`),
        );
        const now = Math.floor(Date.now() / 1000);
        const range = spawnSync(
          'promtool',
          [
            'query',
            'range',
            '--start',
            String(now - 30),
            '--end',
            String(now),
            '--step',
            '1s',
            `http://127.0.0.1:${port}`,
            'app_x',
          ],
          { encoding: 'utf8' },
        );
        assert.equal(range.status, 0, range.stderr);
        assert.match(range.stdout, /app_x\{instance=".*", job="app"\} =>\n\d+ @\[/);
      }

      writeFileSync(
        cfgFile,
        `global:\n  scrape_interval: 1s\n  scrape_timeout: 500ms\nscrape_configs:\n  - job_name: app\n    static_configs: [{targets: ['${targetAddr}']}]\n  - job_name: app2\n    static_configs: [{targets: ['${targetAddr}']}]\n`,
      );
      proc.child.kill('SIGHUP');
      const reloadUntil = Date.now() + 10_000;
      let pools: string[] = [];
      while (Date.now() < reloadUntil) {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/targets`);
        pools = (
          (await res.json()) as { data: { activeTargets: { scrapePool: string }[] } }
        ).data.activeTargets.map((x) => x.scrapePool);
        if (pools.length === 2) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.deepEqual(pools.sort(), ['app', 'app2']);

      const committed = await rangeSamples(port);
      proc.child.kill('SIGKILL');
      await proc.stop();
      proc = runMetrics(port);
      await waitHttp(`http://127.0.0.1:${port}/-/ready`, 30_000);
      const afterRestart = await rangeSamples(port);
      const lost = committed.filter((ts) => !afterRestart.includes(ts));
      assert.deepEqual(lost, [], 'every sample queryable before kill -9 is there after restart');

      const exited = new Promise<number | null>((r) => proc.child.once('exit', (code) => r(code)));
      proc.child.kill('SIGTERM');
      assert.equal(await exited, 0, proc.output());
    } finally {
      await proc.stop();
    }
  },
);
