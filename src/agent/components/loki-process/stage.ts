import type { Labels } from '../../../common/labels.js';

/** An entry as it passes through `loki.process`, with the values stages extracted from it. */
export interface ProcessEntry {
  labels: Labels;
  /**
   * True while `labels` is the object the entry arrived with, shared with
   * the source's other entries: a stage changing labels takes its own copy
   * first (`ownLabels`), or maps each shared object once (`mapLabels`).
   * Entries of one file or container then keep one label object, so
   * `loki.write` groups them without keying every line.
   */
  sharedLabels?: boolean;
  /** Unix nanoseconds. */
  timestamp: bigint;
  line: string;
  metadata: Labels;
  extracted: Record<string, unknown>;
}

/** Called for each entry a stage drops, with the reason `/metrics` shows. */
export type DropFn = (entry: ProcessEntry, reason: string) => void;

/**
 * One `stage.*` block. Most stages change or drop each entry on its own;
 * `stage.multiline` holds entries back and releases them later, so stages
 * work on batches and may release held entries in `flush`.
 */
export interface Stage {
  process(entries: ProcessEntry[], drop: DropFn): ProcessEntry[];
  /** Entries held back longer than the stage allows (`max_wait_time`), released now. */
  flush?(now: number, drop: DropFn): ProcessEntry[];
}

/** A stage that handles each entry alone: returns false, or a drop reason, to drop it. */
export function perEntry(fn: (e: ProcessEntry) => boolean | string): Stage {
  return {
    process(entries, drop) {
      const out: ProcessEntry[] = [];
      for (const e of entries) {
        const keep = fn(e);
        if (keep === true) out.push(e);
        else drop(e, keep === false ? 'stage' : keep);
      }
      return out;
    },
  };
}

/** The entry's labels, copied first if they are shared with other entries. */
export function ownLabels(e: ProcessEntry): Labels {
  if (e.sharedLabels) {
    e.labels = { ...e.labels };
    e.sharedLabels = false;
  }
  return e.labels;
}

/**
 * A stage whose label change depends on the labels alone (`static_labels`,
 * `label_drop`, `label_keep`): each shared label object is copied and
 * changed once, and every entry arriving with it shares the result, batch
 * after batch (label objects passed between components are not changed).
 */
export function mapLabels(change: (labels: Labels) => void): Stage {
  const memo = new WeakMap<Labels, Labels>();
  return {
    process(entries) {
      for (const e of entries) {
        if (!e.sharedLabels) {
          change(e.labels);
          continue;
        }
        let out = memo.get(e.labels);
        if (!out) {
          out = { ...e.labels };
          change(out);
          memo.set(e.labels, out);
        }
        e.labels = out;
      }
      return entries;
    },
  };
}

/** An extracted value as a string, as Promtail's getString converts it; undefined when absent. */
export function extractedString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return JSON.stringify(value);
}

/** Loki's rule for label names. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
