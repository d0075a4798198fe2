import type { ArgumentSchema, AttributeSpec } from '../../component.js';

const attrs = (a: Record<string, AttributeSpec>): ArgumentSchema => ({ attributes: a, blocks: {} });
const valuesMap = attrs({ values: { type: 'map', required: true } });
const valuesList = attrs({ values: { type: 'list', required: true } });

/** The arguments of each `stage.*` block, with Alloy's defaults. */
export const STAGE_SCHEMAS: Record<string, ArgumentSchema> = {
  static_labels: valuesMap,
  labels: valuesMap,
  structured_metadata: valuesMap,
  label_drop: valuesList,
  label_keep: valuesList,
  json: attrs({
    expressions: { type: 'map', required: true },
    source: { type: 'string', default: '' },
    drop_malformed: { type: 'bool', default: false },
  }),
  logfmt: attrs({
    mapping: { type: 'map', required: true },
    source: { type: 'string', default: '' },
  }),
  regex: attrs({
    expression: { type: 'string', required: true },
    source: { type: 'string', default: '' },
  }),
  output: attrs({ source: { type: 'string', required: true } }),
  timestamp: attrs({
    source: { type: 'string', required: true },
    format: { type: 'string', required: true },
    fallback_formats: { type: 'list', default: [] },
    location: { type: 'string' },
    action_on_failure: { type: 'string', default: 'fudge' },
  }),
  drop: attrs({
    source: { type: 'string', default: '' },
    separator: { type: 'string', default: ';' },
    expression: { type: 'string' },
    value: { type: 'string' },
    older_than: { type: 'duration' },
    longer_than: { type: 'any' },
    drop_counter_reason: { type: 'string', default: 'drop_stage' },
  }),
  multiline: attrs({
    firstline: { type: 'string', required: true },
    max_wait_time: { type: 'duration', default: '3s' },
    max_lines: { type: 'number', default: 128 },
  }),
  template: attrs({
    source: { type: 'string', required: true },
    template: { type: 'string', default: '' },
  }),
  docker: attrs({}),
  cri: attrs({
    max_partial_lines: { type: 'number', default: 100 },
    max_partial_line_size: { type: 'number', default: 0 },
    max_partial_line_size_truncate: { type: 'bool', default: false },
  }),
  replace: attrs({
    expression: { type: 'string', required: true },
    source: { type: 'string', default: '' },
    replace: { type: 'string', default: '' },
  }),
  decolorize: attrs({}),
  pack: attrs({
    labels: { type: 'list', required: true },
    ingest_timestamp: { type: 'bool', default: true },
  }),
  sampling: attrs({
    rate: { type: 'number', required: true },
    drop_counter_reason: { type: 'string', default: 'sampling_stage' },
  }),
};

// `stage.match` nests the same stages, itself included.
const match: ArgumentSchema = {
  attributes: {
    selector: { type: 'string', required: true },
    pipeline_name: { type: 'string', default: '' },
    action: { type: 'string', default: 'keep' },
    drop_counter_reason: { type: 'string', default: 'match_stage' },
  },
  blocks: {},
  enums: { stage: STAGE_SCHEMAS },
};
STAGE_SCHEMAS.match = match;

export const LOKI_PROCESS_SCHEMA: ArgumentSchema = {
  attributes: { forward_to: { type: 'list', required: true } },
  blocks: {},
  enums: { stage: STAGE_SCHEMAS },
};
