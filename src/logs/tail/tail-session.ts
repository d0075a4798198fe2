import type { WebSocket } from 'ws';
import type { Labels } from '../../common/labels.js';
import type { LogReader, StoredEntry } from '../reader.js';
import type { LogStream } from '../sink.js';
import type { TailQuery } from './tail-query.js';

export interface TailRequest {
  query: TailQuery;
  /** Entries are held this long before being sent, so late ones sort in (Loki: at most 5 s). */
  delayMs: number;
  /** Most historical entries sent first. */
  limit: number;
  startNs: bigint;
}

interface WireStream {
  stream: Labels;
  values: [string, string][];
}

/** When the socket has this much unsent data, new entries are dropped and reported. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const FLUSH_EVERY_MS = 100;

/**
 * One `/loki/api/v1/tail` client: first the latest `limit` entries since
 * `start`, then every matching entry as it is pushed, in Loki's message
 * shape. A client that cannot keep up loses entries, which are reported in
 * `dropped_entries` as Loki does.
 */
export class TailSession {
  private pending: { at: number; labels: Labels; ts: bigint; line: string }[] = [];
  private dropped: { labels: Labels; timestamp: string }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly req: TailRequest,
  ) {}

  /** Sends the historical entries; live entries are buffered meanwhile. */
  async start(reader: LogReader, nowNs: bigint): Promise<void> {
    const history: StoredEntry[] = [];
    if (this.req.limit > 0) {
      for await (const batch of reader.selectEntries({
        matchers: this.req.query.matchers,
        filters: this.req.query.pushdown,
        startNs: this.req.startNs,
        endNs: nowNs,
        direction: 'backward',
      })) {
        for (const e of batch) {
          const out = this.req.query.process(e.labels, e.timestamp, e.line);
          if (out) history.push({ labels: out.labels, timestamp: e.timestamp, line: out.line });
          if (history.length >= this.req.limit) break;
        }
        if (history.length >= this.req.limit || this.closed) break;
      }
    }
    history.reverse();
    if (history.length > 0 && !this.closed) this.send(group(history), []);
    this.timer = setInterval(() => this.flush(), FLUSH_EVERY_MS);
  }

  /** Offers freshly stored streams to this client. */
  offer(streams: LogStream[]): void {
    if (this.closed) return;
    const now = Date.now();
    for (const s of streams) {
      for (const e of s.entries) {
        const out = this.req.query.processLive(s.labels, e.timestamp, e.line);
        if (!out) continue;
        if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
          this.dropped.push({ labels: out.labels, timestamp: e.timestamp.toString() });
          continue;
        }
        this.pending.push({ at: now, labels: out.labels, ts: e.timestamp, line: out.line });
      }
    }
  }

  private flush(): void {
    const due = Date.now() - this.req.delayMs;
    const ready = this.pending.filter((p) => p.at <= due);
    if (ready.length === 0 && this.dropped.length === 0) return;
    this.pending = this.pending.filter((p) => p.at > due);
    ready.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    const dropped = this.dropped;
    this.dropped = [];
    this.send(
      group(ready.map((p) => ({ labels: p.labels, timestamp: p.ts, line: p.line }))),
      dropped,
    );
  }

  private send(streams: WireStream[], dropped: { labels: Labels; timestamp: string }[]): void {
    const msg: { streams?: WireStream[]; dropped_entries?: typeof dropped } = {};
    if (streams.length > 0) msg.streams = streams;
    if (dropped.length > 0) msg.dropped_entries = dropped;
    this.socket.send(JSON.stringify(msg));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
  }
}

function group(entries: StoredEntry[]): WireStream[] {
  const byStream = new Map<string, WireStream>();
  for (const e of entries) {
    const key = JSON.stringify(e.labels);
    let s = byStream.get(key);
    if (!s) byStream.set(key, (s = { stream: e.labels, values: [] }));
    s.values.push([e.timestamp.toString(), e.line]);
  }
  return [...byStream.values()];
}
