import { requirePeer } from '../../support/peers.js';

/**
 * requirePeer in the shape node:test's `skip` option takes: a missing peer
 * skips with a message, except under CI=true where it is a failure.
 */
export function peer(binary: string): { available: boolean; skip: string | false } {
  const available = requirePeer(binary);
  return { available, skip: available ? false : `${binary} is not installed` };
}
