import { sortLabels, type Labels } from '../../common/labels.js';
import type { Queryable } from '../queryable.js';
import type { Expr } from './ast.js';
import { VALUE_TYPE_NAMES } from './ast.js';
import { PromQLError } from './errors.js';
import { Evaluator } from './evaluator.js';
import { formatSampleValue } from '../../common/sample-value.js';
import { histogramJson } from './histogram.js';
import { typeOf } from './check.js';
import { parsePromQL } from './parser.js';
import { QueryContext } from './query-context.js';
import { compareLabels, type Matrix } from './value.js';

export interface EngineOptions {
  /** `--query.lookback-delta`, default 5m. */
  lookbackDeltaMs?: number;
  /** `--query.timeout`, default 2m. */
  timeoutMs?: number;
  /** `--query.max-samples`, default 50,000,000. */
  maxSamples?: number;
  /** Step of subqueries written without one (Prometheus: the global evaluation_interval), default 1m. */
  subqueryStepMs?: number;
}

export type SamplePair = [number, string];

/** A native histogram in the API's JSON: buckets as [boundary rule, lower, upper, count]. */
export interface HistogramJson {
  count: string;
  sum: string;
  buckets?: [number, string, string, string][];
}

export type HistogramPair = [number, HistogramJson];

export type VectorSample =
  { metric: Labels; value: SamplePair } | { metric: Labels; histogram: HistogramPair };

/** A series of a matrix: float points in `values`, histogram points in `histograms`. */
export interface MatrixSeries {
  metric: Labels;
  values?: SamplePair[];
  histograms?: HistogramPair[];
}

/** Per-query settings, as the HTTP API's `timeout` parameter. */
export interface QueryOptions {
  /** Lowers the engine's timeout for this query (Prometheus takes the smaller of the two). */
  timeoutMs?: number;
}

/** The `data` object of Prometheus's /api/v1/query and /api/v1/query_range answers. */
export type QueryData =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'scalar'; result: SamplePair }
  | { resultType: 'string'; result: SamplePair };

/** Prometheus answers at most this many points per series in a range query. */
const MAX_POINTS_PER_SERIES = 11000;

function matrixData(m: Matrix): QueryData {
  return {
    resultType: 'matrix',
    result: m.map((s) => {
      const out: MatrixSeries = { metric: sortLabels(s.metric) };
      const values: SamplePair[] = [];
      const histograms: HistogramPair[] = [];
      s.ts.forEach((t, i) => {
        const h = s.hs?.[i];
        if (h) histograms.push([t / 1000, histogramJson(h, formatSampleValue)]);
        else values.push([t / 1000, formatSampleValue(s.fs[i]!)]);
      });
      if (values.length > 0) out.values = values;
      if (histograms.length > 0) out.histograms = histograms;
      return out;
    }),
  };
}

/** Evaluates PromQL over a Queryable with Prometheus 2.x semantics and limits. */
export class PromQLEngine {
  private readonly lookbackDeltaMs: number;
  private readonly timeoutMs: number;
  private readonly maxSamples: number;
  private readonly subqueryStepMs: number;

  constructor(opts: EngineOptions = {}) {
    this.lookbackDeltaMs = opts.lookbackDeltaMs ?? 300_000;
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.maxSamples = opts.maxSamples ?? 50_000_000;
    this.subqueryStepMs = opts.subqueryStepMs ?? 60_000;
  }

  private context(
    q: Queryable,
    startMs: number,
    endMs: number,
    signal: AbortSignal | undefined,
    opts: QueryOptions | undefined,
  ): QueryContext {
    const timeoutMs = Math.min(this.timeoutMs, opts?.timeoutMs ?? Infinity);
    return new QueryContext({
      queryable: q,
      queryStartMs: startMs,
      queryEndMs: endMs,
      lookbackDeltaMs: this.lookbackDeltaMs,
      subqueryStepMs: this.subqueryStepMs,
      maxSamples: this.maxSamples,
      deadlineMs: Date.now() + timeoutMs,
      signal,
    });
  }

  async instantQuery(
    q: Queryable,
    expr: string,
    timeMs: number,
    signal?: AbortSignal,
    opts?: QueryOptions,
  ): Promise<QueryData> {
    return this.instantQueryAst(q, parsePromQL(expr), timeMs, signal, opts);
  }

  async instantQueryAst(
    q: Queryable,
    ast: Expr,
    timeMs: number,
    signal?: AbortSignal,
    opts?: QueryOptions,
  ): Promise<QueryData> {
    const ctx = this.context(q, timeMs, timeMs, signal, opts);
    const value = await new Evaluator(ctx, timeMs, timeMs, 1).eval(ast);
    const t = timeMs / 1000;
    if (value.type === 'string') return { resultType: 'string', result: [t, value.value] };
    const m = value.matrix;
    switch (typeOf(ast)) {
      case 'scalar':
        return { resultType: 'scalar', result: [t, formatSampleValue(m[0]?.fs[0] ?? NaN)] };
      case 'matrix':
        return matrixData(m);
      default:
        return {
          resultType: 'vector',
          result: m.map((s): VectorSample => {
            const h = s.hs?.[0];
            if (h)
              return {
                metric: sortLabels(s.metric),
                histogram: [t, histogramJson(h, formatSampleValue)],
              };
            return { metric: sortLabels(s.metric), value: [t, formatSampleValue(s.fs[0]!)] };
          }),
        };
    }
  }

  async rangeQuery(
    q: Queryable,
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal,
    opts?: QueryOptions,
  ): Promise<QueryData> {
    return this.rangeQueryAst(q, parsePromQL(expr), startMs, endMs, stepMs, signal, opts);
  }

  async rangeQueryAst(
    q: Queryable,
    ast: Expr,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal,
    opts?: QueryOptions,
  ): Promise<QueryData> {
    if (endMs < startMs) {
      throw new PromQLError('bad_data', 'end timestamp must not be before start time');
    }
    if (!(stepMs > 0)) {
      throw new PromQLError(
        'bad_data',
        'zero or negative query resolution step widths are not accepted. Try a positive integer',
      );
    }
    if ((endMs - startMs) / stepMs > MAX_POINTS_PER_SERIES) {
      throw new PromQLError(
        'bad_data',
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      );
    }
    const type = typeOf(ast);
    if (type !== 'scalar' && type !== 'vector') {
      throw new PromQLError(
        'bad_data',
        `invalid expression type "${VALUE_TYPE_NAMES[type]}" for range query, must be Scalar or instant Vector`,
      );
    }
    const ctx = this.context(q, startMs, endMs, signal, opts);
    const value = await new Evaluator(ctx, startMs, endMs, stepMs).eval(ast);
    if (value.type !== 'matrix') throw new PromQLError('internal', 'unexpected string result');
    const m = [...value.matrix].sort((a, b) => compareLabels(a.metric, b.metric));
    return matrixData(m);
  }
}
