import type { Labels } from '../../../common/labels.js';
import { goQuote } from '../../../common/go-quote.js';
import { Lexer, Tok, tokName } from './lexer.js';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset'
  | 'unknown';

export interface ParsedSample {
  /** All labels, `__name__` included. */
  labels: Labels;
  value: number;
  /** The sample's own timestamp in ms, when the exposition gives one. */
  timestampMs?: number;
}

export interface MetricMetadata {
  type: MetricType;
  help: string;
  unit: string;
}

export interface ParsedExposition {
  samples: ParsedSample[];
  /** TYPE / HELP / UNIT by metric family name, as /api/v1/metadata reports them. */
  metadata: Map<string, MetricMetadata>;
}

/** A malformed exposition, with Prometheus's message for it. */
export class ExpositionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpositionError';
  }
}

const PROM_TYPES: Record<string, MetricType> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
  untyped: 'unknown',
};
const OM_TYPES: Record<string, MetricType> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  gaugehistogram: 'gaugehistogram',
  summary: 'summary',
  info: 'info',
  stateset: 'stateset',
  unknown: 'unknown',
};

/**
 * Parses a whole exposition in the text format 0.0.4 or OpenMetrics 1.0, as
 * Prometheus's textparse does; throws ExpositionError with its message at
 * the first error (a scrape with any error stores nothing, as in Prometheus).
 */
export function parseExposition(
  text: string,
  format: ExpositionFormat,
  invalidUtf8 = false,
): ParsedExposition {
  const parser = new Parser(text, format, invalidUtf8);
  return parser.parseAll();
}

class Parser {
  private readonly l: Lexer;
  private start = 0;
  private readonly om: boolean;
  private readonly samples: ParsedSample[] = [];
  private readonly metadata = new Map<string, MetricMetadata>();

  constructor(
    text: string,
    format: ExpositionFormat,
    private readonly invalidUtf8: boolean,
  ) {
    this.om = format === 'openmetrics';
    // Prometheus's text parser appends a newline; OpenMetrics must end with one itself.
    this.l = new Lexer(this.om ? text : `${text}\n`, this.om);
  }

  parseAll(): ParsedExposition {
    while (this.next()) {
      /* each call adds one entry */
    }
    return { samples: this.samples, metadata: this.metadata };
  }

  private nextToken(): Tok {
    for (;;) {
      const t = this.l.lex();
      if (t !== Tok.Whitespace) return t;
    }
  }

  private parseError(exp: string, got: Tok): ExpositionError {
    const b = this.l.b;
    const e = Math.min(b.length, this.l.i + 1);
    return new ExpositionError(
      `${exp}, got ${goQuote(b.slice(this.l.start, e))} (${goQuote(tokName(got))}) while parsing: ${goQuote(b.slice(this.start, e))}`,
    );
  }

  private whileParsing(message: string): ExpositionError {
    return new ExpositionError(
      `${message} while parsing: ${goQuote(this.l.b.slice(this.start, this.l.i))}`,
    );
  }

  private meta(name: string): MetricMetadata {
    let m = this.metadata.get(name);
    if (!m) {
      m = { type: 'unknown', help: '', unit: '' };
      this.metadata.set(name, m);
    }
    return m;
  }

  /** One entry; false at the end. */
  private next(): boolean {
    for (;;) {
      this.start = this.l.i;
      const t = this.nextToken();
      switch (t) {
        case Tok.EOF:
          if (this.om) throw new ExpositionError('data does not end with # EOF');
          return false;
        case Tok.EOFWord:
          if (this.nextToken() !== Tok.EOF)
            throw new ExpositionError('unexpected data after # EOF');
          return false;
        case Tok.Linebreak:
          if (this.om) throw this.parseError('expected a valid start token', t);
          continue;
        case Tok.Help:
        case Tok.Type:
        case Tok.Unit:
          this.metaLine(t);
          return true;
        case Tok.Comment: {
          const after = this.nextToken();
          if (after !== Tok.Linebreak)
            throw this.parseError('linebreak expected after comment', after);
          return true;
        }
        case Tok.MName: {
          const name = this.l.buf();
          const labels: Labels = { __name__: name };
          let t2 = this.nextToken();
          if (t2 === Tok.BraceOpen) {
            this.labels(labels);
            t2 = this.nextToken();
          }
          this.metricSuffix(t2, labels);
          return true;
        }
        default:
          throw this.parseError('expected a valid start token', t);
      }
    }
  }

  private metaLine(t: Tok): void {
    const t2 = this.nextToken();
    if (t2 !== Tok.MName) throw this.parseError(`expected metric name after ${tokName(t)}`, t2);
    const name = this.l.buf();
    const t3 = this.nextToken();
    if (t3 !== Tok.Text) {
      if (this.om) throw new ExpositionError(`expected text in ${tokName(t)}`);
      throw new ExpositionError(`expected text in ${tokName(t)}, got ${tokName(t3)}`);
    }
    const buf = this.l.buf();
    let text: string;
    if (this.om) text = buf.length > 1 ? buf.slice(1, -1) : '';
    else text = buf.length > 1 ? buf.slice(1) : '';
    if (t === Tok.Type) {
      const type = (this.om ? OM_TYPES : PROM_TYPES)[text];
      if (type === undefined) throw new ExpositionError(`invalid metric type ${goQuote(text)}`);
      this.meta(name).type = type;
    } else if (t === Tok.Help) {
      if (this.invalidUtf8 && text.includes('\ufffd')) {
        throw new ExpositionError(`help text ${goQuote(text)} is not a valid utf8 string`);
      }
      this.meta(name).help = this.om ? unescapeOm(text) : unescapeHelp(text);
    } else {
      if (text.length > 0) {
        if (
          !name.endsWith(text) ||
          name.length < text.length + 1 ||
          name[name.length - text.length - 1] !== '_'
        ) {
          throw new ExpositionError(
            `unit ${goQuote(text)} not a suffix of metric ${goQuote(name)}`,
          );
        }
      }
      this.meta(name).unit = text;
    }
    if (!this.om) {
      const t4 = this.nextToken();
      if (t4 !== Tok.Linebreak) throw this.parseError('linebreak expected after metadata', t4);
    }
  }

  /** The label pairs inside braces, after the opening brace. */
  private labels(into: Labels, exemplar = false): void {
    let t = this.nextToken();
    for (;;) {
      if (t === Tok.BraceClose) return;
      if (t !== Tok.LName) throw this.parseError('expected label name', t);
      const name = this.l.buf();
      t = this.nextToken();
      if (t !== Tok.Equal) throw this.parseError('expected equal', t);
      t = this.nextToken();
      if (t !== Tok.LValue) throw this.parseError('expected label value', t);
      const raw = this.l.buf();
      if (this.invalidUtf8 && raw.includes('\ufffd')) {
        throw new ExpositionError(`invalid UTF-8 label value: ${goQuote(raw)}`);
      }
      if (!exemplar) into[name] = unescapeLabelValue(raw.slice(1, -1));
      t = this.nextToken();
      if (t === Tok.Comma) t = this.nextToken();
      else if (this.om && t !== Tok.BraceClose)
        throw this.parseError('expected comma or brace close', t);
    }
  }

  private metricSuffix(t: Tok, labels: Labels): void {
    const value = this.floatValue(t, 'metric');
    const sample: ParsedSample = { labels, value };
    const t2 = this.nextToken();
    switch (t2) {
      case Tok.Linebreak:
        break;
      case Tok.EOF:
        if (this.om) throw new ExpositionError('data does not end with # EOF');
        throw this.parseError('expected timestamp or new record', t2);
      case Tok.Comment:
        if (!this.om) throw this.parseError('expected timestamp or new record', t2);
        this.exemplar();
        break;
      case Tok.Timestamp: {
        sample.timestampMs = this.timestamp('timestamp');
        const t3 = this.nextToken();
        if (t3 === Tok.Comment && this.om) this.exemplar();
        else if (t3 !== Tok.Linebreak)
          throw this.parseError('expected next entry after timestamp', t3);
        break;
      }
      default:
        throw this.parseError('expected timestamp or new record', t2);
    }
    this.samples.push(sample);
  }

  private floatValue(t: Tok, after: string): number {
    if (t !== Tok.Value) throw this.parseError(`expected value after ${after}`, t);
    const text = this.om ? this.l.buf().slice(1) : this.l.buf();
    const v = parseGoFloat(text);
    if (typeof v === 'string') throw this.whileParsing(v);
    return v;
  }

  /** A sample timestamp: integer ms in the text format, float seconds in OpenMetrics. */
  private timestamp(what: string): number {
    if (!this.om) {
      const text = this.l.buf();
      if (BigInt(text) > 2n ** 63n - 1n) {
        throw this.whileParsing(`strconv.ParseInt: parsing ${goQuote(text)}: value out of range`);
      }
      return Number(text);
    }
    const v = parseGoFloat(this.l.buf().slice(1));
    if (typeof v === 'string') throw this.whileParsing(v);
    if (!Number.isFinite(v)) throw new ExpositionError(`invalid ${what} ${formatGoF(v)}`);
    return Math.trunc(v * 1000);
  }

  private exemplar(): void {
    this.labels({}, true);
    this.floatValue(this.nextToken(), 'exemplar labels');
    const t = this.nextToken();
    switch (t) {
      case Tok.EOF:
        throw new ExpositionError('data does not end with # EOF');
      case Tok.Linebreak:
        return;
      case Tok.Timestamp: {
        this.timestamp('exemplar timestamp');
        const t3 = this.nextToken();
        if (t3 !== Tok.Linebreak)
          throw this.parseError('expected next entry after exemplar timestamp', t3);
        return;
      }
      default:
        throw this.parseError('expected timestamp or comment', t);
    }
  }
}

/**
 * Go's strconv.ParseFloat as Prometheus uses it (no `_`, no hex `p`
 * exponents); returns the number or Prometheus's error message.
 */
export function parseGoFloat(s: string): number | string {
  if (/[pP_]/.test(s)) return 'unsupported character in float';
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    const v = Number(s);
    if (!Number.isFinite(v)) return `strconv.ParseFloat: parsing ${goQuote(s)}: value out of range`;
    return v;
  }
  const m = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (m) {
    if (m[2]!.toLowerCase() === 'nan') return NaN;
    return m[1] === '-' ? -Infinity : Infinity;
  }
  return `strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`;
}

function formatGoF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? '+Inf' : '-Inf';
}

/** Prometheus's lvalReplacer: only `\"`, `\\` and `\n` are escapes. */
function unescapeLabelValue(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

function unescapeHelp(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\([\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

function unescapeOm(s: string): string {
  return unescapeLabelValue(s);
}
