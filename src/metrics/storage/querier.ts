import type { LabelMatcher } from '../../common/labels.js';
import type { Querier, SelectHints, Series } from '../queryable.js';
import type { Block, Interval } from './block.js';
import type { HeadSeries } from './head.js';
import type { SeriesEntry, SeriesIndex } from './series-index.js';
import { chunkCount, chunkMinT, decodeXorChunk } from './xor-chunk.js';

export interface QuerierSource {
  index: SeriesIndex;
  blocks: Block[];
  headSeries(id: number): HeadSeries | undefined;
  release(blocks: Block[]): void;
  /** Oldest and newest sample time in the store. */
  bounds(): [number, number];
}

/** Reads blocks (oldest first) then the head; blocks never overlap the head. */
export class StoreQuerier implements Querier {
  private closed = false;

  constructor(
    private readonly src: QuerierSource,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  private entries(matchers: LabelMatcher[] | undefined): SeriesEntry[] {
    const { index } = this.src;
    const ids =
      matchers && matchers.length ? index.match(matchers) : [...index.all()].map((e) => e.id);
    const out: SeriesEntry[] = [];
    for (const id of ids) {
      const e = index.get(id);
      if (e && e.maxT >= this.mint && e.minT <= this.maxt) out.push(e);
    }
    return out;
  }

  async select(matchers: LabelMatcher[], hints?: SelectHints): Promise<Series[]> {
    const mint = Math.max(this.mint, hints?.startMs ?? -Infinity);
    const maxt = Math.min(this.maxt, hints?.endMs ?? Infinity);
    const entries = this.entries(matchers);
    entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const out: Series[] = [];
    if (hints?.func === 'series') {
      for (const e of entries) {
        out.push({
          labels: { ...e.labels },
          timestamps: new Float64Array(0),
          values: new Float64Array(0),
        });
      }
      return out;
    }
    const needed = windowFilter(hints) ?? ((): boolean => true);
    const plans: Plan[] = [];
    for (const e of entries) {
      const p = this.plan(e, mint, maxt, needed);
      if (p) plans.push(p);
    }
    return decodePlans(plans, mint, maxt);
  }

  /** One series' samples over the querier's whole window. */
  readSeries(e: SeriesEntry): Series | null {
    const p = this.plan(e, this.mint, this.maxt, () => true);
    return p ? (decodePlans([p], this.mint, this.maxt)[0] ?? null) : null;
  }

  /** The chunks to decode for one series, without decoding them yet. */
  private plan(e: SeriesEntry, mint: number, maxt: number, needed: ChunkFilter): Plan | null {
    const parts: Part[] = [];
    let total = 0;
    for (const b of this.src.blocks) {
      if (b.meta.maxTime <= mint || b.meta.minTime > maxt) continue;
      const all = b.chunks(e.id, mint, maxt);
      if (!all.length) continue;
      // A block chunk ends before the next one starts; the last ends at the series' max.
      const chunks: Uint8Array[] = [];
      let next = chunkMinT(all[0]!);
      for (let i = 0; i < all.length; i++) {
        const cMin = next;
        const cMax = i + 1 < all.length ? (next = chunkMinT(all[i + 1]!)) - 1 : b.seriesMax(e.id);
        if (cMax < mint || cMin > maxt || !needed(cMin, cMax)) continue;
        chunks.push(all[i]!);
        total += chunkCount(all[i]!);
      }
      if (chunks.length) parts.push({ chunks, stones: b.tombstones.get(e.id) });
    }
    const hs = this.src.headSeries(e.id);
    if (hs) {
      const chunks: Uint8Array[] = [];
      for (const c of hs.chunks()) {
        if (c.maxT < mint || c.minT > maxt || !needed(c.minT, c.maxT)) continue;
        chunks.push(c.bytes);
        total += c.count;
      }
      if (chunks.length) parts.push({ chunks });
    }
    return total === 0 ? null : { entry: e, parts, total };
  }

  /** Whether the window covers every stored sample, so the postings answer label queries. */
  private coversAll(): boolean {
    const [min, max] = this.src.bounds();
    return this.mint <= min && this.maxt >= max;
  }

  async labelNames(matchers?: LabelMatcher[]): Promise<string[]> {
    if ((!matchers || matchers.length === 0) && this.coversAll())
      return this.src.index.labelNames();
    const names = new Set<string>();
    for (const e of this.entries(matchers)) for (const n of Object.keys(e.labels)) names.add(n);
    return [...names].sort();
  }

  async labelValues(name: string, matchers?: LabelMatcher[]): Promise<string[]> {
    if ((!matchers || matchers.length === 0) && this.coversAll()) {
      return this.src.index.labelValues(name);
    }
    const values = new Set<string>();
    for (const e of this.entries(matchers)) {
      const v = e.labels[name];
      if (v !== undefined) values.add(v);
    }
    return [...values].sort();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.src.release(this.src.blocks);
  }
}

type ChunkFilter = (minT: number, maxT: number) => boolean;

interface Part {
  chunks: Uint8Array[];
  stones?: Interval[];
}

interface Plan {
  entry: SeriesEntry;
  parts: Part[];
  total: number;
}

/**
 * Decodes every planned series into one pair of shared arrays and hands out
 * views: one allocation per select instead of two per series, which
 * dominated instant queries over thousands of series.
 */
function decodePlans(plans: Plan[], mint: number, maxt: number): Series[] {
  let grand = 0;
  for (const p of plans) grand += p.total;
  const ts = new Float64Array(grand);
  const vs = new Float64Array(grand);
  const words = new Uint32Array(vs.buffer);
  const out: Series[] = [];
  let n = 0;
  for (const p of plans) {
    const start = n;
    for (const part of p.parts) {
      const from = n;
      for (const c of part.chunks) n = decodeXorChunk(c, mint, maxt, ts, words, n);
      if (part.stones) n = dropDeleted(ts, vs, from, n, part.stones);
    }
    if (n > start) {
      out.push({
        labels: { ...p.entry.labels },
        timestamps: ts.subarray(start, n),
        values: vs.subarray(start, n),
      });
    }
  }
  return out;
}

/**
 * With a step wider than the range, a range query reads only windows
 * [start + k*step, start + k*step + range]; chunks between windows are not
 * decoded (Prometheus gets the same from seeking its chunk iterators).
 */
function windowFilter(hints: SelectHints | undefined): ChunkFilter | undefined {
  const step = hints?.stepMs ?? 0;
  const range = hints?.rangeMs;
  const start = hints?.startMs;
  if (!step || range === undefined || start === undefined || step <= range) return undefined;
  return (cMin, cMax) => {
    // First window ending at or after the chunk's start; does it begin before the chunk ends?
    const k = Math.max(0, Math.ceil((cMin - start - range) / step));
    return start + k * step <= cMax;
  };
}

/** Removes samples inside tombstoned intervals from [start, end), compacting in place. */
function dropDeleted(
  ts: Float64Array,
  vs: Float64Array,
  start: number,
  end: number,
  stones: Interval[],
): number {
  const words = new Uint32Array(vs.buffer, vs.byteOffset, vs.length * 2);
  let w = start;
  for (let r = start; r < end; r++) {
    const t = ts[r]!;
    if (stones.some((s) => t >= s.mint && t <= s.maxt)) continue;
    ts[w] = t;
    words[w * 2] = words[r * 2]!;
    words[w * 2 + 1] = words[r * 2 + 1]!;
    w++;
  }
  return w;
}
