import { compileLabelMatcher } from '../../common/label-matcher.js';
import type { LabelMatcher, Labels } from '../../common/labels.js';
import { compileLineFilter, compileLogPipeline } from '../logql/index.js';
import type { LineFilter } from '../reader.js';

/** A tail query compiled for live entries and for the historical read. */
export interface TailQuery {
  matchers: LabelMatcher[];
  /** Line filters storage applies to the historical entries. */
  pushdown: LineFilter[];
  /** The rest of the pipeline, on an entry that passed matchers and pushdown. */
  process(labels: Labels, ts: bigint, line: string): { labels: Labels; line: string } | null;
  /** Matchers, pushdown filters and pipeline: what a live entry goes through. */
  processLive(labels: Labels, ts: bigint, line: string): { labels: Labels; line: string } | null;
}

/**
 * A LogQL log query for `/loki/api/v1/tail`, compiled by the LogQL engine
 * (its parse errors and the empty-compatible-selector refusal included).
 * Live entries do not come from storage, so the matchers and pushed-down
 * filters are evaluated here for them.
 */
export function compileTailQuery(query: string): TailQuery {
  const pipeline = compileLogPipeline(query);
  const labelTests = pipeline.matchers.map(matcherTest);
  const lineTests = pipeline.filters.map((f) =>
    compileLineFilter({
      type: 'lineFilter',
      op: f.op,
      values: f.values.map((value) => ({ ip: false, value })),
    }),
  );
  const process = (labels: Labels, timestamp: bigint, line: string) => {
    const out = pipeline.process({ labels, timestamp, line });
    return out && { labels: out.labels, line: out.line };
  };
  return {
    matchers: pipeline.matchers,
    pushdown: pipeline.filters,
    process,
    processLive: (labels, ts, line) =>
      labelTests.every((t) => t(labels)) && lineTests.every((t) => t(line))
        ? process(labels, ts, line)
        : null,
  };
}

/** Whether a label set satisfies a matcher (a missing label matches as ""). */
export function matcherTest(m: LabelMatcher): (labels: Labels) => boolean {
  const test = compileLabelMatcher(m);
  return (labels) => test(labels[m.name] ?? '');
}
