import { parsePromDuration } from '../../../src/common/duration.js';
import type { Labels } from '../../../src/common/labels.js';
import { parseSeriesSelector } from '../../../src/metrics/promql/index.js';

/** One command of Prometheus's PromQL test-script language (promql/test.go, v2.52). */
export type Command =
  | { kind: 'load'; line: number; intervalMs: number; series: LoadSeries[]; native: boolean }
  | { kind: 'clear'; line: number }
  | {
      kind: 'eval';
      line: number;
      expr: string;
      atMs: number;
      ordered: boolean;
      fail: boolean;
      expected: Expected[];
      native: boolean;
    };

export interface LoadSeries {
  labels: Labels;
  /** One entry per interval; undefined is an omitted sample. */
  values: (number | 'stale' | undefined)[];
}

export interface Expected {
  /** Undefined for a scalar result line. */
  labels: Labels | undefined;
  value: number;
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

/** Expands `1+2x3 _ stale _x2 5` into per-interval values. */
function expandValues(text: string): (number | 'stale' | undefined)[] {
  const out: (number | 'stale' | undefined)[] = [];
  for (const item of text.split(/\s+/).filter(Boolean)) {
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
      const rows = body();
      const native = rows.some((r) => r.text.includes('{{'));
      const series = native
        ? []
        : rows.map((r) => {
            const [desc, values] = splitSeries(r.text);
            return { labels: parseLabels(desc), values: expandValues(values) };
          });
      cmds.push({
        kind: 'load',
        line: lineNo,
        intervalMs: parseDuration(load[1]!),
        series,
        native,
      });
      continue;
    }
    const ev = EVAL_RE.exec(line);
    if (ev) {
      const rows = body();
      const native = rows.some((r) => r.text.includes('{{'));
      const expected: Expected[] = native
        ? []
        : rows.map((r) => {
            if (/^[-+]?(?:[0-9.]|Inf|NaN)/i.test(r.text) && !r.text.includes('{')) {
              return { labels: undefined, value: parseNumber(r.text) };
            }
            const [desc, values] = splitSeries(r.text);
            return { labels: parseLabels(desc), value: expandValues(values)[0] as number };
          });
      cmds.push({
        kind: 'eval',
        line: lineNo,
        expr: ev[3]!,
        atMs: parseDuration(ev[2]!),
        ordered: ev[1] === '_ordered',
        fail: ev[1] === '_fail',
        expected,
        native,
      });
      continue;
    }
    throw new Error(`line ${lineNo}: unknown command ${line}`);
  }
  return cmds;
}
