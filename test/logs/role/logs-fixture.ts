import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { parseLokiConfig } from '../../../src/logs/config/index.js';
import { createLogsRole, type LogsRole } from '../../../src/logs/index.js';
import type { SelectLogsRequest, StoredEntry } from '../../../src/logs/reader.js';

export interface RunningLogs {
  role: LogsRole;
  url: string;
  dir: string;
  close(): Promise<void>;
}

/** A logs role on an ephemeral port over a temp dir, configured by `yaml`. */
export async function startLogs(
  yaml = 'auth_enabled: false\n',
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-logs-')),
): Promise<RunningLogs> {
  const config = parseLokiConfig('test-loki.yml', yaml);
  const role = await createLogsRole(
    { logger: pino({ level: 'silent' }), dataDir: dir, listenHost: '127.0.0.1' },
    { config, port: 0 },
  );
  await role.start();
  return {
    role,
    url: `http://127.0.0.1:${role.port}`,
    dir,
    async close() {
      await role.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every entry the role stores for these matchers, oldest first. */
export async function readAll(
  role: LogsRole,
  req: Partial<SelectLogsRequest> = {},
): Promise<StoredEntry[]> {
  const out: StoredEntry[] = [];
  for await (const batch of role.reader.selectEntries({
    matchers: [{ type: '=~', name: 'job', value: '.*' }],
    filters: [],
    startNs: 0n,
    endNs: BigInt(Date.now() + 3_600_000) * 1_000_000n,
    direction: 'forward',
    ...req,
  }))
    out.push(...batch);
  return out;
}

/** Polls `check` until it returns true or `ms` pass. */
export async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function nowNs(offsetMs = 0): bigint {
  return BigInt(Date.now() + offsetMs) * 1_000_000n;
}
