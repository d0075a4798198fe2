import type { Labels } from '../../common/labels.js';
import { isStaleMarker, type FloatHistogram } from '../queryable.js';
import { aggregateStep } from './aggregate.js';
import type {
  AggregateExpr,
  AtModifier,
  BinaryExpr,
  Call,
  Expr,
  MatrixSelector,
  SubqueryExpr,
  VectorSelector,
} from './ast.js';
import {
  scalarBinop,
  vectorAnd,
  vectorBinop,
  vectorOr,
  vectorScalarBinop,
  vectorUnless,
  type SignatureCache,
} from './binary.js';
import { PromQLError } from './errors.js';
import {
  absentLabels,
  HISTOGRAM_FUNCTIONS,
  INSTANT_FUNCTIONS,
  type FunctionContext,
} from './functions.js';
import { typeOf } from './check.js';
import type { QueryContext } from './query-context.js';
import { hasHistogram, histogramWindow } from './histogram-window.js';
import { RANGE_FUNCTIONS, type RangeWindow } from './range-functions.js';
import {
  dropMetricName,
  labelsKey,
  type EvalValue,
  type Matrix,
  type MSeries,
  type Vector,
} from './value.js';

function unwrapParens(e: Expr): Expr {
  let x = e;
  while (x.kind === 'paren') x = x.expr;
  return x;
}

function sameLabelsetError(): PromQLError {
  return new PromQLError('execution', 'vector cannot contain metrics with the same labelset');
}

function checkUniqueSeries(m: Matrix): void {
  const seen = new Set<string>();
  for (const s of m) {
    const key = labelsKey(s.metric);
    if (seen.has(key)) throw sameLabelsetError();
    seen.add(key);
  }
}

/** The float samples of a vector (native histogram samples removed). */
function floatsOnly(v: Vector): Vector {
  return v.some((s) => s.h) ? v.filter((s) => !s.h) : v;
}

function countPoints(m: Matrix): number {
  let n = 0;
  for (const s of m) n += s.ts.length;
  return n;
}

/** Series samples for range windows: stale markers removed, as Prometheus's matrixIterSlice. */
interface RangeSource {
  series: {
    metric: Labels;
    ts: ArrayLike<number>;
    fs: ArrayLike<number>;
    hs?: ArrayLike<FloatHistogram | undefined>;
  }[];
  rangeMs: number;
  offsetMs: number;
  at: AtModifier | undefined;
}

/**
 * Evaluates an expression at every step of [start, end], as Prometheus's
 * evaluator: each node yields a matrix with one point per step where it has
 * a value, and functions, aggregations and operators run step by step.
 */
export class Evaluator {
  readonly steps: number;

  constructor(
    private readonly ctx: QueryContext,
    readonly startMs: number,
    readonly endMs: number,
    readonly intervalMs: number,
  ) {
    this.steps = Math.floor((endMs - startMs) / intervalMs) + 1;
  }

  private stepTime(k: number): number {
    return this.startMs + k * this.intervalMs;
  }

  private atMs(at: AtModifier): number {
    if (at.kind === 'time') return at.ms;
    return at.kind === 'start' ? this.ctx.opts.queryStartMs : this.ctx.opts.queryEndMs;
  }

  /** The reference time of each step after `@` and `offset`. */
  private refTimes(offsetMs: number, at: AtModifier | undefined): Float64Array {
    const refs = new Float64Array(this.steps);
    const fixed = at === undefined ? undefined : this.atMs(at);
    for (let k = 0; k < this.steps; k++) refs[k] = (fixed ?? this.stepTime(k)) - offsetMs;
    return refs;
  }

  async eval(e: Expr): Promise<EvalValue> {
    this.ctx.checkNow();
    switch (e.kind) {
      case 'number': {
        const ts: number[] = [];
        const fs: number[] = [];
        for (let k = 0; k < this.steps; k++) {
          ts.push(this.stepTime(k));
          fs.push(e.value);
        }
        return matrix([{ metric: {}, ts, fs }]);
      }
      case 'string':
        return { type: 'string', value: e.value };
      case 'paren':
        return this.eval(e.expr);
      case 'unary': {
        const inner = await this.evalMatrix(e.expr);
        if (e.op === '+') return matrix(inner);
        const out: Matrix = [];
        for (const s of inner) {
          // Negation applies to float samples; histogram points are left out.
          const keep = s.ts.map((_, i) => !s.hs?.[i]);
          const ts = s.ts.filter((_, i) => keep[i]);
          if (ts.length === 0) continue;
          const fs = s.fs.filter((_, i) => keep[i]).map((v) => -v);
          out.push({ metric: dropMetricName(s.metric), ts, fs });
        }
        checkUniqueSeries(out);
        return matrix(out);
      }
      case 'vectorSelector':
        return matrix(await this.evalVectorSelector(e, false));
      case 'matrixSelector':
        return matrix(this.windowedRaw(await this.matrixSource(e)));
      case 'subquery':
        return matrix(this.windowedRaw(await this.subquerySource(e)));
      case 'call':
        return matrix(await this.evalCall(e));
      case 'aggregate':
        return matrix(await this.evalAggregate(e));
      case 'binary':
        return matrix(await this.evalBinary(e));
    }
  }

  async evalMatrix(e: Expr): Promise<Matrix> {
    const v = await this.eval(e);
    if (v.type !== 'matrix') throw new PromQLError('internal', 'unexpected string value');
    return v.matrix;
  }

  private async evalVectorSelector(vs: VectorSelector, sampleTime: boolean): Promise<Matrix> {
    const lookback = this.ctx.opts.lookbackDeltaMs;
    const refs = this.refTimes(vs.offsetMs, vs.at);
    const mint = refs[0]! - lookback;
    const maxt = refs[this.steps - 1]!;
    const series = await this.ctx.select(vs.matchers, mint, maxt, {
      startMs: mint,
      endMs: maxt,
      stepMs: this.steps > 1 && vs.at === undefined ? this.intervalMs : 0,
      rangeMs: lookback,
      // One reference time (one step, or `@` pinning every step): only the newest sample counts.
      newestOnly: this.steps === 1 || vs.at !== undefined,
    });
    const out: Matrix = [];
    for (const s of series) {
      await this.ctx.check();
      const sts = s.timestamps;
      const n = sts.length;
      const ts: number[] = [];
      const fs: number[] = [];
      const hists = sampleTime ? undefined : s.histograms;
      let hs: (FloatHistogram | undefined)[] | undefined;
      let j = -1;
      for (let k = 0; k < this.steps; k++) {
        const r = refs[k]!;
        while (j + 1 < n && sts[j + 1]! <= r) j++;
        if (j < 0) {
          // No sample at or before this reference time yet; with `@` a later
          // step has the same reference, so nothing can appear.
          continue;
        }
        const v = s.values[j]!;
        if (
          sts[j]! < r - lookback ||
          (v !== v && !s.histograms?.[j] && isStaleMarker(s.values, j))
        ) {
          continue;
        }
        const h = hists?.[j];
        if (h && !hs) hs = new Array<FloatHistogram | undefined>(ts.length).fill(undefined);
        hs?.push(h);
        ts.push(this.stepTime(k));
        fs.push(sampleTime ? sts[j]! / 1000 : v);
      }
      if (ts.length > 0) {
        this.ctx.addSamples(ts.length);
        out.push({ metric: sampleTime ? dropMetricName(s.labels) : s.labels, ts, fs, hs });
      }
    }
    return out;
  }

  /** The function a matrix selection feeds, passed to storage as a hint. */
  private currentFunc: string | undefined;

  private async matrixSource(ms: MatrixSelector): Promise<RangeSource> {
    const vs = ms.selector;
    const refs = this.refTimes(vs.offsetMs, vs.at);
    const mint = refs[0]! - ms.rangeMs;
    const maxt = refs[this.steps - 1]!;
    const raw = await this.ctx.select(vs.matchers, mint, maxt, {
      startMs: mint,
      endMs: maxt,
      stepMs: this.steps > 1 && vs.at === undefined ? this.intervalMs : 0,
      rangeMs: ms.rangeMs,
      func: this.currentFunc,
    });
    const series = raw.map((s) => {
      let stale = 0;
      const vals = s.values;
      const hists = s.histograms;
      // Only a NaN can be a staleness marker; checking `v !== v` first keeps the bit test off the hot path.
      for (let i = 0; i < vals.length; i++) {
        if (vals[i] !== vals[i] && !hists?.[i] && isStaleMarker(vals, i)) stale++;
      }
      if (stale === 0) return { metric: s.labels, ts: s.timestamps, fs: s.values, hs: hists };
      const ts = new Float64Array(s.values.length - stale);
      const fs = new Float64Array(s.values.length - stale);
      const hs = hists ? new Array<FloatHistogram | undefined>(ts.length) : undefined;
      let o = 0;
      for (let i = 0; i < s.values.length; i++) {
        if (s.values[i] !== s.values[i] && !hists?.[i] && isStaleMarker(s.values, i)) continue;
        ts[o] = s.timestamps[i]!;
        if (hs) hs[o] = hists![i];
        fs[o++] = s.values[i]!;
      }
      return { metric: s.labels, ts, fs, hs };
    });
    return { series, rangeMs: ms.rangeMs, offsetMs: vs.offsetMs, at: vs.at };
  }

  private async subquerySource(sq: SubqueryExpr): Promise<RangeSource> {
    const refs = this.refTimes(sq.offsetMs, sq.at);
    const step = sq.stepMs > 0 ? sq.stepMs : this.ctx.opts.subqueryStepMs;
    const from = refs[0]! - sq.rangeMs;
    let start = step * Math.trunc(from / step);
    if (start < from) start += step;
    const end = refs[this.steps - 1]!;
    const inner = new Evaluator(this.ctx, start, end, step);
    const series = start > end ? [] : await inner.evalMatrix(sq.expr);
    return { series, rangeMs: sq.rangeMs, offsetMs: sq.offsetMs, at: sq.at };
  }

  /** A top-level range vector: the raw points of the (single) step's window. */
  private windowedRaw(src: RangeSource): Matrix {
    const refs = this.refTimes(src.offsetMs, src.at);
    const r = refs[this.steps - 1]!;
    const out: Matrix = [];
    for (const s of src.series) {
      const ts: number[] = [];
      const fs: number[] = [];
      const hs: (FloatHistogram | undefined)[] = [];
      for (let i = 0; i < s.ts.length; i++) {
        const t = s.ts[i]!;
        if (t >= r - src.rangeMs && t <= r) {
          ts.push(t);
          fs.push(s.fs[i]!);
          hs.push(s.hs?.[i]);
        }
      }
      if (ts.length > 0) {
        this.ctx.addSamples(ts.length);
        out.push({ metric: s.metric, ts, fs, hs: hs.some((h) => h) ? hs : undefined });
      }
    }
    return out;
  }

  /**
   * Runs `fn` once per step over the argument matrices' vectors at that step
   * and collects the results into series, as Prometheus's rangeEval.
   */
  private async rangeEval(
    args: Matrix[],
    fn: (vecs: Vector[], ts: number) => Vector,
  ): Promise<Matrix> {
    const ptrs = args.map((m) => new Int32Array(m.length));
    const single = this.steps === 1;
    const bySeries = new Map<string, MSeries>();
    const ordered: Matrix = [];
    for (let k = 0; k < this.steps; k++) {
      await this.ctx.check();
      const ts = this.stepTime(k);
      const vecs: Vector[] = args.map((m, i) => {
        const p = ptrs[i]!;
        const vec: Vector = [];
        for (let si = 0; si < m.length; si++) {
          const s = m[si]!;
          const idx = p[si]!;
          if (idx < s.ts.length && s.ts[idx] === ts) {
            const h = s.hs?.[idx];
            vec.push(
              h ? { metric: s.metric, f: s.fs[idx]!, h } : { metric: s.metric, f: s.fs[idx]! },
            );
            p[si] = idx + 1;
          }
        }
        return vec;
      });
      const res = fn(vecs, ts);
      this.ctx.addSamples(res.length);
      if (single) {
        const seen = new Set<string>();
        for (const s of res) {
          const key = labelsKey(s.metric);
          if (seen.has(key)) throw sameLabelsetError();
          seen.add(key);
          ordered.push({ metric: s.metric, ts: [ts], fs: [s.f], hs: s.h ? [s.h] : undefined });
        }
        continue;
      }
      for (const s of res) {
        const key = labelsKey(s.metric);
        let series = bySeries.get(key);
        if (!series) {
          series = { metric: s.metric, ts: [], fs: [] };
          bySeries.set(key, series);
          ordered.push(series);
        } else if (series.ts[series.ts.length - 1] === ts) {
          throw sameLabelsetError();
        }
        if (s.h && !series.hs) {
          series.hs = new Array<FloatHistogram | undefined>(series.ts.length).fill(undefined);
        }
        series.hs?.push(s.h);
        series.ts.push(ts);
        series.fs.push(s.f);
      }
    }
    for (const m of args) this.ctx.releaseSamples(countPoints(m));
    return ordered;
  }

  private async evalCall(e: Call): Promise<Matrix> {
    const first = e.args[0] ? unwrapParens(e.args[0]) : undefined;
    if (e.func === 'timestamp' && first?.kind === 'vectorSelector') {
      const out = await this.evalVectorSelector(first, true);
      checkUniqueSeries(out);
      return out;
    }
    const matrixIdx = e.args.findIndex((a) => typeOf(a) === 'matrix');
    if (matrixIdx >= 0) return this.evalRangeFunction(e, matrixIdx);
    const fn = INSTANT_FUNCTIONS.get(e.func);
    if (!fn) throw new PromQLError('bad_data', `function "${e.func}" is not implemented`);
    const mats: Matrix[] = [];
    const strings: (string | undefined)[] = [];
    for (const a of e.args) {
      const v = await this.eval(a);
      if (v.type === 'string') {
        strings.push(v.value);
        mats.push([]);
      } else {
        strings.push(undefined);
        mats.push(v.matrix);
      }
    }
    const fctx: FunctionContext = { ts: 0, call: e, strings, cache: new Map() };
    const takesHistograms = HISTOGRAM_FUNCTIONS.has(e.func);
    return this.rangeEval(mats, (vecs, ts) => {
      fctx.ts = ts;
      return fn(takesHistograms ? vecs : vecs.map(floatsOnly), fctx);
    });
  }

  private async evalRangeFunction(e: Call, matrixIdx: number): Promise<Matrix> {
    const fn = RANGE_FUNCTIONS.get(e.func);
    if (!fn) throw new PromQLError('bad_data', `function "${e.func}" is not implemented`);
    const scalarArgs: number[][] = [];
    for (let i = 0; i < e.args.length; i++) {
      if (i === matrixIdx) continue;
      const m = await this.evalMatrix(e.args[i]!);
      const values = new Array<number>(this.steps).fill(NaN);
      for (const s of m) {
        for (let j = 0; j < s.ts.length; j++) {
          values[Math.round((s.ts[j]! - this.startMs) / this.intervalMs)] = s.fs[j]!;
        }
      }
      scalarArgs.push(values);
    }
    const arg = unwrapParens(e.args[matrixIdx]!);
    this.currentFunc = e.func;
    const src =
      arg.kind === 'subquery'
        ? await this.subquerySource(arg)
        : await this.matrixSource(arg as MatrixSelector);
    this.currentFunc = undefined;
    const refs = this.refTimes(src.offsetMs, src.at);
    const keepName = e.func === 'last_over_time';
    const w: RangeWindow = {
      ts: [],
      fs: [],
      lo: 0,
      hi: 0,
      stepMs: 0,
      rangeStartMs: 0,
      rangeEndMs: 0,
      rangeMs: src.rangeMs,
      scalars: scalarArgs.map(() => 0),
    };
    const out: Matrix = [];
    for (const s of src.series) {
      await this.ctx.check();
      const n = s.ts.length;
      const ts: number[] = [];
      const fs: number[] = [];
      let hs: (FloatHistogram | undefined)[] | undefined;
      let lo = 0;
      let hi = 0;
      w.ts = s.ts;
      w.fs = s.fs;
      for (let k = 0; k < this.steps; k++) {
        const r = refs[k]!;
        const mint = r - src.rangeMs;
        while (hi < n && s.ts[hi]! <= r) hi++;
        while (lo < hi && s.ts[lo]! < mint) lo++;
        if (lo >= hi) continue;
        w.lo = lo;
        w.hi = hi;
        w.stepMs = this.stepTime(k);
        w.rangeStartMs = mint;
        w.rangeEndMs = r;
        for (let a = 0; a < scalarArgs.length; a++) w.scalars[a] = scalarArgs[a]![k]!;
        this.ctx.addSamples(hi - lo);
        const v = s.hs && hasHistogram(s.hs, lo, hi) ? histogramWindow(e.func, fn, w, s.hs) : fn(w);
        this.ctx.releaseSamples(hi - lo);
        if (v === undefined) continue;
        if (typeof v === 'number') {
          hs?.push(undefined);
          fs.push(v);
        } else {
          hs ??= new Array<FloatHistogram | undefined>(ts.length).fill(undefined);
          hs.push(v);
          fs.push(0);
        }
        ts.push(w.stepMs);
      }
      if (ts.length > 0) {
        this.ctx.addSamples(ts.length);
        out.push({ metric: keepName ? s.metric : dropMetricName(s.metric), ts, fs, hs });
      }
    }
    if (e.func === 'absent_over_time') return this.absentOverTime(out, e);
    checkUniqueSeries(out);
    return out;
  }

  private absentOverTime(present: Matrix, e: Call): Matrix {
    const found = new Set<number>();
    for (const s of present) {
      if (s.ts.length === this.steps) return [];
      for (const t of s.ts) found.add(t);
    }
    const ts: number[] = [];
    const fs: number[] = [];
    for (let k = 0; k < this.steps; k++) {
      const t = this.stepTime(k);
      if (!found.has(t)) {
        ts.push(t);
        fs.push(1);
      }
    }
    return ts.length > 0 ? [{ metric: absentLabels(e.args[0]!), ts, fs }] : [];
  }

  private async evalAggregate(e: AggregateExpr): Promise<Matrix> {
    let param: EvalValue | undefined;
    if (e.param) param = await this.eval(e.param);
    const inner = await this.evalMatrix(e.expr);
    const cache = new Map();
    if (param?.type === 'matrix') {
      return this.rangeEval([param.matrix, inner], ([p, vec]) =>
        aggregateStep(e, p![0]?.f ?? NaN, vec!, cache),
      );
    }
    const stringParam = param?.type === 'string' ? param.value : undefined;
    return this.rangeEval([inner], ([vec]) => aggregateStep(e, stringParam, vec!, cache));
  }

  private async evalBinary(e: BinaryExpr): Promise<Matrix> {
    const lt = typeOf(e.lhs);
    const rt = typeOf(e.rhs);
    const lhs = await this.evalMatrix(e.lhs);
    const rhs = await this.evalMatrix(e.rhs);
    if (lt === 'scalar' && rt === 'scalar') {
      return this.rangeEval([lhs, rhs], ([l, r]) => [
        { metric: {}, f: scalarBinop(e.op, l![0]!.f, r![0]!.f) },
      ]);
    }
    if (lt === 'vector' && rt === 'scalar') {
      return this.rangeEval([lhs, rhs], ([l, r]) =>
        vectorScalarBinop(e.op, l!, r![0]!.f, false, e.returnBool),
      );
    }
    if (lt === 'scalar' && rt === 'vector') {
      return this.rangeEval([lhs, rhs], ([l, r]) =>
        vectorScalarBinop(e.op, r!, l![0]!.f, true, e.returnBool),
      );
    }
    const m = e.matching!;
    const sigs: SignatureCache = new Map();
    switch (e.op) {
      case 'and':
        return this.rangeEval([lhs, rhs], ([l, r]) => vectorAnd(l!, r!, m, sigs));
      case 'or':
        return this.rangeEval([lhs, rhs], ([l, r]) => vectorOr(l!, r!, m, sigs));
      case 'unless':
        return this.rangeEval([lhs, rhs], ([l, r]) => vectorUnless(l!, r!, m, sigs));
      default: {
        const metrics = new Map();
        return this.rangeEval([lhs, rhs], ([l, r]) =>
          vectorBinop(e.op, l!, r!, m, e.returnBool, sigs, metrics),
        );
      }
    }
  }
}

function matrix(m: Matrix): EvalValue {
  return { type: 'matrix', matrix: m };
}
