import type { Component } from '../../src/agent/component.js';

/** Runs a component until the returned `stop`, which resolves once its run has ended. */
export function start(component: Component) {
  const ac = new AbortController();
  const done = component.run(ac.signal);
  return { stop: async () => (ac.abort(), await done) };
}

/** `what` may be a function, to describe the state at the timeout rather than at the call. */
export async function until(
  cond: () => boolean,
  ms = 10_000,
  what: string | (() => string) = 'condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
