export type { Attribute, Block, Body, Expr, Statement } from './ast.js';
export { referencePath } from './ast.js';
export { AlloySyntaxError, formatDiagnostic, type Diagnostic } from './diagnostic.js';
export { exprPos, parseAlloy, parseAlloyExpression } from './parser.js';
export type { Pos } from './token.js';
