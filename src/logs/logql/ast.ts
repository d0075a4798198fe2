import type { LabelMatcher } from '../../common/labels.js';

/** A parsed LogQL query: a log query (streams) or a metric query (samples). */
export type Expr = LogSelectorExpr | SampleExpr;

export interface LogSelectorExpr {
  kind: 'log';
  matchers: LabelMatcher[];
  stages: StageExpr[];
}

export type LineFilterOp = '|=' | '!=' | '|~' | '!~' | '|>' | '!>';

/** One line filter; `values` are alternatives joined by `or`. */
export interface LineFilterExpr {
  type: 'lineFilter';
  op: LineFilterOp;
  values: { ip: boolean; value: string }[];
}

export interface LabelExtraction {
  name: string;
  /** JSON path or logfmt key; the label name when omitted. */
  expr: string;
}

export type StageExpr =
  | LineFilterExpr
  | { type: 'json'; params: LabelExtraction[] }
  | { type: 'logfmt'; strict: boolean; keepEmpty: boolean; params: LabelExtraction[] }
  | { type: 'regexp'; pattern: string }
  | { type: 'pattern'; pattern: string }
  | { type: 'unpack' }
  | { type: 'labelFilter'; filter: LabelFilterExpr }
  | { type: 'lineFormat'; template: string }
  | { type: 'labelFormat'; items: LabelFormatItem[] }
  | { type: 'drop' | 'keep'; items: LabelSelection[] }
  | { type: 'decolorize' };

export interface LabelFormatItem {
  name: string;
  /** Rename from this label (`dst=src`) ... */
  source?: string;
  /** ... or render this template (`dst="{{...}}"`). */
  template?: string;
}

/** A name in `drop`/`keep`, optionally only when a matcher holds. */
export interface LabelSelection {
  name: string;
  matcher?: LabelMatcher;
}

export type CompareOp = '==' | '!=' | '>' | '>=' | '<' | '<=';

export type LabelFilterExpr =
  | { kind: 'and' | 'or'; left: LabelFilterExpr; right: LabelFilterExpr }
  | { kind: 'string'; matcher: LabelMatcher }
  | { kind: 'number' | 'duration' | 'bytes'; name: string; op: CompareOp; value: number }
  | { kind: 'ip'; name: string; op: '=' | '!='; cidr: string };

export type RangeOp =
  | 'count_over_time'
  | 'rate'
  | 'rate_counter'
  | 'bytes_over_time'
  | 'bytes_rate'
  | 'avg_over_time'
  | 'sum_over_time'
  | 'min_over_time'
  | 'max_over_time'
  | 'stddev_over_time'
  | 'stdvar_over_time'
  | 'quantile_over_time'
  | 'first_over_time'
  | 'last_over_time'
  | 'absent_over_time';

export type VectorOp =
  | 'sum'
  | 'avg'
  | 'count'
  | 'max'
  | 'min'
  | 'stddev'
  | 'stdvar'
  | 'bottomk'
  | 'topk'
  | 'sort'
  | 'sort_desc';

export type BinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | '=='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | 'and'
  | 'or'
  | 'unless';

export interface Grouping {
  without: boolean;
  labels: string[];
}

export interface Unwrap {
  label: string;
  conversion?: 'bytes' | 'duration' | 'duration_seconds';
  /** Label filters after `unwrap` (`| unwrap x | __error__=""`). */
  postFilters: LabelFilterExpr[];
}

export interface LogRange {
  selector: LogSelectorExpr;
  unwrap?: Unwrap;
  rangeNs: bigint;
  offsetNs: bigint;
}

export interface VectorMatching {
  on: boolean;
  labels: string[];
  group?: { side: 'left' | 'right'; include: string[] };
}

export type SampleExpr =
  | { kind: 'range'; op: RangeOp; param?: number; range: LogRange; grouping?: Grouping }
  | { kind: 'vectorAgg'; op: VectorOp; param?: number; grouping?: Grouping; expr: SampleExpr }
  | {
      kind: 'binary';
      op: BinaryOp;
      returnBool: boolean;
      matching?: VectorMatching;
      left: SampleExpr;
      right: SampleExpr;
    }
  | { kind: 'literal'; value: number }
  | { kind: 'vector'; value: number }
  | {
      kind: 'labelReplace';
      expr: SampleExpr;
      dst: string;
      replacement: string;
      src: string;
      regex: string;
    };

export const COMPARISON_OPS: ReadonlySet<BinaryOp> = new Set(['==', '!=', '>', '>=', '<', '<=']);
