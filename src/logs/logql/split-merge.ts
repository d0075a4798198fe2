import { formatLabels } from '../../common/labels.js';
import type { LogStreamResult } from './log-query.js';

/** Loki's `split_queries_by_interval` as the conformance answers were recorded with it. */
export const SPLIT_INTERVAL_NS = 3600n * 1000000000n;

/** The sub-ranges Loki's frontend cuts a log query into, in the order it runs them. */
export function splitByInterval(
  startNs: bigint,
  endNs: bigint,
  intervalNs: bigint,
  direction: 'forward' | 'backward',
): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  let s = startNs;
  while (s < endNs) {
    const next = (s / intervalNs + 1n) * intervalNs;
    const e = next < endNs ? next : endNs;
    out.push([s, e]);
    s = e;
  }
  return direction === 'forward' ? out : out.reverse();
}

/**
 * Merges the split responses the way Loki 3.0.0's query frontend does
 * (mergeOrderedNonOverlappingStreams). When the responses hold more than
 * `limit` entries it pops them through a heap whose Pop leaves the stream it
 * took outside the heap for one round, so two streams alternate entries
 * instead of strictly following time. Answers encode this, so it is kept.
 */
export function mergeSplitResponses(
  responses: LogStreamResult[][],
  limit: number,
  direction: 'forward' | 'backward',
): LogStreamResult[] {
  const groups = new Map<string, LogStreamResult>();
  let total = 0;
  for (const resp of responses) {
    for (const s of resp) {
      const key = formatLabels(s.labels);
      const g = groups.get(key);
      if (g) g.entries.push(...s.entries);
      else groups.set(key, { labels: s.labels, entries: [...s.entries] });
      total += s.entries.length;
    }
    if (total >= limit) break;
  }
  const keys = [...groups.keys()].sort();
  if (direction === 'backward') keys.reverse();
  if (total <= limit) return keys.map((k) => groups.get(k)!);

  type Item = { key: string; entries: [bigint, string][]; at: number };
  const heap: Item[] = keys.map((key) => ({ key, entries: groups.get(key)!.entries, at: 0 }));
  const less = (i: number, j: number): boolean => {
    const a = heap[i]!.entries[heap[i]!.at]![0];
    const b = heap[j]!.entries[heap[j]!.at]![0];
    return direction === 'forward' ? a < b : a > b;
  };
  const swap = (i: number, j: number): void => {
    [heap[i], heap[j]] = [heap[j]!, heap[i]!];
  };
  const down = (i0: number, n: number): void => {
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n) break;
      let j = j1;
      if (j1 + 1 < n && less(j1 + 1, j1)) j = j1 + 1;
      if (!less(j, i)) break;
      swap(i, j);
      i = j;
    }
  };
  for (let i = Math.floor(heap.length / 2) - 1; i >= 0; i--) down(i, heap.length);
  const result = new Map<string, [bigint, string][]>();
  for (let taken = 0; taken < limit && heap.length > 0; taken++) {
    // container/heap.Pop: swap the root to the end, restore the rest, take the end.
    const n = heap.length - 1;
    swap(0, n);
    down(0, n);
    const item = heap[n]!;
    const entry = item.entries[item.at++]!;
    let out = result.get(item.key);
    if (!out) result.set(item.key, (out = []));
    out.push(entry);
    // Loki's Pop only removes the stream once it is empty.
    if (item.at >= item.entries.length) heap.pop();
  }
  return keys
    .filter((k) => result.has(k))
    .map((k) => ({ labels: groups.get(k)!.labels, entries: result.get(k)! }));
}
