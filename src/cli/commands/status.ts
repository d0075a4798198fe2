import { join } from 'node:path';
import { findConfigDir, resolveDataDir } from '../../stack/config-dir.js';
import { CONFIG_FILES, SEED } from '../../stack/defaults.js';
import { loadEnvFile } from '../../stack/env-file.js';
import type { RoleStatus } from '../../stack/role.js';

interface StatusRow extends RoleStatus {
  healthy?: boolean;
}

/**
 * Reads the running stack's status over loopback (the UI role's
 * /api/obs/status), probes each role's own health endpoint, and prints a
 * table or JSON. Exit 1 when nothing runs or a present role is unhealthy.
 */
export async function statusCommand(values: Record<string, unknown>): Promise<number> {
  const port = await uiPort(
    values['config-dir'] as string | undefined,
    values['data-dir'] as string | undefined,
  );
  const url = `http://${SEED.loopback}:${port}/api/obs/status`;
  let body: { pid: number; startedAt: string; roles: RoleStatus[] };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = (await res.json()) as typeof body;
  } catch (err) {
    const message = `obs is not running: nothing answered on ${url} (${(err as Error).message})`;
    if (values.json)
      process.stdout.write(JSON.stringify({ running: false, error: message }, null, 2) + '\n');
    else process.stderr.write(message + '\n');
    return 1;
  }
  const rows: StatusRow[] = await Promise.all(
    body.roles.map(async (role) => ({ ...role, healthy: await probe(role) })),
  );
  const unhealthy = rows.filter(
    (r) => r.state !== 'absent' && (r.state !== 'running' || r.healthy === false),
  );
  if (values.json) {
    process.stdout.write(
      JSON.stringify(
        { running: true, pid: body.pid, startedAt: body.startedAt, roles: rows },
        null,
        2,
      ) + '\n',
    );
  } else {
    process.stdout.write(`obs pid ${body.pid}, up since ${body.startedAt}\n\n${table(rows)}\n`);
  }
  return unhealthy.length === 0 ? 0 : 1;
}

async function probe(role: RoleStatus): Promise<boolean | undefined> {
  if (!role.address || !role.healthPath || role.state === 'absent') return undefined;
  try {
    const res = await fetch(role.address + role.healthPath, { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function uiPort(configDir: string | undefined, dataDir: string | undefined): Promise<number> {
  const dir = (await findConfigDir(configDir)) ?? join(resolveDataDir(dataDir), 'default-config');
  try {
    const env = await loadEnvFile(join(dir, CONFIG_FILES.env), SEED.ports);
    return env.ports.ui;
  } catch {
    return SEED.ports.ui;
  }
}

function table(rows: StatusRow[]): string {
  const header = [
    'ROLE',
    'STATE',
    'ADDRESS',
    'HEALTH',
    'DATA DIR',
    'DISK',
    'RETENTION',
    'LAST ERROR',
  ];
  const cells = rows.map((r) => [
    r.name,
    r.state,
    r.address ?? '-',
    r.healthy === undefined ? '-' : r.healthy ? 'ok' : 'FAILING',
    r.dataDir ?? '-',
    r.diskBytes === undefined ? '-' : formatBytes(r.diskBytes),
    r.retention ?? '-',
    r.lastError ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  return [header, ...cells]
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
