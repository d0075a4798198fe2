/** Token kinds of Alloy's syntax, printed in errors as Alloy prints them. */
export type TokenKind =
  | 'ILLEGAL'
  | 'EOF'
  | 'COMMENT'
  | 'IDENT'
  | 'NUMBER'
  | 'FLOAT'
  | 'STRING'
  | 'BOOL'
  | 'NULL'
  | '||'
  | '&&'
  | '!'
  | '!='
  | '='
  | '=='
  | '<'
  | '<='
  | '>'
  | '>='
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | '{'
  | '}'
  | '('
  | ')'
  | '['
  | ']'
  | ','
  | '.'
  | 'TERMINATOR';

/** A place in the source: 1-based line and column (in characters), 0-based offset. */
export interface Pos {
  offset: number;
  line: number;
  col: number;
}

export interface Token {
  kind: TokenKind;
  pos: Pos;
  /** Source text for literals, identifiers and comments; `\n` for terminators. */
  lit: string;
}

/** Binary operator precedence as in Alloy: higher binds tighter; 0 is not a binary operator. */
export function binaryPrecedence(kind: TokenKind): number {
  switch (kind) {
    case '||':
      return 1;
    case '&&':
      return 2;
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return 3;
    case '+':
    case '-':
      return 4;
    case '*':
    case '/':
    case '%':
      return 5;
    case '^':
      return 6;
    default:
      return 0;
  }
}
