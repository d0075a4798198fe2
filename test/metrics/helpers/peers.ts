import { spawnSync } from 'node:child_process';

/**
 * Whether a real peer binary is installed. Without it a test skips with a
 * message, except under CI=true where a missing peer is a failure.
 */
export function peer(binary: string): { available: boolean; skip: string | false } {
  const found = spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
  if (found) return { available: true, skip: false };
  if (process.env.CI === 'true')
    throw new Error(`${binary} is required under CI=true but is not installed`);
  return { available: false, skip: `${binary} is not installed` };
}
