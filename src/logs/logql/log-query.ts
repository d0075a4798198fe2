import type { Labels } from '../../common/labels.js';
import type { LogReader } from '../reader.js';
import type { LogSelectorExpr } from './ast.js';
import { throwIfAborted } from './errors.js';
import { LabelsBuilder } from './labels-builder.js';
import { labelsKey } from './metric/step-series.js';
import { compilePipeline, runStages } from './pipeline.js';

export interface LogStreamResult {
  labels: Labels;
  /** [timestamp ns, line], in the query's direction. */
  entries: [bigint, string][];
}

export interface LogQueryStats {
  linesProcessed: number;
  bytesProcessed: number;
}

/**
 * Runs a log query over `[startNs, endNs)`: storage answers the selector and
 * leading line filters; the pipeline runs here until `limit` entries survive.
 */
export async function runLogQuery(
  reader: LogReader,
  expr: LogSelectorExpr,
  req: {
    startNs: bigint;
    endNs: bigint;
    direction: 'forward' | 'backward';
    limit: number;
    /** Loki's readStreams interval: see QueryRequest.intervalNs. */
    intervalNs?: bigint;
    signal?: AbortSignal;
  },
  stats: LogQueryStats,
): Promise<LogStreamResult[]> {
  const { pushdown, stages, prefilter } = compilePipeline(expr.stages);
  const streams = new Map<string, LogStreamResult>();
  const lbs = new LabelsBuilder();
  let taken = 0;
  // Loki's entry iterators drop an entry whose stream, timestamp and processed
  // line equal an earlier one's (it is how replicas are merged), even when the
  // pipeline made two different lines alike.
  const lastSeen = new Map<Labels, { ts: bigint; lines: Set<string> }>();
  const interval = req.intervalNs ?? 0n;
  const forward = req.direction === 'forward';
  let lastReturned: bigint | undefined;
  if (req.limit <= 0 || req.endNs <= req.startNs) return [];
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  req.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const batches = reader.selectEntries({
      matchers: expr.matchers,
      filters: pushdown,
      startNs: req.startNs,
      endNs: req.endNs,
      direction: req.direction,
      // Without stages (or an interval) every entry storage returns is kept,
      // so storage can stop at the limit.
      ...(stages.length === 0 && !interval ? { limit: req.limit } : {}),
      signal: stop.signal,
    });
    outer: for await (const batch of batches) {
      for (const e of batch) {
        stats.linesProcessed++;
        stats.bytesProcessed += e.line.length;
        if (prefilter && runStages(prefilter, lbs, e.labels, e.timestamp, e.line) === null)
          continue;
        const line =
          stages.length === 0 ? e.line : runStages(stages, lbs, e.labels, e.timestamp, e.line);
        if (line === null) continue;
        let seen = lastSeen.get(e.labels);
        if (!seen || seen.ts !== e.timestamp) {
          seen = { ts: e.timestamp, lines: new Set() };
          lastSeen.set(e.labels, seen);
        } else if (seen.lines.has(line)) continue;
        seen.lines.add(line);
        if (interval > 0n && lastReturned !== undefined) {
          const next = forward ? lastReturned + interval : lastReturned - interval;
          if (forward ? e.timestamp < next : e.timestamp > next) continue;
        }
        lastReturned = e.timestamp;
        const labels = stages.length === 0 ? e.labels : lbs.labels();
        const key = labelsKey(labels);
        let s = streams.get(key);
        if (!s) {
          s = { labels, entries: [] };
          streams.set(key, s);
        }
        s.entries.push([e.timestamp, line]);
        if (++taken >= req.limit) break outer;
      }
    }
  } finally {
    stop.abort();
    req.signal?.removeEventListener('abort', onAbort);
  }
  throwIfAborted(req.signal);
  return [...streams.values()];
}
