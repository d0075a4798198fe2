import { compileRelabel, type CompiledRelabel, type RelabelConfig } from '../../common/relabel.js';
import type { ArgumentSchema, BlockSpec } from '../component.js';

/** A `rule` block as Alloy documents it: Prometheus's relabel_config in Alloy syntax. */
const RULE_BLOCK: BlockSpec = {
  multiple: true,
  schema: {
    attributes: {
      source_labels: { type: 'list' },
      separator: { type: 'string' },
      regex: { type: 'string' },
      modulus: { type: 'number' },
      target_label: { type: 'string' },
      replacement: { type: 'string' },
      action: { type: 'string' },
    },
    blocks: {},
  },
};

export const RULES_SCHEMA: ArgumentSchema['blocks'] = { rule: RULE_BLOCK };

/** `relabel_rules` as discovery.relabel exports them (compiled), or plain rules. */
export function relabelRulesArg(value: unknown): CompiledRelabel | undefined {
  if (value == null) return undefined;
  if (Array.isArray(value))
    return value.length ? compileRelabel(value as RelabelConfig[]) : undefined;
  const rules = (value as CompiledRelabel).rules;
  if (!Array.isArray(rules))
    throw new Error('relabel_rules: expected the rules a discovery.relabel exports');
  return rules.length ? (value as CompiledRelabel) : undefined;
}
