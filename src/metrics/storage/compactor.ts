import type { Block, BlockSeriesInput } from './block.js';
import { compareEntries, type SeriesIndex } from './series-index.js';
import { chunkCount } from './xor-chunk.js';

/**
 * Which blocks to merge next, as Prometheus's leveled compactor: ranges grow
 * by 3x from the head's block range (2h → 6h → 18h → 54h ...) up to
 * `maxRangeMs` (a tenth of the retention, at most 31 days). Blocks that fall
 * in one window of a range are merged once the window is complete. Fewer,
 * larger blocks mean fewer index entries in memory and one contiguous read
 * per series per block for long ranges. Blocks with tombstones wait for
 * clean_tombstones.
 */
export function planMerge(
  blocks: Block[],
  baseRangeMs: number,
  maxRangeMs: number,
  newestMaxT: number,
): Block[] | null {
  for (let range = baseRangeMs * 3; range <= maxRangeMs; range *= 3) {
    const groups = new Map<number, Block[]>();
    for (const b of blocks) {
      if (b.tombstones.size) continue;
      const w = Math.floor(b.meta.minTime / range);
      if (Math.floor((b.meta.maxTime - 1) / range) !== w) continue;
      let g = groups.get(w);
      if (!g) groups.set(w, (g = []));
      g.push(b);
    }
    for (const w of [...groups.keys()].sort((a, b) => a - b)) {
      const group = groups.get(w)!;
      if (group.length > 1 && (w + 1) * range <= newestMaxT) return group;
    }
  }
  return null;
}

/** The union of the blocks' series, sorted by labels, each with its chunks in time order. */
export function* mergedSeries(group: Block[], index: SeriesIndex): Generator<BlockSeriesInput> {
  const ordered = [...group].sort((a, b) => a.meta.minTime - b.meta.minTime);
  const ids = new Set<number>();
  for (const b of ordered) for (const id of b.seriesIds()) ids.add(id);
  const entries = [...ids].map((id) => index.get(id)!).sort(compareEntries);
  for (const e of entries) {
    const chunks: Uint8Array[] = [];
    let minT = Infinity;
    let maxT = -Infinity;
    let samples = 0;
    for (const b of ordered) {
      const cs = b.chunks(e.id, -Infinity, Infinity);
      if (!cs.length) continue;
      minT = Math.min(minT, b.seriesMin(e.id));
      maxT = Math.max(maxT, b.seriesMax(e.id));
      for (const c of cs) {
        chunks.push(c);
        samples += chunkCount(c);
      }
    }
    if (chunks.length) yield { labels: e.labels, chunks, minT, maxT, samples };
  }
}
