import type { Pos } from './token.js';

/** A file or block body: attributes and blocks in source order. */
export type Body = Statement[];

export type Statement = Attribute | Block;

export interface Attribute {
  type: 'attribute';
  name: string;
  pos: Pos;
  value: Expr;
}

/** `loki.source.file "logs" { ... }`: name fragments joined by dots, optional label. */
export interface Block {
  type: 'block';
  name: string;
  label?: string;
  pos: Pos;
  body: Body;
}

export type Expr =
  | { type: 'literal'; pos: Pos; value: string | number | boolean | null }
  | { type: 'ident'; pos: Pos; name: string }
  | { type: 'access'; pos: Pos; value: Expr; name: string }
  | { type: 'index'; pos: Pos; value: Expr; index: Expr }
  | { type: 'call'; pos: Pos; fn: Expr; args: Expr[] }
  | { type: 'array'; pos: Pos; elements: Expr[] }
  | { type: 'object'; pos: Pos; fields: { name: string; pos: Pos; value: Expr }[] }
  | { type: 'unary'; pos: Pos; op: '!' | '-'; value: Expr }
  | { type: 'binary'; pos: Pos; op: string; left: Expr; right: Expr }
  | { type: 'paren'; pos: Pos; inner: Expr };

/** `loki.process.main.receiver` as fragments, when the expression is such a path. */
export function referencePath(expr: Expr): string[] | undefined {
  if (expr.type === 'ident') return [expr.name];
  if (expr.type === 'access') {
    const head = referencePath(expr.value);
    return head ? [...head, expr.name] : undefined;
  }
  return undefined;
}
