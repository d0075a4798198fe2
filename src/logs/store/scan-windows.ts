import { HOUR_NS } from './partitions.js';

/** A time window [startNs, endNs) of one scan. */
export interface ScanWindow {
  startNs: bigint;
  endNs: bigint;
}

/** The entries a scan reads, as the catalog knows them. */
export interface ScanDensity {
  /** Hour index → entries in that hour. */
  perHour: Map<number, number>;
  /** The oldest entry's timestamp and one past the newest: an hour is filled only within them. */
  dataStartNs: bigint;
  dataEndNs: bigint;
}

/**
 * Cuts [startNs, endNs) into consecutive windows in the scan's order (the
 * newest first when backward), each sized to hold about a requested number
 * of entries, estimated from the entries per hour (taken as even within the
 * part of the hour that holds data). The windows always tile the range
 * without gaps or overlap, whatever the estimates, so a scan that reads them
 * in turn reads every entry once and in order; the estimates only decide
 * how many scans that takes.
 */
export class WindowPlan {
  /** Hours overlapping the range that hold entries, in scan order: [hour, entries]. */
  private readonly hours: [number, number][];
  private next = 0;
  /** Where the next window starts (its end when backward). */
  private edge: bigint;
  /** Estimated entries of the windows handed out so far. */
  planned = 0;

  constructor(
    private readonly density: ScanDensity,
    private readonly startNs: bigint,
    private readonly endNs: bigint,
    private readonly backward: boolean,
  ) {
    const first = Number(startNs / HOUR_NS) - 1;
    const last = Number(endNs / HOUR_NS) + 1;
    this.hours = [...density.perHour]
      .filter(([h, n]) => h >= first && h <= last && n > 0)
      .sort((a, b) => (backward ? b[0] - a[0] : a[0] - b[0]));
    this.edge = backward ? endNs : startNs;
  }

  get done(): boolean {
    return this.backward ? this.edge <= this.startNs : this.edge >= this.endNs;
  }

  /** The next window, holding about `rows` entries; undefined once the range is covered. */
  take(rows: number): ScanWindow | undefined {
    if (this.done) return undefined;
    let acc = 0;
    for (; this.next < this.hours.length; this.next++) {
      const [h, n] = this.hours[this.next]!;
      // Where this hour's entries lie: within the hour and the data's span (never empty).
      const hourStart = BigInt(h) * HOUR_NS;
      const filledStart = max(hourStart, min(this.density.dataStartNs, hourStart + HOUR_NS - 1n));
      const filledEnd = max(min(hourStart + HOUR_NS, this.density.dataEndNs), filledStart + 1n);
      const filled = Number(filledEnd - filledStart);
      // The part of it still ahead of the edge, inside the range.
      const lo = max(filledStart, this.backward ? this.startNs : this.edge);
      const hi = min(filledEnd, this.backward ? this.edge : this.endNs);
      if (hi <= lo) continue;
      const part = (n * Number(hi - lo)) / filled;
      if (acc + part < rows) {
        acc += part;
        continue;
      }
      // Cut inside this hour, at least 1 ns from the edge so the window is never empty.
      const span = BigInt(Math.ceil(((rows - acc) / n) * filled));
      if (this.backward) {
        const cut = min(max(hi - span, lo), this.edge - 1n);
        return this.emit(acc + (n * Number(hi - cut)) / filled, cut, this.edge);
      }
      const cut = max(min(lo + span, hi), this.edge + 1n);
      return this.emit(acc + (n * Number(cut - lo)) / filled, this.edge, cut);
    }
    return this.backward
      ? this.emit(acc, this.startNs, this.edge)
      : this.emit(acc, this.edge, this.endNs);
  }

  private emit(rows: number, startNs: bigint, endNs: bigint): ScanWindow {
    this.planned += rows;
    this.edge = this.backward ? startNs : endNs;
    return { startNs, endNs };
  }
}

/** A limited scan without line filters starts with this many times the limit (hours are not even). */
const UNFILTERED_SLACK = 2;
/** Entries of a limited, filtered scan's first window: matches may be rare, and a small scan is cheap. */
const FIRST_FILTERED_ROWS = 16_384;
/** Entries of an unlimited scan's first window: its reader often stops within the first few thousand. */
const FIRST_UNLIMITED_ROWS = 8192;
/** A window holds at most this many times the entries of the last (estimates are rough). */
const MAX_GROWTH = 8;

/**
 * How many entries the next window of a scan should hold, given that `found`
 * of the `planned` entries of the windows so far matched and the last window
 * asked for `last` (undefined before the first).
 *
 * A limited scan (a top-N per window) sizes each window to hold twice the
 * matches the limit still needs at the density seen so far, and at least
 * doubles the last, so that a needle with a handful of hits over days costs
 * a few scans. An unlimited scan sizes windows to hold about `windowMatches`
 * matches each, which bounds the memory of each window's sort.
 */
export function nextWindowRows(s: {
  limit: number | undefined;
  windowMatches: number;
  found: number;
  planned: number;
  last: number | undefined;
  filtered: boolean;
}): number {
  const limited = s.limit !== undefined;
  if (s.last === undefined) {
    if (!limited) return FIRST_UNLIMITED_ROWS;
    return s.filtered
      ? Math.max(FIRST_FILTERED_ROWS, s.limit! * 4)
      : s.limit! * UNFILTERED_SLACK + 64;
  }
  const wanted = limited ? 2 * (s.limit! - s.found) : s.windowMatches;
  const byDensity = s.found > 0 ? (wanted / s.found) * s.planned : Infinity;
  const floor = limited ? s.last * 2 : 1024;
  return Math.ceil(Math.max(floor, Math.min(byDensity, s.last * MAX_GROWTH)));
}

/**
 * Reads [startNs, endNs) window by window from the requested end, each
 * window an ordered scan of its own (`scan`, given the window and how many
 * entries the limit still allows). Every later window's entries come strictly
 * after the earlier ones' (time bounds), so the windows' results in turn are
 * the exact order, and reading stops as soon as the limit is reached.
 * `topN`: each window is a top-N of what the limit still needs, so windows
 * may grow large; otherwise each holds about `windowMatches` matches.
 */
export async function* scanInWindows<T>(
  opts: {
    density: ScanDensity;
    startNs: bigint;
    endNs: bigint;
    backward: boolean;
    limit: number | undefined;
    topN: boolean;
    filtered: boolean;
    windowMatches: number;
    signal?: AbortSignal;
  },
  scan: (window: ScanWindow, limit: number | undefined) => AsyncIterable<T[]>,
): AsyncIterable<T[]> {
  const plan = new WindowPlan(opts.density, opts.startNs, opts.endNs, opts.backward);
  let found = 0;
  let last: number | undefined;
  while (!plan.done) {
    const rows = nextWindowRows({
      limit: opts.topN ? opts.limit : undefined,
      windowMatches: opts.windowMatches,
      found,
      planned: plan.planned,
      last,
      filtered: opts.filtered,
    });
    const window = plan.take(rows)!;
    last = rows;
    for await (const batch of scan(
      window,
      opts.limit === undefined ? undefined : opts.limit - found,
    )) {
      yield batch;
      found += batch.length;
    }
    if (opts.signal?.aborted || (opts.limit !== undefined && found >= opts.limit)) return;
  }
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
