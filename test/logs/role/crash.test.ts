import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startObs, waitFor, type ObsProcess } from '../../support/obs-cli.js';

/** `obs run logs` in a child process, so that it can be killed with SIGKILL. */
async function startChild(config: string, port: number): Promise<ObsProcess> {
  const child = startObs([
    'run',
    'logs',
    `-config.file=${config}`,
    '-server.http-listen-address=127.0.0.1',
    `-server.http-listen-port=${port}`,
  ]);
  await waitFor(
    async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/ready`)).status === 200;
      } catch {
        return false;
      }
    },
    30_000,
    `obs run logs to be ready\n${child.output()}`,
  );
  return child;
}

describe('crash safety', () => {
  it('keeps every acknowledged push, exactly once, across kill -9', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-logs-crash-'));
    const config = path.join(dir, 'loki.yml');
    fs.writeFileSync(
      config,
      `auth_enabled: false\ncommon:\n  path_prefix: ${dir}/data\nlimits_config:\n  ingestion_rate_mb: 1024\n  ingestion_burst_size_mb: 1024\n  max_entries_limit_per_query: 100000\n`,
    );
    const port = await freePort();
    let child = await startChild(config, port);
    const acked: string[] = [];
    const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;
    let batch = 0;
    let stop = false;
    // Four concurrent pushers; the kill lands while pushes are in flight.
    const pusher = async (worker: number): Promise<void> => {
      while (!stop) {
        const b = batch++;
        const lines = Array.from({ length: 50 }, (_, i) => `w${worker} b${b} line ${i}`);
        const body = JSON.stringify({
          streams: [
            {
              stream: { job: 'crash', worker: String(worker) },
              values: lines.map((l, i) => [(t0 + BigInt(b * 50 + i)).toString(), l]),
            },
          ],
        });
        try {
          const res = await fetch(`http://127.0.0.1:${port}/loki/api/v1/push`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          if (res.status === 204) acked.push(...lines);
        } catch {
          return;
        }
      }
    };
    const pushers = [0, 1, 2, 3].map(pusher);
    await waitFor(() => acked.length >= 4000, 30_000, 'acknowledged pushes');
    child.child.kill('SIGKILL');
    await child.exited;
    stop = true;
    await Promise.all(pushers);
    assert.ok(acked.length >= 4000);

    child = await startChild(config, port);
    try {
      const seen = new Map<string, number>();
      const ws = await import('ws');
      // The tail endpoint first sends the stored history since `start`.
      const sock = new ws.WebSocket(
        `ws://127.0.0.1:${port}/loki/api/v1/tail?query=${encodeURIComponent('{job="crash"}')}&limit=100000&start=${t0}`,
      );
      await new Promise<void>((resolve, reject) => {
        sock.on('message', (data) => {
          const msg = JSON.parse(String(data)) as { streams?: { values: [string, string][] }[] };
          for (const s of msg.streams ?? [])
            for (const [, line] of s.values) seen.set(line, (seen.get(line) ?? 0) + 1);
          resolve();
        });
        sock.on('error', reject);
      });
      sock.close();
      const missing = acked.filter((l) => !seen.has(l));
      assert.deepEqual(missing, [], 'every acknowledged line survived');
      const twice = [...seen].filter(([, n]) => n > 1);
      assert.deepEqual(twice, [], 'no line stored twice');
    } finally {
      child.child.kill('SIGTERM');
      assert.equal(await child.exited, 0, child.output());
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
