import { NS_PER_MS } from './params.js';

/**
 * One step of `/index/volume_range`: entries in [fromMs, throughMs] at ms
 * resolution; its sample is stamped at throughMs, as Loki's volume middleware does.
 */
export interface VolumeBucket {
  fromMs: bigint;
  throughMs: bigint;
}

/** The buckets with the store grid they lie on: bucket k is [originMs + k·stepMs, +stepMs). */
export interface VolumeGrid {
  originMs: bigint;
  stepMs: bigint;
  buckets: VolumeBucket[];
}

/**
 * The steps Loki 3.0's query frontend cuts a volume_range request into
 * (NewVolumeMiddleware, util.ForInterval with an inclusive end): the range in
 * whole milliseconds (start floored, end ceiled), step in whole milliseconds,
 * buckets on the step grid from the epoch, each ending 1 ms before the next
 * grid line, the first starting at the request's start and the last ending at
 * its end. A step under 1 ms makes one bucket.
 */
export function volumeGrid(startNs: bigint, endNs: bigint, stepNs: bigint): VolumeGrid {
  const fromMs = floorDiv(startNs, NS_PER_MS);
  const throughMs = -floorDiv(-endNs, NS_PER_MS);
  const stepMs = stepNs / NS_PER_MS;
  if (stepMs <= 0n) {
    const buckets = [{ fromMs, throughMs }];
    return { originMs: fromMs, stepMs: throughMs + 1n - fromMs, buckets };
  }
  // Go's % keeps the dividend's sign: before the epoch this rounds up, as Loki's does.
  const originMs = fromMs - (fromMs % stepMs);
  const buckets: VolumeBucket[] = [];
  for (let s = originMs; s < throughMs; s += stepMs) {
    const next = s + stepMs;
    const end = next >= throughMs ? throughMs : next - 1n;
    buckets.push({ fromMs: buckets.length === 0 ? fromMs : s, throughMs: end });
  }
  return { originMs, stepMs, buckets };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
