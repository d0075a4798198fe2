import type { Logger } from 'pino';
import type { AgentEntry, LogsReceiver } from '../../component.js';

const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 10_000;

/**
 * Sends entries to every `forward_to` receiver and resolves true once all
 * have accepted them durably, so the caller may commit its position. A
 * failing receiver is retried with backoff (the source waits: backpressure);
 * false only when `signal` aborts first, and the caller must not commit.
 */
export async function forward(
  receivers: LogsReceiver[],
  entries: AgentEntry[],
  signal: AbortSignal,
  logger: Logger,
): Promise<boolean> {
  let backoff = MIN_RETRY_MS;
  for (;;) {
    try {
      await Promise.all(receivers.map((r) => r.send(entries)));
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      logger.warn(
        { err, entries: entries.length, retryInMs: backoff },
        'forwarding failed; retrying',
      );
      if (!(await sleep(backoff, signal))) return false;
      backoff = Math.min(backoff * 2, MAX_RETRY_MS);
    }
  }
}

/** Resolves true after `ms`, false as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
