import type { Labels } from '../../common/labels.js';
import {
  compileRelabel,
  relabel,
  type CompiledRelabel,
  type RelabelConfig,
} from '../../common/relabel.js';
import type { Component, ComponentDefinition, ComponentOptions } from '../component.js';
import { aborted } from './aborted.js';
import { RULES_SCHEMA } from './relabel-rules.js';

interface Args {
  targets: Labels[];
  rule: RelabelConfig[];
}

/**
 * `discovery.relabel`: applies `rule` blocks to each target; exports the
 * surviving targets as `output` and the compiled rules as `rules` (which
 * `loki.source.journal` and others take as `relabel_rules`).
 */
class DiscoveryRelabel implements Component {
  readonly id: string;
  private output: Labels[] = [];
  private rules: CompiledRelabel;

  constructor(
    private readonly options: ComponentOptions,
    args: Args,
  ) {
    this.id = options.id;
    this.rules = compileRelabel(args.rule);
    this.output = this.apply(args.targets);
  }

  exports(): Record<string, unknown> {
    return { output: this.output, rules: this.rules };
  }

  async update(args: Record<string, unknown>): Promise<void> {
    const a = args as unknown as Args;
    this.rules = compileRelabel(a.rule);
    this.output = this.apply(a.targets);
    this.options.onExportsChange?.();
  }

  run(signal: AbortSignal): Promise<void> {
    return aborted(signal);
  }

  health(): { healthy: boolean } {
    return { healthy: true };
  }

  private apply(targets: Labels[]): Labels[] {
    const out: Labels[] = [];
    for (const t of targets) {
      const labels: Labels = {};
      for (const [k, v] of Object.entries(t)) labels[k] = String(v);
      const result = relabel(labels, this.rules);
      if (result && Object.keys(result).length > 0) out.push(result);
    }
    return out;
  }
}

export const discoveryRelabel: ComponentDefinition = {
  name: 'discovery.relabel',
  arguments: { attributes: { targets: { type: 'list', required: true } }, blocks: RULES_SCHEMA },
  build: (options, args) => new DiscoveryRelabel(options, args as unknown as Args),
};
