import type { LogReader } from '../../src/logs/reader.js';

/** The reader without the optional storage extraction: the engine buckets or runs the stages. */
export function withoutExtraction(r: LogReader): LogReader {
  return {
    selectEntries: (req) => r.selectEntries(req),
    aggregateBuckets: (req) => r.aggregateBuckets(req),
    series: (m, s, e) => r.series(m, s, e),
    labelNames: (s, e, m) => r.labelNames(s, e, m),
    labelValues: (n, s, e, m) => r.labelValues(n, s, e, m),
  };
}

/** The reader with its storage extraction, counting the requests storage answered (did not decline). */
export function countingExtractions(r: LogReader): { reader: LogReader; answered: () => number } {
  let n = 0;
  const reader: LogReader = {
    ...withoutExtraction(r),
    extractedAggregation: async (req) => {
      const out = await r.extractedAggregation!(req);
      if (out) n++;
      return out;
    },
  };
  return { reader, answered: () => n };
}
