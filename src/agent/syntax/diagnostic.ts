import type { Pos } from './token.js';

/** One problem in a config file, printed `file:line:col: message` as Alloy does. */
export interface Diagnostic {
  pos: Pos;
  message: string;
}

/** Every problem found in one file; the parser keeps going to report them all. */
export class AlloySyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly diagnostics: Diagnostic[],
  ) {
    super(diagnostics.map((d) => formatDiagnostic(file, d)).join('\n'));
    this.name = 'AlloySyntaxError';
  }
}

export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.pos.line}:${d.pos.col}: ${d.message}`;
}
