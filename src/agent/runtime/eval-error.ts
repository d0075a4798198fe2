import type { Pos } from '../syntax/index.js';

/** A problem evaluating or validating a config value, at a source position. */
export class EvalError extends Error {
  constructor(
    readonly pos: Pos,
    message: string,
  ) {
    super(message);
    this.name = 'EvalError';
  }
}
