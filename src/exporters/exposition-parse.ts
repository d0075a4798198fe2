import type { MetricFamily, MetricType, Sample } from './exposition.js';

export class ExpositionParseError extends Error {
  constructor(line: number, problem: string) {
    super(`text format parsing error in line ${line}: ${problem}`);
    this.name = 'ExpositionParseError';
  }
}

export interface ParsedSample extends Sample {
  name: string;
  timestampMs?: number;
}

export interface ParsedFamily extends MetricFamily {
  samples: ParsedSample[];
  /** Whether the text gave a HELP line (node_exporter's textfile collector fills in its own). */
  hasHelp: boolean;
}

const TYPES = new Set(['counter', 'gauge', 'untyped', 'summary', 'histogram']);
const SUFFIXES: Record<string, string[]> = {
  summary: ['_sum', '_count'],
  histogram: ['_sum', '_count', '_bucket'],
};
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/**
 * Parses text format 0.0.4 into families, with expfmt's strictness where it
 * matters to the textfile collector: a TYPE after samples, a repeated HELP or
 * TYPE, a bad escape or value is an error naming the line.
 */
export function parseExposition(text: string): ParsedFamily[] {
  const families = new Map<string, ParsedFamily>();
  const get = (name: string) => {
    let f = families.get(name);
    if (!f) {
      f = { name, help: '', type: 'untyped', samples: [], hasHelp: false };
      families.set(name, f);
    }
    return f;
  };
  const typed = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) continue;
      const [, kind, name, rest = ''] = m as unknown as [string, string, string, string?];
      const f = get(name);
      if (kind === 'HELP') {
        if (f.hasHelp)
          throw new ExpositionParseError(lineNo, `second HELP line for metric name "${name}"`);
        f.help = rest.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
        f.hasHelp = true;
      } else {
        const type = rest.trim().toLowerCase();
        if (!TYPES.has(type))
          throw new ExpositionParseError(lineNo, `unknown metric type "${type}"`);
        if (typed.has(name))
          throw new ExpositionParseError(lineNo, `second TYPE line for metric name "${name}"`);
        if (f.samples.length > 0) {
          throw new ExpositionParseError(
            lineNo,
            `second TYPE line for metric name "${name}", or TYPE reported after samples`,
          );
        }
        f.type = type as MetricType;
        typed.add(name);
      }
      continue;
    }
    const s = parseSampleLine(line, lineNo);
    get(familyName(s.name, families)).samples.push(s);
  }
  return [...families.values()].filter((f) => f.samples.length > 0);
}

/** A `_sum`/`_count`/`_bucket` sample belongs to its summary or histogram family. */
function familyName(sample: string, families: Map<string, ParsedFamily>): string {
  for (const [type, suffixes] of Object.entries(SUFFIXES)) {
    for (const suffix of suffixes) {
      if (!sample.endsWith(suffix)) continue;
      const base = sample.slice(0, -suffix.length);
      if (families.get(base)?.type === type) return base;
    }
  }
  return sample;
}

function parseSampleLine(line: string, lineNo: number): ParsedSample {
  const nameMatch = NAME.exec(line);
  if (!nameMatch) throw new ExpositionParseError(lineNo, `invalid metric name in "${line}"`);
  const name = nameMatch[0];
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    for (;;) {
      while (line[pos] === ' ') pos++;
      if (line[pos] === '}') {
        pos++;
        break;
      }
      const ln = LABEL_NAME.exec(line.slice(pos));
      if (!ln) throw new ExpositionParseError(lineNo, `invalid label name for metric "${name}"`);
      pos += ln[0].length;
      if (line[pos] !== '=' || line[pos + 1] !== '"') {
        throw new ExpositionParseError(lineNo, `expected '="' after label name "${ln[0]}"`);
      }
      pos += 2;
      let value = '';
      for (;;) {
        const ch = line[pos++];
        if (ch === undefined) throw new ExpositionParseError(lineNo, 'unterminated label value');
        if (ch === '"') break;
        if (ch === '\\') {
          const esc = line[pos++];
          if (esc === 'n') value += '\n';
          else if (esc === '\\' || esc === '"') value += esc;
          else throw new ExpositionParseError(lineNo, `invalid escape sequence '\\${esc}'`);
        } else value += ch;
      }
      if (ln[0] in labels) {
        throw new ExpositionParseError(
          lineNo,
          `duplicate label name "${ln[0]}" for metric "${name}"`,
        );
      }
      labels[ln[0]] = value;
      while (line[pos] === ' ') pos++;
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}') {
        throw new ExpositionParseError(
          lineNo,
          `unexpected end of label value for metric "${name}"`,
        );
      }
    }
  }
  const rest = line.slice(pos).trim().split(/\s+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') {
    throw new ExpositionParseError(lineNo, `expected value and optional timestamp for "${name}"`);
  }
  const value = parseGoFloat(rest[0]!);
  if (value === undefined)
    throw new ExpositionParseError(lineNo, `expected float as value, got "${rest[0]}"`);
  const sample: ParsedSample = { name, labels, value };
  if (rest[1] !== undefined) {
    if (!/^-?\d+$/.test(rest[1])) {
      throw new ExpositionParseError(lineNo, `expected integer as timestamp, got "${rest[1]}"`);
    }
    sample.timestampMs = Number(rest[1]);
  }
  return sample;
}

/** Go's strconv.ParseFloat as expfmt uses it: decimal, exponent, hex, Inf and NaN spellings. */
function parseGoFloat(s: string): number | undefined {
  const lower = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(lower)) return NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return Number(s);
  if (/^[+-]?0x[0-9a-f]+$/i.test(s))
    return s.startsWith('-') ? -Number(s.slice(1)) : Number(s.replace('+', ''));
  return undefined;
}
