/**
 * Loki stores an entry once when the same stream receives the same
 * timestamp and line again (client retries, duplicated shipping). We keep,
 * per stream, the entries of the last `windowNs` before that stream's newest
 * timestamp; older duplicates are rare (a retry resends recent lines) and
 * remembering everything would make memory proportional to the data.
 */
export class DedupWindow {
  private readonly streams = new Map<number, StreamWindow>();

  constructor(private readonly windowNs: bigint) {}

  /** True when (stream, ts, line) was seen; otherwise records it and returns false. */
  seen(streamId: number, ts: bigint, line: string): boolean {
    let w = this.streams.get(streamId);
    if (!w) {
      w = { newest: ts, byTs: new Map(), inserts: 0 };
      this.streams.set(streamId, w);
    }
    const lines = w.byTs.get(ts);
    if (lines) {
      if (lines.includes(line)) return true;
      lines.push(line);
    } else {
      if (ts < w.newest - this.windowNs) return false;
      w.byTs.set(ts, [line]);
    }
    if (ts > w.newest) w.newest = ts;
    if (++w.inserts >= 4096) this.prune(w);
    return false;
  }

  /** Forgets one recorded entry (its write failed, so a retry must not be refused). */
  forget(streamId: number, ts: bigint, line: string): void {
    const lines = this.streams.get(streamId)?.byTs.get(ts);
    const i = lines?.indexOf(line) ?? -1;
    if (lines && i >= 0) lines.splice(i, 1);
  }

  private prune(w: StreamWindow): void {
    w.inserts = 0;
    const oldest = w.newest - this.windowNs;
    for (const ts of w.byTs.keys()) if (ts < oldest) w.byTs.delete(ts);
  }
}

interface StreamWindow {
  newest: bigint;
  byTs: Map<bigint, string[]>;
  inserts: number;
}
