import type { Labels, LabelMatcher } from '../../common/labels.js';
import type { LineFilter } from '../reader.js';
import type { StageExpr } from './ast.js';
import { LabelsBuilder } from './labels-builder.js';
import { decolorizeStage } from './stages/decolorize.js';
import { dropStage, keepStage } from './stages/drop-keep.js';
import { labelFormatStage, lineFormatStage } from './stages/format.js';
import { jsonExpressionStage, jsonStage } from './stages/json.js';
import { labelFilterStage } from './stages/label-filter.js';
import { lineFilterStage } from './stages/line-filter.js';
import { logfmtExpressionStage, logfmtStage } from './stages/logfmt.js';
import { patternStage } from './stages/pattern.js';
import { regexpStage } from './stages/regexp.js';
import type { Stage } from './stages/stage.js';
import { unpackStage } from './stages/unpack.js';
import { filterNames } from './metric/hints.js';

/**
 * A log pipeline split the way Loki splits it: the leading line filters
 * storage can evaluate (`pushdown`), then the stages run here on what
 * storage returns.
 */
export interface CompiledPipeline {
  pushdown: LineFilter[];
  stages: Stage[];
  /**
   * When the stages only parse and filter: the same stages extracting only
   * the labels the filters read. An entry it drops is dropped by `stages`
   * too, so most entries are rejected without being fully parsed.
   */
  prefilter?: Stage[];
}

const PREFILTERABLE = new Set(['lineFilter', 'json', 'logfmt', 'regexp', 'pattern', 'labelFilter']);

function prefilterHints(exprs: StageExpr[]): Set<string> | undefined {
  if (!exprs.some((e) => e.type === 'labelFilter')) return undefined;
  const names = new Set<string>();
  for (const e of exprs) {
    if (!PREFILTERABLE.has(e.type)) return undefined;
    if (e.type === 'logfmt' && (e.strict || e.params.length > 0)) return undefined;
    if (e.type === 'json' && e.params.length > 0) return undefined;
    if (e.type === 'labelFilter') filterNames(e.filter, names);
  }
  return names;
}

/**
 * `hints`: the only labels the query reads, when it is known (a metric query
 * aggregated `by` some labels); parsers then skip the others, as Loki's
 * parser hints do.
 */
function stageFor(expr: StageExpr, hints?: ReadonlySet<string>): Stage {
  switch (expr.type) {
    case 'lineFilter':
      return lineFilterStage(expr);
    case 'json':
      return expr.params.length === 0 ? jsonStage(hints) : jsonExpressionStage(expr.params);
    case 'logfmt':
      return expr.params.length === 0
        ? logfmtStage(expr.strict, expr.keepEmpty, hints)
        : logfmtExpressionStage(expr.params);
    case 'regexp':
      return regexpStage(expr.pattern);
    case 'pattern':
      return patternStage(expr.pattern);
    case 'unpack':
      return unpackStage();
    case 'labelFilter':
      return labelFilterStage(expr.filter);
    case 'lineFormat':
      return lineFormatStage(expr.template);
    case 'labelFormat':
      return labelFormatStage(expr.items);
    case 'drop':
      return dropStage(expr.items);
    case 'keep':
      return keepStage(expr.items);
    case 'decolorize':
      return decolorizeStage();
  }
}

/** Whether storage can take this filter as is (no `ip()`, no negated alternatives). */
function pushable(expr: StageExpr): LineFilter | undefined {
  if (expr.type !== 'lineFilter') return undefined;
  if (expr.values.some((v) => v.ip)) return undefined;
  if (expr.op[0] === '!' && expr.values.length > 1) return undefined;
  return { op: expr.op, values: expr.values.map((v) => v.value) };
}

export function compilePipeline(exprs: StageExpr[], hints?: ReadonlySet<string>): CompiledPipeline {
  const pushdown: LineFilter[] = [];
  let i = 0;
  for (; i < exprs.length; i++) {
    const f = pushable(exprs[i]!);
    if (!f) break;
    pushdown.push(f);
  }
  // Every stage is compiled, pushed-down ones too, so that their errors surface here.
  const all = exprs.map((e) => stageFor(e, hints));
  const rest = exprs.slice(i);
  const narrow = hints === undefined ? prefilterHints(rest) : undefined;
  return {
    pushdown,
    stages: all.slice(i),
    ...(narrow ? { prefilter: rest.map((e) => stageFor(e, narrow)) } : {}),
  };
}

/** Runs the stages over one entry; null when a stage dropped it. */
export function runStages(
  stages: Stage[],
  lbs: LabelsBuilder,
  streamLabels: Labels,
  timestampNs: bigint,
  line: string,
): string | null {
  lbs.reset(streamLabels);
  let cur: string | null = line;
  for (const s of stages) {
    cur = s.process(timestampNs, cur, lbs);
    if (cur === null) return null;
  }
  return cur;
}

/** What `/loki/api/v1/tail` needs to run a query over live entries. */
export interface StreamPipeline {
  matchers: LabelMatcher[];
  filters: LineFilter[];
  process(entry: {
    labels: Labels;
    timestamp: bigint;
    line: string;
  }): { labels: Labels; timestamp: bigint; line: string } | null;
}

export function streamPipeline(matchers: LabelMatcher[], exprs: StageExpr[]): StreamPipeline {
  const { pushdown, stages } = compilePipeline(exprs);
  const lbs = new LabelsBuilder();
  return {
    matchers,
    filters: pushdown,
    process(entry) {
      const line = runStages(stages, lbs, entry.labels, entry.timestamp, entry.line);
      return line === null ? null : { labels: lbs.labels(), timestamp: entry.timestamp, line };
    },
  };
}
