import type { BucketRequest, SelectLogsRequest } from '../reader.js';
import { partitionTables } from './partitions.js';
import { lineFilterSql } from './sql.js';

/** The entries of these days as one relation. */
export function unionSql(days: number[]): string {
  return days
    .flatMap(partitionTables)
    .map((t) => `SELECT stream_id, ts, bytes, line, metadata FROM ${t}`)
    .join(' UNION ALL ');
}

function whereSql(
  streamIds: number[],
  req: { filters: SelectLogsRequest['filters']; startNs: bigint; endNs: bigint },
): string {
  const parts = [
    `stream_id IN (${streamIds.join(',')})`,
    `ts >= ${req.startNs}`,
    `ts < ${req.endNs}`,
    ...req.filters.map(lineFilterSql),
  ];
  return parts.join(' AND ');
}

export function selectSql(
  source: string,
  streamIds: number[],
  req: SelectLogsRequest,
  limit: number | undefined,
): string {
  const dir = req.direction === 'backward' ? 'DESC' : 'ASC';
  // Unordered reads come back in storage order, which is arrival order:
  // oldest first within a stream unless entries arrived out of order.
  const order = req.unordered ? '' : ` ORDER BY ts ${dir}, stream_id ${dir}, line ${dir}`;
  return (
    `SELECT stream_id, ts, line, metadata FROM (${source}) WHERE ${whereSql(streamIds, req)}` +
    `${order}${limit !== undefined ? ` LIMIT ${limit}` : ''}`
  );
}

/**
 * Count and line bytes per stream and bucket k, where bucket k is
 * (origin + k·size, origin + (k+1)·size]: k = floor((ts − origin − 1) / size).
 */
export function aggregateSql(source: string, streamIds: number[], req: BucketRequest): string {
  const d = `(ts - ${req.originNs} - 1)`;
  const size = req.bucketNs;
  const k = `CASE WHEN ${d} >= 0 THEN ${d} // ${size} ELSE -((-${d} + ${size} - 1) // ${size}) END`;
  return (
    `SELECT stream_id, ${k} AS k, count(*) AS c, sum(bytes) AS b FROM (${source}) ` +
    `WHERE ${whereSql(streamIds, req)} GROUP BY ALL`
  );
}
