import protobuf from 'protobufjs/minimal.js';
import type { Labels } from '../../../common/labels.js';
import { METRIC_TYPES } from '../metric-types.js';

/** One series' samples, values as raw doubles so stale-marker bits survive. */
export interface SeriesSamples {
  labels: Labels;
  timestamps: number[];
  values: Float64Array;
}

/**
 * prompb.WriteRequest (remote write 1.0): `timeseries` (field 1) of labels
 * (sorted by name) and samples. Encoded WriteRequests concatenate into one
 * valid WriteRequest (repeated fields merge), which the queue relies on.
 */
export function encodeWriteRequest(series: readonly SeriesSamples[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const s of series) {
    w.uint32((1 << 3) | 2).fork();
    for (const name of Object.keys(s.labels).sort()) {
      w.uint32((1 << 3) | 2).fork();
      w.uint32((1 << 3) | 2).string(name);
      w.uint32((2 << 3) | 2).string(s.labels[name]!);
      w.ldelim();
    }
    const words = new Uint32Array(s.values.buffer, s.values.byteOffset, s.values.length * 2);
    for (let i = 0; i < s.timestamps.length; i++) {
      w.uint32((2 << 3) | 2).fork();
      // The double as its two little-endian words, never through a JS number.
      w.uint32((1 << 3) | 1)
        .fixed32(words[i * 2]!)
        .fixed32(words[i * 2 + 1]!);
      w.uint32((2 << 3) | 0).int64(s.timestamps[i]!);
      w.ldelim();
    }
    w.ldelim();
  }
  return w.finish();
}

/** A metric family's metadata as remote write 1.0 carries it (prompb.MetricMetadata). */
export interface FamilyMetadata {
  name: string;
  type: string;
  help: string;
  unit: string;
}

/** A WriteRequest holding only `metadata` (field 3), as Prometheus sends it apart from samples. */
export function encodeMetadataRequest(families: readonly FamilyMetadata[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const f of families) {
    w.uint32((3 << 3) | 2).fork();
    w.uint32((1 << 3) | 0).uint32(Math.max(0, METRIC_TYPES.indexOf(f.type)));
    w.uint32((2 << 3) | 2).string(f.name);
    w.uint32((4 << 3) | 2).string(f.help);
    w.uint32((5 << 3) | 2).string(f.unit);
    w.ldelim();
  }
  return w.finish();
}
