import type { Logger } from 'pino';
import {
  DockerApiError,
  type DockerClient,
  type DockerLogLine,
} from '../../../common/docker-client.js';
import { formatLabels, type Labels } from '../../../common/labels.js';
import { relabel, type CompiledRelabel } from '../../../common/relabel.js';
import type { AgentEntry, ComponentMetrics } from '../../component.js';
import type { PositionsFile } from '../file/positions.js';
import { sleep } from '../file/forward.js';

export interface ContainerReaderOptions {
  client: DockerClient;
  containerId: string;
  /** The target's labels merged with the component's `labels`. */
  labels: Labels;
  relabelRules?: CompiledRelabel;
  positions: PositionsFile;
  forward: (entries: AgentEntry[], signal: AbortSignal) => Promise<boolean>;
  logger: Logger;
  metrics?: ComponentMetrics;
}

/** Lines gathered while a send is in flight before reading pauses (backpressure). */
const MAX_PENDING = 10_000;
/** How often a stopped container is looked at again, to follow it when it restarts. */
const RESTART_POLL_MS = 1000;

/** How far before the committed line a resumed stream starts, to find that line again. */
const RESUME_MARGIN_NS = 1_000_000_000n;

/**
 * Which lines of a resumed stream are new. The daemon stamps stdout and
 * stderr apart, so timestamps in the log are not strictly ordered; the log's
 * own order is. So the stream restarts a little before the last committed
 * line, and everything up to that line (found by its timestamp) is skipped.
 * If it cannot be found (the log was rotated away), lines later than it are
 * new.
 */
export class ResumeFilter {
  private skipping: boolean;
  private held: DockerLogLine[] = [];

  constructor(private readonly committed: bigint) {
    this.skipping = committed > 0n;
  }

  take(l: DockerLogLine): DockerLogLine[] {
    if (!this.skipping) return [l];
    if (l.timestamp === this.committed) {
      this.skipping = false;
      this.held = [];
      return [];
    }
    if (l.timestamp > this.committed + RESUME_MARGIN_NS) return this.release([l]);
    if (l.timestamp > this.committed) this.held.push(l);
    return [];
  }

  /** The stream ended while still looking for the committed line. */
  end(): DockerLogLine[] {
    return this.skipping ? this.release([]) : [];
  }

  private release(extra: DockerLogLine[]): DockerLogLine[] {
    this.skipping = false;
    const out = [...this.held, ...extra];
    this.held = [];
    return out;
  }
}

/** Alloy's positions key for a container (positions.CursorKey). */
function cursorKey(containerId: string): string {
  return `cursor-${containerId}`;
}

/**
 * Follows one container's log with timestamps, stdout and stderr apart
 * (`__meta_docker_container_log_stream` for relabel_rules), and commits
 * the timestamp of the last acknowledged line; after a restart of obs or
 * of the container it asks the daemon for lines since then and skips the
 * ones already sent, so none is lost or repeated. Ends when the container
 * is removed or `signal` aborts.
 */
export class ContainerReader {
  private lastTs = 0n;
  private readonly positionLabels: string;
  private readonly streamLabels = new Map<string, Labels | null>();

  constructor(private readonly o: ContainerReaderOptions) {
    this.positionLabels = formatLabels(o.labels);
    const stored = o.positions.get(cursorKey(o.containerId), this.positionLabels);
    if (stored && /^\d+$/.test(stored)) {
      // Alloy stores Unix seconds; obs stores nanoseconds.
      this.lastTs = stored.length <= 11 ? BigInt(stored) * 1_000_000_000n - 1n : BigInt(stored);
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let tty: boolean;
      try {
        const info = await this.o.client.inspectContainer(this.o.containerId);
        if (!info.State.Running && !(await this.waitForStart(signal))) return this.forget(signal);
        tty = info.Config.Tty;
      } catch (err) {
        if (err instanceof DockerApiError && err.status === 404) return this.forget(signal);
        this.o.logger.warn({ err }, 'could not inspect container; retrying');
        if (!(await sleep(RESTART_POLL_MS, signal))) return;
        continue;
      }
      try {
        await this.follow(tty, signal);
      } catch (err) {
        if (signal.aborted) return;
        this.o.logger.warn({ err }, 'container log stream failed; reconnecting');
      }
      if (!(await sleep(100, signal))) return;
    }
  }

  /** The container was removed: its position is of no further use. */
  private async forget(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.o.positions.remove(cursorKey(this.o.containerId), this.positionLabels);
    await this.o.positions.save();
  }

  /** Polls until the container runs again (true) or is gone / we stop (false). */
  private async waitForStart(signal: AbortSignal): Promise<boolean> {
    while (await sleep(RESTART_POLL_MS, signal)) {
      try {
        if ((await this.o.client.inspectContainer(this.o.containerId)).State.Running) return true;
      } catch (err) {
        if (err instanceof DockerApiError && err.status === 404) return false;
      }
    }
    return false;
  }

  private async follow(tty: boolean, signal: AbortSignal): Promise<void> {
    let pending: AgentEntry[] = [];
    let pendingTs = 0n;
    let sending: Promise<void> | undefined;
    let running = false;
    // Sends what gathered meanwhile until nothing is left; `running` drops
    // in the same tick as the emptiness check, so no line is stranded.
    const flush = async (): Promise<void> => {
      running = true;
      while (pending.length > 0 && !signal.aborted) {
        const batch = pending;
        const ts = pendingTs;
        pending = [];
        this.o.metrics?.read(batch.length);
        if (!(await this.o.forward(batch, signal))) break;
        this.lastTs = ts;
        this.o.positions.put(cursorKey(this.o.containerId), this.positionLabels, ts.toString());
        this.o.positions.scheduleSave();
      }
      running = false;
    };
    const resume = new ResumeFilter(this.lastTs);
    const since = this.lastTs > 0n ? this.lastTs - RESUME_MARGIN_NS : undefined;
    const take = (l: DockerLogLine) => {
      const labels = this.labelsFor(l.stream);
      pendingTs = l.timestamp;
      if (labels) pending.push({ labels, timestamp: l.timestamp, line: l.line });
      else this.o.metrics?.dropped(1, 'relabel');
    };
    for await (const l of this.o.client.containerLogs(
      this.o.containerId,
      { follow: true, timestamps: true, since, tty },
      signal,
    )) {
      for (const line of resume.take(l)) take(line);
      if (pending.length === 0) continue;
      if (!running) sending = flush();
      else if (pending.length >= MAX_PENDING) await sending;
    }
    for (const line of resume.end()) take(line);
    await sending;
    if (pending.length > 0) await flush();
  }

  /** Labels after relabel_rules, `__` ones removed; null when the rules drop the entry. */
  private labelsFor(stream: string): Labels | null {
    let out = this.streamLabels.get(stream);
    if (out !== undefined) return out;
    const input: Labels = { ...this.o.labels, __meta_docker_container_log_stream: stream };
    const result = this.o.relabelRules ? relabel(input, this.o.relabelRules) : input;
    if (result) {
      out = {};
      for (const [k, v] of Object.entries(result)) if (!k.startsWith('__')) out[k] = v;
    } else out = null;
    this.streamLabels.set(stream, out);
    return out;
  }
}
