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

/**
 * The shape of a component's arguments, as Alloy's documentation lists
 * them: attributes with types and defaults, and nested blocks. The runtime
 * refuses arguments and blocks that are not listed, and fills defaults.
 */
export interface ArgumentSchema {
  attributes: Record<string, AttributeSpec>;
  blocks: Record<string, BlockSpec>;
  /**
   * Alloy's enum blocks: kinds sharing one prefix whose order matters
   * (`stage.json`, `stage.regex`, ... in `loki.process`). Keyed by prefix,
   * then kind; passed as `[{ kind, args }]` in file order under the prefix.
   */
  enums?: Record<string, Record<string, ArgumentSchema>>;
}

/** One enum block as passed to a component, e.g. `{ kind: 'json', args: { expressions } }`. */
export interface EnumBlock {
  kind: string;
  args: Record<string, unknown>;
}

export interface AttributeSpec {
  /** `duration` is an Alloy string such as "10s", passed on as milliseconds. */
  type: 'string' | 'number' | 'bool' | 'duration' | 'list' | 'map' | 'receiver' | 'any';
  required?: boolean;
  default?: unknown;
}

export interface BlockSpec {
  schema: ArgumentSchema;
  /** The block may appear several times (e.g. `rule`, `stage.*`); passed as an array. */
  multiple?: boolean;
  required?: boolean;
}

/** Everything the runtime gives a component when building it. */
export interface ComponentOptions {
  /** `loki.source.file.logs`. */
  id: string;
  /** A directory of its own for positions, cursors and buffers (Alloy's --storage.path). */
  dataPath: string;
  logger: import('pino').Logger;
  /**
   * The logs role of the same process, when the agent runs inside `obs up`:
   * `loki.write` hands batches to `sink` instead of POSTing when its endpoint names
   * this role: `pushUrl`'s port and path on a loopback host or on `loki` (the seed's service name).
   */
  inProcessLogs?: { pushUrl: string; sink: import('../logs/sink.js').LogSink };
  /**
   * Call when a value from `exports()` changed (e.g. `discovery.docker`
   * found new targets): the runtime re-evaluates the components that
   * reference it and calls their `update`.
   */
  onExportsChange?: () => void;
  /** Counters the debug server's `/metrics` shows for this component. */
  metrics?: ComponentMetrics;
}

/**
 * Per-component counters (`/metrics` on the debug port): lines read, sent,
 * and dropped with a reason, labelled with the component id.
 */
export interface ComponentMetrics {
  read(lines: number): void;
  sent(lines: number): void;
  dropped(lines: number, reason: string): void;
}

/** A component type the runtime can build, e.g. `loki.source.file`. */
export interface ComponentDefinition {
  name: string;
  arguments: ArgumentSchema;
  /** Exports available right after `build`, e.g. `receiver` (lets the graph be wired in any order). */
  build(options: ComponentOptions, args: Record<string, unknown>): Component;
}
