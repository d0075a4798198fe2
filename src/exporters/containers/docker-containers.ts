import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerClient } from '../../common/docker-client.js';
import { parseProcCgroup, type CgroupMode, type CgroupPaths, type ReadText } from './cgroup.js';

/** What cAdvisor's Docker handler knows of a running container. */
export interface DockerContainer {
  id: string;
  /** First alias: the container name without its leading slash. */
  name: string;
  /** Config.Image, as the container was created from. */
  image: string;
  labels: Record<string, string>;
  /** Unix seconds of creation (cAdvisor's spec CreationTime for Docker containers). */
  createdSeconds: number;
  pid: number;
  cgroup: CgroupPaths;
}

/**
 * The running containers of a Docker engine with their cgroups. One list
 * call per scrape; the inspect answer is kept per container ID and asked for
 * again only when the process it named is gone (a restart).
 */
export class DockerContainers {
  private readonly cache = new Map<string, DockerContainer>();

  constructor(
    private readonly client: DockerClient,
    private readonly procfs: string,
    private readonly mode: CgroupMode,
    private readonly readText: ReadText,
  ) {}

  async list(): Promise<DockerContainer[]> {
    const summaries = await this.client.listContainers();
    const live = new Set(summaries.map((s) => s.Id));
    for (const id of this.cache.keys()) if (!live.has(id)) this.cache.delete(id);
    const out = await Promise.all(
      summaries.map(async (s) => {
        const cached = this.cache.get(s.Id);
        if (cached && this.stillOurs(cached)) return cached;
        try {
          const fresh = await this.inspect(s.Id);
          if (fresh) this.cache.set(s.Id, fresh);
          return fresh;
        } catch {
          // Gone between list and inspect.
          return undefined;
        }
      }),
    );
    return out.filter((c): c is DockerContainer => c !== undefined);
  }

  close(): void {
    this.client.close();
  }

  private stillOurs(c: DockerContainer): boolean {
    return this.readText(join(this.procfs, String(c.pid), 'cgroup'))?.includes(c.id) ?? false;
  }

  private async inspect(id: string): Promise<DockerContainer | undefined> {
    const info = await this.client.inspectContainer(id);
    if (!info.State.Running || info.State.Pid <= 0) return undefined;
    const text = readFileSync(join(this.procfs, String(info.State.Pid), 'cgroup'), 'latin1');
    const restarts = typeof info.RestartCount === 'number' ? info.RestartCount : 0;
    const labels = { ...(info.Config.Labels ?? {}) };
    // cAdvisor adds the restart count as a label once a container has restarted.
    if (restarts > 0) labels.restartcount = String(restarts);
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      image: info.Config.Image,
      labels,
      createdSeconds: Date.parse(info.Created) / 1000,
      pid: info.State.Pid,
      cgroup: parseProcCgroup(text, this.mode),
    };
  }
}
