import { formatLabels, type Labels } from '../../common/labels.js';

/**
 * A query Loki refuses before running it. Loki prints the position only when
 * it knows one: `parse error at line 1, col 8: ...`, otherwise `parse error : ...`.
 */
export class LogqlParseError extends Error {
  constructor(
    readonly problem: string,
    readonly line = 0,
    readonly col = 0,
  ) {
    super(
      line === 0 && col === 0
        ? `parse error : ${problem}`
        : `parse error at line ${line}, col ${col}: ${problem}`,
    );
    this.name = 'LogqlParseError';
  }
}

/** A request Loki answers with 400 and a plain message (bad parameters, limits). */
export class LogqlRequestError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'LogqlRequestError';
  }
}

/**
 * A metric query met a sample whose labels carry `__error__`: Loki fails the
 * whole query and tells the user how to filter the error out.
 */
export class LogqlPipelineError extends LogqlRequestError {
  constructor(labels: Labels) {
    const errorType = labels['__error__'] ?? '';
    super(
      `pipeline error: '${errorType}' for series: '${formatLabels(labels)}'.\n` +
        `Use a label filter to intentionally skip this error. (e.g | __error__!="${errorType}").\n` +
        `To skip all potential errors you can match empty errors.(e.g __error__="")\n` +
        `The label filter can also be specified after unwrap. (e.g | unwrap latency | __error__="" )\n`,
    );
    this.name = 'LogqlPipelineError';
  }
}

/** The query ran past `query_timeout`: Loki answers 504 with Go's context error. */
export class LogqlTimeoutError extends LogqlRequestError {
  constructor() {
    super('context deadline exceeded', 504);
    this.name = 'LogqlTimeoutError';
  }
}

/** Storage stops quietly when a query is cancelled; the engine must not answer with what it got. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LogqlTimeoutError();
}
