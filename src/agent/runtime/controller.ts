import { setMaxListeners } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { LogSink } from '../../logs/sink.js';
import type { Component, ComponentDefinition } from '../component.js';
import { aborted } from '../components/aborted.js';
import type { Body } from '../syntax/index.js';
import { decodeBody } from './decode.js';
import { EvalError } from './eval-error.js';
import { evaluate } from './evaluate.js';
import { buildGraph, type ComponentNode } from './graph.js';
import type { AgentMetrics } from './metrics.js';
import { standardLibrary } from './stdlib.js';

export interface ControllerOptions {
  body: Body;
  registry: ReadonlyMap<string, ComponentDefinition>;
  /** Alloy's --storage.path: each component gets `<dataPath>/<id>`. */
  dataPath: string;
  logger: Logger;
  metrics: AgentMetrics;
  inProcessLogs?: { pushUrl: string; sink: LogSink };
  env?: NodeJS.ProcessEnv;
}

interface Running {
  node: ComponentNode;
  component: Component;
  args: Record<string, unknown>;
  error?: string;
}

/**
 * Runs a config's component graph: builds components in dependency order
 * from evaluated arguments, runs them, and when one reports changed
 * exports re-evaluates the components that reference it and updates those
 * whose arguments changed.
 */
export class Controller {
  private readonly stdlib: Record<string, unknown>;
  private readonly nodes: ComponentNode[];
  private readonly running = new Map<string, Running>();
  private reevaluation: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ControllerOptions) {
    this.stdlib = standardLibrary(opts.env);
    this.nodes = buildGraph(opts.body, opts.registry, new Set(Object.keys(this.stdlib)));
  }

  /** Builds every component; throws an EvalError for the first bad argument. */
  build(): void {
    for (const node of this.nodes) {
      const args = this.evaluateArgs(node);
      const dataPath = join(this.opts.dataPath, node.id);
      mkdirSync(dataPath, { recursive: true });
      const component = this.buildComponent(node, dataPath, args);
      this.running.set(node.id, { node, component, args });
    }
  }

  private buildComponent(
    node: ComponentNode,
    dataPath: string,
    args: Record<string, unknown>,
  ): Component {
    try {
      return node.definition.build(
        {
          id: node.id,
          dataPath,
          logger: this.opts.logger.child({ component: node.id }),
          ...(this.opts.inProcessLogs ? { inProcessLogs: this.opts.inProcessLogs } : {}),
          onExportsChange: () => this.exportsChanged(node.id),
          metrics: this.opts.metrics.forComponent(node.id),
        },
        args,
      );
    } catch (err) {
      if (err instanceof EvalError) throw err;
      throw new EvalError(node.block.pos, `${node.id}: ${(err as Error).message}`);
    }
  }

  /**
   * Runs every component until `signal` aborts; a failing component is
   * logged, not fatal. Shutdown goes from sources to sinks (reverse build
   * order), each component finishing before those it feeds stop, so what
   * a source read is flushed through the pipeline and written.
   */
  async run(signal: AbortSignal): Promise<void> {
    const all = [...this.running.values()];
    const stops = all.map(() => new AbortController());
    // A component may watch its signal from many tasks (one per file, per container).
    setMaxListeners(0, ...stops.map((s) => s.signal));
    const done = all.map(async (r, i) => {
      try {
        await r.component.run(stops[i]!.signal);
      } catch (err) {
        r.error = (err as Error).message;
        this.opts.logger.error({ component: r.node.id, err }, 'component failed');
      }
    });
    await aborted(signal);
    for (let i = all.length - 1; i >= 0; i--) {
      stops[i]!.abort();
      await done[i];
    }
    await this.reevaluation;
  }

  health(): { id: string; healthy: boolean; message?: string }[] {
    return [...this.running.values()].map((r) => {
      if (r.error) return { id: r.node.id, healthy: false, message: r.error };
      return { id: r.node.id, ...r.component.health() };
    });
  }

  /** Resolves once pending re-evaluations (after export changes) are applied. */
  settled(): Promise<void> {
    return this.reevaluation;
  }

  component(id: string): Component | undefined {
    return this.running.get(id)?.component;
  }

  private evaluateArgs(node: ComponentNode): Record<string, unknown> {
    const scope = this.scope();
    return decodeBody(node.block.body, node.definition.arguments, node.block.pos, (e) =>
      evaluate(e, scope),
    );
  }

  /** The standard library plus every built component's exports under its path. */
  private scope(): Record<string, unknown> {
    const scope: Record<string, unknown> = { ...this.stdlib };
    for (const { node, component } of this.running.values()) {
      const parts = node.id.split('.');
      let at = scope;
      for (const part of parts.slice(0, -1)) {
        const next = (at[part] as Record<string, unknown> | undefined) ?? {};
        at[part] = next;
        at = next;
      }
      at[parts[parts.length - 1]!] = component.exports();
    }
    return scope;
  }

  private exportsChanged(id: string): void {
    this.reevaluation = this.reevaluation.then(async () => {
      for (const node of this.nodes) {
        if (!node.deps.has(id)) continue;
        const r = this.running.get(node.id);
        if (!r) continue;
        try {
          const args = this.evaluateArgs(node);
          if (isDeepStrictEqual(args, r.args)) continue;
          r.args = args;
          await r.component.update(args);
        } catch (err) {
          this.opts.logger.error({ component: node.id, err }, 'updating component failed');
        }
      }
    });
  }
}
