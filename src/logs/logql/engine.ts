import type { Labels } from '../../common/labels.js';
import type { LogReader } from '../reader.js';
import type { Expr } from './ast.js';
import { LogqlRequestError } from './errors.js';
import { runLogQuery, type LogQueryStats, type LogStreamResult } from './log-query.js';
import { evaluate } from './metric/evaluate.js';
import { sortSamples } from './metric/vector-aggregation.js';
import { parseSyntax } from './parser.js';
import { mergeSplitResponses, SPLIT_INTERVAL_NS, splitByInterval } from './split-merge.js';
import { validateExpr } from './validate.js';

export type QueryResult =
  | { type: 'streams'; streams: LogStreamResult[] }
  | { type: 'matrix'; series: { labels: Labels; points: [bigint, number][] }[] }
  | { type: 'vector'; timeNs: bigint; samples: { labels: Labels; v: number }[] }
  | { type: 'scalar'; timeNs: bigint; v: number };

export interface QueryRequest {
  query: string;
  /** `query` already parsed by the caller with parseLogQL, so it is not parsed twice. */
  expr?: Expr;
  startNs: bigint;
  endNs: bigint;
  /** Range queries only. */
  stepNs?: bigint;
  /**
   * Range log queries only: an entry is returned only when at least this long
   * after (forward; before, backward) the previous one returned, per
   * sub-query of Loki's frontend split. Metric queries ignore it, as Loki's.
   */
  intervalNs?: bigint;
  instant: boolean;
  direction: 'forward' | 'backward';
  limit: number;
  maxSeries: number;
  signal?: AbortSignal;
}

/** How far back an instant log query looks, as Loki 3.0 answers it. */
const INSTANT_LOG_LOOKBACK_NS = 30n * 1000000000n;

/** Parses and validates a query: Loki's syntax and semantic checks, as `parse error`s. */
export function parseLogQL(query: string): Expr {
  const expr = parseSyntax(query);
  validateExpr(expr);
  return expr;
}

/** Runs a LogQL query against a log store. */
export async function runQuery(
  reader: LogReader,
  req: QueryRequest,
  stats: LogQueryStats = { linesProcessed: 0, bytesProcessed: 0 },
): Promise<QueryResult> {
  const expr = req.expr ?? parseLogQL(req.query);
  if (expr.kind === 'log') {
    const startNs = req.instant ? req.endNs - INSTANT_LOG_LOOKBACK_NS : req.startNs;
    const run = (s: bigint, e: bigint): Promise<LogStreamResult[]> =>
      runLogQuery(
        reader,
        expr,
        {
          startNs: s,
          endNs: e,
          direction: req.direction,
          limit: req.limit,
          ...(interval ? { intervalNs: interval } : {}),
          ...(req.signal ? { signal: req.signal } : {}),
        },
        stats,
      );
    const interval = req.instant ? 0n : (req.intervalNs ?? 0n);
    const splits = splitByInterval(startNs, req.endNs, SPLIT_INTERVAL_NS, req.direction);
    // Without an interval, fewer entries than the limit, or all of them inside
    // the first split, Loki's split-and-merge returns exactly what one scan of
    // the range gives. An interval restarts in every split: no shortcut.
    if (interval === 0n) {
      const whole = await run(startNs, req.endNs);
      const [s0, e0] = splits[0] ?? [startNs, req.endNs];
      if (
        countEntries(whole) < req.limit ||
        whole.every((st) => st.entries.every(([t]) => t >= s0 && t < e0))
      ) {
        return { type: 'streams', streams: whole };
      }
    }
    const responses = [];
    let total = 0;
    for (const [s, e] of splits) {
      const part = await run(s, e);
      responses.push(part);
      total += countEntries(part);
      if (total >= req.limit) break;
    }
    return { type: 'streams', streams: mergeSplitResponses(responses, req.limit, req.direction) };
  }
  const steps = req.instant ? [req.endNs] : stepTimes(req.startNs, req.endNs, req.stepNs!);
  if (steps.length === 0) return { type: 'matrix', series: [] };
  const value = await evaluate(expr, {
    reader,
    steps,
    maxSeries: req.maxSeries,
    ...(req.signal ? { signal: req.signal } : {}),
  });
  if (req.instant) {
    const t = steps[0]!;
    if (value.kind === 'scalar') return { type: 'scalar', timeNs: t, v: value.values[0]! };
    let samples = value.series
      .filter((s) => s.values[0] !== undefined)
      .map((s) => ({ labels: s.labels, v: s.values[0]! }));
    const sortOp = outerSort(expr);
    if (sortOp) samples = sortSamples(samples, sortOp === 'sort_desc');
    if (samples.length > req.maxSeries) {
      throw new LogqlRequestError(
        `maximum of series (${req.maxSeries}) reached for a single query`,
      );
    }
    return { type: 'vector', timeNs: t, samples };
  }
  const series =
    value.kind === 'scalar'
      ? [{ labels: {}, values: value.values as (number | undefined)[] }]
      : value.series;
  return {
    type: 'matrix',
    series: series
      .map((s) => ({
        labels: s.labels,
        points: steps.flatMap((t, i): [bigint, number][] => {
          const v = s.values[i];
          return v === undefined ? [] : [[t, v]];
        }),
      }))
      .filter((s) => s.points.length > 0),
  };
}

function countEntries(streams: LogStreamResult[]): number {
  let n = 0;
  for (const s of streams) n += s.entries.length;
  return n;
}

function outerSort(expr: Expr): 'sort' | 'sort_desc' | undefined {
  if (expr.kind === 'vectorAgg' && (expr.op === 'sort' || expr.op === 'sort_desc')) return expr.op;
  return undefined;
}

/** Evaluation times: the multiples of `step` (from the Unix epoch) within [start, end]. */
export function stepTimes(startNs: bigint, endNs: bigint, stepNs: bigint): bigint[] {
  const out: bigint[] = [];
  let t = startNs % stepNs === 0n ? startNs : (startNs / stepNs + 1n) * stepNs;
  for (; t <= endNs; t += stepNs) out.push(t);
  return out;
}
