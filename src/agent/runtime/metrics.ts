import { Counter, Registry } from 'prom-client';
import type { ComponentMetrics } from '../component.js';

/**
 * The agent's own counters for `/metrics` on its debug port: lines read,
 * sent and dropped (with the reason) per component, as Alloy's components
 * each count theirs.
 */
export class AgentMetrics {
  readonly registry = new Registry();
  private readonly readLines = new Counter({
    name: 'obs_agent_component_lines_read_total',
    help: 'Log lines a component received from its source or upstream.',
    labelNames: ['component_id'],
    registers: [this.registry],
  });
  private readonly sentLines = new Counter({
    name: 'obs_agent_component_lines_sent_total',
    help: 'Log lines a component passed on downstream or to the store.',
    labelNames: ['component_id'],
    registers: [this.registry],
  });
  private readonly droppedLines = new Counter({
    name: 'obs_agent_component_lines_dropped_total',
    help: 'Log lines a component dropped, by reason.',
    labelNames: ['component_id', 'reason'],
    registers: [this.registry],
  });

  forComponent(id: string): ComponentMetrics {
    return {
      read: (n) => this.readLines.inc({ component_id: id }, n),
      sent: (n) => this.sentLines.inc({ component_id: id }, n),
      dropped: (n, reason) => this.droppedLines.inc({ component_id: id, reason }, n),
    };
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
