import { spawnSync } from 'node:child_process';

/**
 * Whether a real peer program is installed. Missing on a developer's machine:
 * the test skips with a message. Missing under CI=true: the test fails, since
 * CI must install every peer (.ci/run).
 */
export function requirePeer(command: string, t?: { skip(message: string): void }): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
  if (found) return true;
  const message = `${command} is not installed (Debian package; .ci/run installs it)`;
  if (process.env.CI === 'true') throw new Error(message);
  if (t) t.skip(message);
  else process.stderr.write(`skipping: ${message}\n`);
  return false;
}
