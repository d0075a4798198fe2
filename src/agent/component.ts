import type { Labels } from '../common/labels.js';

/** One log line travelling through the agent's pipeline. */
export interface AgentEntry {
  labels: Labels;
  /** Unix nanoseconds. */
  timestamp: bigint;
  line: string;
  metadata?: Labels;
}

/**
 * What `forward_to` lists: a component's `receiver` export. `send` resolves
 * once every downstream sink has durably accepted the entries, so a source
 * may then commit its positions or cursor (at-least-once, no duplicates
 * across restarts); a slow sink makes it wait (backpressure).
 */
export interface LogsReceiver {
  send(entries: AgentEntry[]): Promise<void>;
}

/**
 * A running Alloy component: built from evaluated arguments, exporting
 * values other components reference (`loki.process.main.receiver`).
 */
export interface Component {
  /** `loki.source.file.logs`: the block name and label. */
  readonly id: string;
  /** Values other components may reference, e.g. `{ receiver }` or `{ targets }`. */
  exports(): Record<string, unknown>;
  /** Apply new arguments (at start and when an upstream export changes). */
  update(args: Record<string, unknown>): Promise<void>;
  /** Runs until `signal` aborts; resolves after flushing. */
  run(signal: AbortSignal): Promise<void>;
  health(): { healthy: boolean; message?: string };
}
