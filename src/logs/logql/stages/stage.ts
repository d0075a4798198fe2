import type { LabelsBuilder } from '../labels-builder.js';

/**
 * One step of a log pipeline (Loki's `Stage`): it may rewrite the line and the
 * labels, and returns the new line, or null to drop the entry.
 */
export interface Stage {
  process(timestampNs: bigint, line: string, labels: LabelsBuilder): string | null;
}

/** Loki's sanitizeLabelKey: anything but [a-zA-Z0-9_] becomes `_`; a leading digit gets `_`. */
export function sanitizeLabelKey(key: string, isPrefix: boolean): string {
  let k = key.trim();
  if (k.length === 0) return k;
  if (isPrefix && k[0]! >= '0' && k[0]! <= '9') k = '_' + k;
  return k.replace(/[^a-zA-Z0-9_]/gu, '_');
}

export const DUPLICATE_SUFFIX = '_extracted';
