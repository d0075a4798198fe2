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
