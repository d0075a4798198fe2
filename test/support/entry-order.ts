/** An entry as the log store orders it. */
export interface OrderedEntry {
  ts: bigint;
  stream: number;
  line: string;
}

/** The log store's order for a forward read: time, then stream id, then line. */
export function compareEntries(a: OrderedEntry, b: OrderedEntry): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  if (a.stream !== b.stream) return a.stream - b.stream;
  return a.line < b.line ? -1 : a.line > b.line ? 1 : 0;
}
