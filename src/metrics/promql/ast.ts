import type { LabelMatcher } from '../../common/labels.js';

/** The four PromQL value types, named as Prometheus's messages name them. */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export const VALUE_TYPE_NAMES: Record<ValueType, string> = {
  scalar: 'scalar',
  vector: 'instant vector',
  matrix: 'range vector',
  string: 'string',
};

/** `@` modifier: a fixed time in ms, or the query's own start/end, resolved before evaluation. */
export type AtModifier = { kind: 'time'; ms: number } | { kind: 'start' } | { kind: 'end' };

export interface NumberLiteral {
  /** Byte offset where the node starts in the query, for error positions. */
  pos?: number;
  kind: 'number';
  value: number;
}

export interface StringLiteral {
  /** Byte offset where the node starts in the query, for error positions. */
  pos?: number;
  kind: 'string';
  value: string;
}

export interface VectorSelector {
  /** Byte offset where the node starts in the query, for error positions. */
  pos?: number;
  kind: 'vectorSelector';
  name: string | undefined;
  matchers: LabelMatcher[];
  offsetMs: number;
  at: AtModifier | undefined;
}

export interface MatrixSelector {
  /** Byte offset where the node starts in the query, for error positions. */
  pos?: number;
  kind: 'matrixSelector';
  selector: VectorSelector;
  rangeMs: number;
}

export interface SubqueryExpr {
  /** Byte offset where the node starts in the query, for error positions. */
  pos?: number;
  kind: 'subquery';
  expr: Expr;
  rangeMs: number;
  /** 0 means the default resolution (the query's step, or the evaluation interval). */
  stepMs: number;
  offsetMs: number;
  at: AtModifier | undefined;
}

export interface Call {
  /** Byte offset where the node starts in the query, for error positions. */
  pos?: number;
  kind: 'call';
  func: string;
  args: Expr[];
}

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'count'
  | 'min'
  | 'max'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'count_values'
  | 'quantile';

export interface AggregateExpr {
  /** Byte offset where the node starts in the query, for error positions. */
  pos?: number;
  kind: 'aggregate';
  op: AggregateOp;
  expr: Expr;
  param: Expr | undefined;
  grouping: string[];
  without: boolean;
}

export type BinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | 'atan2'
  | '=='
  | '!='
  | '>'
  | '<'
  | '>='
  | '<='
  | 'and'
  | 'or'
  | 'unless';

export interface VectorMatching {
  card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** `on(...)` when true, `ignoring(...)` (or nothing) when false. */
  on: boolean;
  labels: string[];
  /** Extra labels of `group_left(...)`/`group_right(...)`. */
  include: string[];
}

export interface BinaryExpr {
  /** Byte offset where the node starts in the query, for error positions. */
  pos?: number;
  kind: 'binary';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  returnBool: boolean;
  matching: VectorMatching | undefined;
  /** Byte offset of the operator. */
  opPos?: number;
}

export interface UnaryExpr {
  /** Byte offset where the node starts in the query, for error positions. */
  pos?: number;
  kind: 'unary';
  op: '-' | '+';
  expr: Expr;
}

export interface ParenExpr {
  /** Byte offset where the node starts in the query, for error positions. */
  pos?: number;
  kind: 'paren';
  expr: Expr;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | Call
  | AggregateExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr;

export const COMPARISON_OPS: ReadonlySet<string> = new Set(['==', '!=', '>', '<', '>=', '<=']);
export const SET_OPS: ReadonlySet<string> = new Set(['and', 'or', 'unless']);
