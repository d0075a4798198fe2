import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../support/repo.js';

const run = promisify(execFile);

export interface DockerEngine {
  /** unix:///... for DockerClient and the docker CLI. */
  host: string;
  docker(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A real private Docker engine (../shared/tools/dockerd-up.sh), one per test
 * file so files can run side by side; or the one DOCKER_HOST names, left
 * running. Undefined when none can be had (a test then skips; under CI=true
 * it must fail instead).
 */
export async function startDockerEngine(): Promise<DockerEngine | undefined> {
  const tools = join(repoRoot(), '..', 'shared', 'tools');
  let host = process.env.DOCKER_HOST;
  let dir: string | undefined;
  if (!host) {
    dir = `/tmp/obs-dockerd-test-${process.pid}`;
    try {
      const { stdout } = await run(join(tools, 'dockerd-up.sh'), [dir], { timeout: 120_000 });
      host = /DOCKER_HOST=(\S+)/.exec(stdout)?.[1];
      if (!host) throw new Error(`dockerd-up.sh printed no DOCKER_HOST: ${stdout}`);
    } catch (err) {
      if (process.env.CI === 'true') throw err;
      return undefined;
    }
  }
  const env = { ...process.env, DOCKER_HOST: host };
  return {
    host,
    async docker(...args: string[]) {
      const { stdout } = await run('docker', args, { env, timeout: 60_000 });
      return stdout.trim();
    },
    async stop() {
      if (!dir) return;
      await run(join(tools, 'dockerd-down.sh'), [dir], { timeout: 60_000 });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
