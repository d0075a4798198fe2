import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runAgentStandalone } from '../../../src/agent/index.js';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('obs run agent (alloy run)', () => {
  it('runs a config with Alloy flags and serves /-/ready on --server.http.listen-addr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obs-agent-standalone-'));
    const file = join(dir, 'config.alloy');
    writeFileSync(
      file,
      'loki.write "w" {\n  endpoint {\n    url = "http://127.0.0.1:9/loki/api/v1/push"\n  }\n}\n',
    );
    const port = await freePort();
    const abort = new AbortController();
    const running = runAgentStandalone(
      ['run', file, `--server.http.listen-addr=127.0.0.1:${port}`, `--storage.path=${dir}/data`],
      { signal: abort.signal },
    );
    try {
      let res: Response | undefined;
      for (let i = 0; i < 100 && !res; i++) {
        res = await fetch(`http://127.0.0.1:${port}/-/ready`).catch(() => undefined);
        if (!res) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(res?.status, 200);
    } finally {
      abort.abort();
      await running;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const bad: [string[], RegExp][] = [
    [['run'], /usage: run CONFIG/],
    [['run', 'x.alloy', '--no-such-flag'], /unknown long flag '--no-such-flag'/],
    [['run', 'x.alloy', '--config.format=otelcol'], /unsupported --config.format otelcol/],
    [['run', '/nonexistent/config.alloy'], /\/nonexistent\/config\.alloy: ENOENT/],
  ];
  for (const [argv, message] of bad) {
    it(`refuses ${argv.join(' ')}`, async () => {
      await assert.rejects(runAgentStandalone(argv), message);
    });
  }
});
