/** The errorType values of Prometheus's HTTP API that a query can fail with. */
export type PromQLErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal';

/** A failed parse or evaluation, carrying the API's errorType and Prometheus's message. */
export class PromQLError extends Error {
  readonly type: PromQLErrorType;

  constructor(type: PromQLErrorType, message: string) {
    super(message);
    this.name = 'PromQLError';
    this.type = type;
  }
}

/** Prometheus's ParseErr text: `<line>:<col>: parse error: <msg>` for a byte offset. */
export function parseError(input: string, pos: number, msg: string): PromQLError {
  let line = 1;
  let lastLineBreak = -1;
  for (let i = 0; i < pos && i < input.length; i++) {
    if (input[i] === '\n') {
      line++;
      lastLineBreak = i;
    }
  }
  return new PromQLError('bad_data', `${line}:${pos - lastLineBreak}: parse error: ${msg}`);
}
