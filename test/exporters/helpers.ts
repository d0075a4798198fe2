import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { parseExposition, type ParsedFamily } from '../../src/exporters/exposition-parse.js';
import { freePort } from '../support/obs-cli.js';

export { freePort };

/** Skips with a reason, or fails under CI=true, when a real peer is missing. */
export function requirePeer(available: boolean, what: string): string | false {
  if (available) return false;
  if (process.env.CI === 'true') throw new Error(`${what} is required under CI=true`);
  return `${what} is not available here`;
}

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export async function waitForHttp(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function startProcess(cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.resume();
  return child;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await exited;
}

/** `promtool check metrics` on a body: its exit status and problem lines. */
export function promtoolCheck(body: string): { status: number; problems: string[] } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
  const problems = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
  return { status: r.status ?? -1, problems };
}

/** Families by name. */
export function familiesByName(body: string): Map<string, ParsedFamily> {
  return new Map(parseExposition(body).map((f) => [f.name, f]));
}

/** A series' identity: sample name and labels in sorted order. */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const names = Object.keys(labels).sort();
  return `${name}{${names.map((n) => `${n}=${JSON.stringify(labels[n])}`).join(',')}}`;
}
