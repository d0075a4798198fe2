import type { FastifyReply, FastifyRequest } from 'fastify';

/** Prometheus's API errorType values. */
export type ErrorType =
  | 'bad_data'
  | 'execution'
  | 'timeout'
  | 'canceled'
  | 'internal'
  | 'unavailable'
  | 'not_found'
  | 'not_acceptable';

export class ApiError extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** Prometheus's `invalid parameter "x": ...` bad_data error. */
export function invalidParam(name: string, err: unknown): ApiError {
  return new ApiError('bad_data', `invalid parameter ${JSON.stringify(name)}: ${messageOf(err)}`);
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** HTTP status per errorType, as web/api/v1 respondError (unlisted types are 500). */
const STATUS: Partial<Record<ErrorType, number>> = {
  bad_data: 400,
  execution: 422,
  canceled: 499,
  timeout: 503,
  internal: 500,
  not_found: 404,
  not_acceptable: 406,
};

// Prometheus prints int64 bounds exactly; a JS number cannot hold them.
const INT64_FIXES: [RegExp, string][] = [
  [/9223372036854776000/g, '9223372036854775807'],
  [/-9223372036854775807(?=\D)/g, '-9223372036854775808'],
];

function sendJson(reply: FastifyReply, code: number, body: unknown): void {
  let text = JSON.stringify(body);
  if (text.includes('9223372036854776000')) {
    text = text.replace(/-9223372036854776000/g, '-9223372036854775807');
    for (const [re, to] of INT64_FIXES) text = text.replace(re, to);
  }
  reply.code(code).header('content-type', 'application/json').send(text);
}

export function respondData(reply: FastifyReply, data: unknown, warnings: string[] = []): void {
  const body: Record<string, unknown> = { status: 'success', data };
  if (warnings.length) body.warnings = warnings;
  sendJson(reply, 200, body);
}

export function respondError(reply: FastifyReply, err: unknown): void {
  const apiErr = err instanceof ApiError ? err : new ApiError('internal', messageOf(err));
  sendJson(reply, STATUS[apiErr.type] ?? 500, {
    status: 'error',
    errorType: apiErr.type,
    error: apiErr.message,
  });
}

/**
 * Request parameters as Go's r.Form: the form-encoded body's values first,
 * then the URL query's, so `match[]` may repeat and POST works like GET.
 */
export class Params {
  private readonly form: URLSearchParams;
  private readonly query: URLSearchParams;

  constructor(req: FastifyRequest) {
    const q = req.url.indexOf('?');
    this.query = new URLSearchParams(q >= 0 ? req.url.slice(q + 1) : '');
    this.form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
  }

  /** The first value, '' when absent (Go's FormValue). */
  get(name: string): string {
    return this.form.get(name) ?? this.query.get(name) ?? '';
  }

  getAll(name: string): string[] {
    return [...this.form.getAll(name), ...this.query.getAll(name)];
  }
}
