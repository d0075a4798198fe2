/**
 * Resolves when `signal` aborts, at once if it already has: what a
 * component's run() awaits when its work happens in callbacks, not a loop.
 */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
