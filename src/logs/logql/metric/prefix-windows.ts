import type { Labels } from '../../../common/labels.js';
import type { BucketRequest, LogReader, StreamBuckets } from '../../reader.js';
import { labelsKey } from './step-series.js';

/** Count and bytes of one series in every evaluation window `(t - o - range, t - o]`. */
export interface WindowTotals {
  labels: Labels;
  count: number[];
  bytes: number[];
}

type Counts = Map<number, { count: number; bytes: number }>;

/**
 * Window totals from two step-wide bucket queries instead of one query at
 * gcd(step, range) resolution: a window's total is the running total up to
 * its end minus the running total up to its start, and both ends fall on
 * step-spaced grids (one ending at each step, one `range` earlier). With
 * `range` 5m and a default step of 86s that is 250 buckets per stream
 * instead of 10,800.
 */
export async function windowTotalsByPrefix(
  reader: LogReader,
  base: Omit<BucketRequest, 'startNs' | 'endNs' | 'originNs' | 'bucketNs'>,
  steps: bigint[],
  stepNs: bigint,
  rangeNs: bigint,
  offsetNs: bigint,
  group: (labels: Labels) => Labels,
): Promise<WindowTotals[]> {
  const first = steps[0]! - offsetNs;
  const last = steps[steps.length - 1]! - offsetNs;
  const k = (rangeNs + stepNs - 1n) / stepNs;
  const a0 = first - k * stepNs;
  const b0 = a0 - rangeNs;
  const [ends, starts] = await Promise.all([
    reader.aggregateBuckets({
      ...base,
      startNs: a0 + 1n,
      endNs: last + 1n,
      originNs: a0,
      bucketNs: stepNs,
    }),
    reader.aggregateBuckets({
      ...base,
      startNs: a0 + 1n,
      endNs: last - rangeNs + 1n,
      originNs: b0,
      bucketNs: stepNs,
    }),
  ]);
  const series = new Map<string, { labels: Labels; ends: Counts[]; starts: Counts[] }>();
  const add = (list: StreamBuckets[], which: 'ends' | 'starts'): void => {
    for (const s of list) {
      const labels = group(s.labels);
      const key = labelsKey(labels);
      let e = series.get(key);
      if (!e) series.set(key, (e = { labels, ends: [], starts: [] }));
      e[which].push(s.buckets);
    }
  };
  add(ends, 'ends');
  add(starts, 'starts');
  const n = steps.length;
  const kn = Number(k);
  const out: WindowTotals[] = [];
  for (const s of series.values()) {
    const endCount = prefix(s.ends, kn + n, 'count');
    const endBytes = prefix(s.ends, kn + n, 'bytes');
    const startCount = prefix(s.starts, kn + n, 'count');
    const startBytes = prefix(s.starts, kn + n, 'bytes');
    const count = new Array<number>(n);
    const bytes = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      count[i] = endCount[kn + i]! - startCount[kn + i]!;
      bytes[i] = endBytes[kn + i]! - startBytes[kn + i]!;
    }
    out.push({ labels: s.labels, count, bytes });
  }
  return out;
}

/** Running totals: element j is the sum over buckets with index below j. */
function prefix(parts: Counts[], size: number, field: 'count' | 'bytes'): number[] {
  const per = new Array<number>(size + 1).fill(0);
  for (const buckets of parts) {
    for (const [idx, v] of buckets) if (idx >= 0 && idx < size) per[idx + 1]! += v[field];
  }
  for (let j = 1; j <= size; j++) per[j]! += per[j - 1]!;
  return per;
}
