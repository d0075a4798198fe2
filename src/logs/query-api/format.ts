import type { Labels } from '../../common/labels.js';
import { formatSampleValue } from '../../common/sample-value.js';
import type { QueryResult } from '../logql/index.js';

/** Unix seconds with millisecond precision, as Loki writes sample times. */
export function sampleTime(ns: bigint): number {
  return Number(ns / 1000000n) / 1000;
}

export interface SummaryStats {
  execTimeSeconds: number;
  linesProcessed: number;
  bytesProcessed: number;
  entriesReturned: number;
}

const ZERO_CHUNK = {
  headChunkBytes: 0,
  headChunkLines: 0,
  decompressedBytes: 0,
  decompressedLines: 0,
  compressedBytes: 0,
  totalDuplicates: 0,
  postFilterLines: 0,
  headChunkStructuredMetadataBytes: 0,
  decompressedStructuredMetadataBytes: 0,
};

function cacheStats(): Record<string, number> {
  return {
    entriesFound: 0,
    entriesRequested: 0,
    entriesStored: 0,
    bytesReceived: 0,
    bytesSent: 0,
    requests: 0,
    downloadTime: 0,
    queryLengthServed: 0,
  };
}

/** Loki 3.0's `stats` object, with the figures obs measures filled in. */
export function lokiStats(s: SummaryStats): Record<string, unknown> {
  const perSecond = (n: number): number =>
    s.execTimeSeconds > 0 ? Math.round(n / s.execTimeSeconds) : 0;
  const store = {
    totalChunksRef: 0,
    totalChunksDownloaded: 0,
    chunksDownloadTime: 0,
    queryReferencedStructuredMetadata: false,
    chunk: {
      ...ZERO_CHUNK,
      decompressedBytes: s.bytesProcessed,
      decompressedLines: s.linesProcessed,
    },
    chunkRefsFetchTime: 0,
    congestionControlLatency: 0,
  };
  return {
    summary: {
      bytesProcessedPerSecond: perSecond(s.bytesProcessed),
      linesProcessedPerSecond: perSecond(s.linesProcessed),
      totalBytesProcessed: s.bytesProcessed,
      totalLinesProcessed: s.linesProcessed,
      execTime: s.execTimeSeconds,
      queueTime: 0,
      subqueries: 0,
      totalEntriesReturned: s.entriesReturned,
      splits: 0,
      shards: 0,
      totalPostFilterLines: s.linesProcessed,
      totalStructuredMetadataBytesProcessed: 0,
    },
    querier: { store },
    ingester: {
      totalReached: 0,
      totalChunksMatched: 0,
      totalBatches: 0,
      totalLinesSent: 0,
      store: { ...store, chunk: { ...ZERO_CHUNK } },
    },
    cache: {
      chunk: cacheStats(),
      index: cacheStats(),
      result: cacheStats(),
      statsResult: cacheStats(),
      volumeResult: cacheStats(),
      seriesResult: cacheStats(),
      labelResult: cacheStats(),
      instantMetricResult: cacheStats(),
    },
  };
}

/** `data` of a query response: resultType and result as Loki writes them. */
export function queryData(
  result: QueryResult,
  direction: 'forward' | 'backward',
): { resultType: string; result: unknown; entries: number } {
  switch (result.type) {
    case 'streams': {
      let entries = 0;
      const out = result.streams.map((s) => {
        const sorted = [...s.entries].sort((a, b) =>
          a[0] === b[0] ? 0 : a[0] < b[0] === (direction === 'forward') ? -1 : 1,
        );
        entries += sorted.length;
        return { stream: s.labels, values: sorted.map(([t, line]) => [t.toString(), line]) };
      });
      return { resultType: 'streams', result: out, entries };
    }
    case 'matrix':
      return {
        resultType: 'matrix',
        result: result.series.map((s) => ({
          metric: s.labels,
          values: s.points.map(([t, v]) => [sampleTime(t), formatSampleValue(v)]),
        })),
        entries: 0,
      };
    case 'vector':
      return {
        resultType: 'vector',
        result: result.samples.map((s) => ({
          metric: s.labels,
          value: [sampleTime(result.timeNs), formatSampleValue(s.v)],
        })),
        entries: 0,
      };
    case 'scalar':
      return {
        resultType: 'scalar',
        result: [sampleTime(result.timeNs), formatSampleValue(result.v)],
        entries: 0,
      };
  }
}

export type { Labels };
