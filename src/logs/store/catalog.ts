import { sortLabels, type Labels } from '../../common/labels.js';
import { hourOf } from './partitions.js';

/** One stream: its id in the `streams` table and the hours it has entries in. */
export interface StreamInfo {
  id: number;
  /** Canonical (sorted) labels; shared by every entry read back. */
  labels: Labels;
  key: string;
  /** Hour index (ns / 1h since the epoch) → about how many entries it holds. */
  hours: Map<number, number>;
  /**
   * The oldest and newest timestamps stored (or once stored: deletions may
   * leave them wider), so that an hour the stream began or stopped in is
   * not taken as evenly filled when sizing scan windows.
   */
  oldestNs?: bigint | undefined;
  newestNs?: bigint | undefined;
}

/** `{a="1", b="2"}`: the canonical identity of a label set, names sorted. */
function streamKey(labels: Labels): string {
  return `{${Object.keys(labels)
    .sort()
    .map((n) => `${n}=${JSON.stringify(labels[n])}`)
    .join(', ')}}`;
}

/**
 * The in-memory index of streams. Its size follows the number of streams and
 * hours of data, not the number of entries, so label and series queries are
 * answered without touching entries.
 */
export class StreamCatalog {
  private readonly byKey = new Map<string, StreamInfo>();
  private readonly byId = new Map<number, StreamInfo>();
  private nextId = 1;

  get size(): number {
    return this.byId.size;
  }

  get(id: number): StreamInfo | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<StreamInfo> {
    return this.byId.values();
  }

  /** The stream for these labels, and whether it was new (must be persisted). */
  resolve(labels: Labels): { info: StreamInfo; created: boolean } {
    const key = streamKey(labels);
    const found = this.byKey.get(key);
    if (found) return { info: found, created: false };
    const info = this.add(this.nextId, sortLabels(labels), key);
    return { info, created: true };
  }

  add(id: number, labels: Labels, key = streamKey(labels)): StreamInfo {
    const info: StreamInfo = { id, labels, key, hours: new Map() };
    this.byKey.set(key, info);
    this.byId.set(id, info);
    if (id >= this.nextId) this.nextId = id + 1;
    return info;
  }

  /** Undoes `resolve` for a stream whose insertion failed. */
  remove(id: number): void {
    const info = this.byId.get(id);
    if (!info) return;
    this.byId.delete(id);
    this.byKey.delete(info.key);
  }

  /** Counts `count` more entries of the stream in hour `hour` (hourOf their timestamps). */
  noteEntries(info: StreamInfo, hour: number, count: number): void {
    info.hours.set(hour, (info.hours.get(hour) ?? 0) + count);
  }

  /** Widens the stream's time span to include [oldestNs, newestNs]. */
  noteSpan(info: StreamInfo, oldestNs: bigint, newestNs: bigint): void {
    if (info.oldestNs === undefined || oldestNs < info.oldestNs) info.oldestNs = oldestNs;
    if (info.newestNs === undefined || newestNs > info.newestNs) info.newestNs = newestNs;
  }

  /** Whether the stream has entries in some hour overlapping [startNs, endNs). */
  activeIn(info: StreamInfo, startNs: bigint, endNs: bigint): boolean {
    if (endNs <= startNs) return false;
    const first = hourOf(startNs);
    const last = hourOf(endNs - 1n);
    if (last - first < info.hours.size) {
      for (let h = first; h <= last; h++) if (info.hours.has(h)) return true;
      return false;
    }
    for (const h of info.hours.keys()) if (h >= first && h <= last) return true;
    return false;
  }
}
