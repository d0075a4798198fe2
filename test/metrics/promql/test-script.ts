import { parsePromDuration } from '../../../src/common/duration.js';
import type { Labels } from '../../../src/common/labels.js';
import { parseSeriesSelector } from '../../../src/metrics/promql/index.js';
import { histogramAdd, histogramScale } from '../../../src/metrics/promql/histogram.js';
import type { FloatHistogram } from '../../../src/metrics/queryable.js';

export type ScriptValue = number | 'stale' | FloatHistogram | undefined;

/** One command of Prometheus's PromQL test-script language (promql/test.go, v2.52). */
export type Command =
  | { kind: 'load'; line: number; intervalMs: number; series: LoadSeries[] }
  | { kind: 'clear'; line: number }
  | {
      kind: 'eval';
      line: number;
      expr: string;
      atMs: number;
      ordered: boolean;
      fail: boolean;
      expected: Expected[];
    };

export interface LoadSeries {
  labels: Labels;
  /** One entry per interval; undefined is an omitted sample. */
  values: ScriptValue[];
}

export interface Expected {
  /** Undefined for a scalar result line. */
  labels: Labels | undefined;
  value: number | FloatHistogram;
}

function parseNumber(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return NaN;
  const v = Number(text);
  if (Number.isNaN(v)) throw new Error(`bad number ${text}`);
  return v;
}

function parseDuration(text: string): number {
  const ms = parsePromDuration(text);
  if (ms === undefined) throw new Error(`bad duration ${text}`);
  return ms;
}

/** Splits `metric{a="b c"} 1 2` into the selector and the rest, respecting quotes. */
function splitSeries(line: string): [string, string] {
  let i = 0;
  while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i]!)) i++;
  if (line[i] === '{') {
    let quote = '';
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'" || c === '`') quote = c;
      else if (c === '}') {
        i++;
        break;
      }
    }
  }
  return [line.slice(0, i), line.slice(i).trim()];
}

function parseLabels(desc: string): Labels {
  const labels: Labels = {};
  if (desc === '{}') return labels;
  for (const m of parseSeriesSelector(desc)) labels[m.name] = m.value;
  return labels;
}

/** `{{schema:0 sum:5 count:4 buckets:[1 2 1] offset:1 ...}}` as a histogram, as test.go reads it. */
function parseHistogram(text: string): FloatHistogram {
  const fields = new Map<string, string>();
  for (const m of text.slice(2, -2).matchAll(/(\w+):(\[[^\]]*\]|\S+)/g)) fields.set(m[1]!, m[2]!);
  const num = (k: string, d: number): number => (fields.has(k) ? parseNumber(fields.get(k)!) : d);
  const list = (k: string): number[] =>
    (fields.get(k) ?? '[]').slice(1, -1).split(/\s+/).filter(Boolean).map(parseNumber);
  const buckets = list('buckets');
  const negative = list('n_buckets');
  return {
    schema: num('schema', 0),
    zeroThreshold: num('z_bucket_w', 0),
    zeroCount: num('z_bucket', 0),
    count: num('count', 0),
    sum: num('sum', 0),
    positiveSpans: buckets.length ? [{ offset: num('offset', 0), length: buckets.length }] : [],
    positiveBuckets: buckets,
    negativeSpans: negative.length ? [{ offset: num('n_offset', 0), length: negative.length }] : [],
    negativeBuckets: negative,
  };
}

/** Splits a values list into items, keeping `{{...}}` (which hold spaces) whole. */
function valueItems(text: string): string[] {
  const items: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && !/\s/.test(text[j]!)) {
      if (text.startsWith('{{', j)) j = text.indexOf('}}', j) + 2;
      else j++;
    }
    items.push(text.slice(i, j));
    i = j;
  }
  return items;
}

/** Expands `1+2x3 _ stale _x2 5 {{...}}+{{...}}x2` into per-interval values. */
function expandValues(text: string): ScriptValue[] {
  const out: ScriptValue[] = [];
  for (const item of valueItems(text)) {
    if (item === '_') {
      out.push(undefined);
      continue;
    }
    if (item === 'stale') {
      out.push('stale');
      continue;
    }
    const blanks = /^_x(\d+)$/.exec(item);
    if (blanks) {
      for (let i = 0; i < Number(blanks[1]); i++) out.push(undefined);
      continue;
    }
    const hist = /^(\{\{.*?\}\})(?:([-+])(\{\{.*?\}\}))?(?:x(\d+))?$/.exec(item);
    if (hist) {
      let h = parseHistogram(hist[1]!);
      const inc = hist[3] === undefined ? undefined : parseHistogram(hist[3]);
      const times = hist[4] === undefined ? 0 : Number(hist[4]);
      for (let i = 0; i <= times; i++) {
        out.push(h);
        if (inc) h = histogramAdd(h, hist[2] === '-' ? histogramScale(inc, -1) : inc);
      }
      continue;
    }
    const seq =
      /^([-+]?(?:[0-9.]+(?:e[-+]?\d+)?|Inf|NaN))(?:([-+](?:[0-9.]+(?:e[-+]?\d+)?|Inf|NaN)))?x(\d+)$/i.exec(
        item,
      );
    if (seq) {
      let v = parseNumber(seq[1]!);
      const inc = seq[2] === undefined ? 0 : parseNumber(seq[2]);
      for (let i = 0; i <= Number(seq[3]); i++) {
        out.push(v);
        v += inc;
      }
      continue;
    }
    out.push(parseNumber(item));
  }
  return out;
}

const EVAL_RE = /^eval(_ordered|_fail)?\s+instant\s+at\s+(\S+)\s+(.+)$/;

export function parseTestScript(text: string): Command[] {
  const lines = text.split('\n');
  const cmds: Command[] = [];
  let i = 0;
  const body = (): { line: number; text: string }[] => {
    const out: { line: number; text: string }[] = [];
    while (i < lines.length) {
      const l = lines[i]!;
      if (l.trim() === '' || !/^\s/.test(l)) break;
      if (!l.trim().startsWith('#')) out.push({ line: i + 1, text: l.trim() });
      i++;
    }
    return out;
  };
  while (i < lines.length) {
    const raw = lines[i]!;
    const line = raw.trim();
    const lineNo = i + 1;
    i++;
    if (line === '' || line.startsWith('#')) continue;
    if (line === 'clear') {
      cmds.push({ kind: 'clear', line: lineNo });
      continue;
    }
    const load = /^load\s+(\S+)$/.exec(line);
    if (load) {
      const series = body().map((r) => {
        const [desc, values] = splitSeries(r.text);
        return { labels: parseLabels(desc), values: expandValues(values) };
      });
      cmds.push({ kind: 'load', line: lineNo, intervalMs: parseDuration(load[1]!), series });
      continue;
    }
    const ev = EVAL_RE.exec(line);
    if (ev) {
      const expected: Expected[] = body().map((r) => {
        if (/^[-+]?(?:[0-9.]|Inf|NaN)/i.test(r.text) && !r.text.includes('{')) {
          return { labels: undefined, value: parseNumber(r.text) };
        }
        const [desc, values] = splitSeries(r.text);
        return {
          labels: parseLabels(desc),
          value: expandValues(values)[0] as number | FloatHistogram,
        };
      });
      cmds.push({
        kind: 'eval',
        line: lineNo,
        expr: ev[3]!,
        atMs: parseDuration(ev[2]!),
        ordered: ev[1] === '_ordered',
        fail: ev[1] === '_fail',
        expected,
      });
      continue;
    }
    throw new Error(`line ${lineNo}: unknown command ${line}`);
  }
  return cmds;
}
