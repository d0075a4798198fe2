import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * A day table's rows of one stream in one hour or less: the hour as
 * DuckDB's `ts // HOUR_NS`, their time span and their size (what pieces are
 * bounded by: line bytes, or rows).
 */
export interface SettleGroup {
  hour: bigint;
  streamId: number;
  size: number;
  minTs: bigint;
  maxTs: bigint;
}

/**
 * Consecutive groups of one hour, in (stream, time) order: the rows from
 * (`fromStream`, `fromTs`) to (`toStream`, `toTs`), both included.
 */
export interface SettlePiece {
  hour: bigint;
  fromStream: number;
  fromTs: bigint;
  toStream: number;
  toTs: bigint;
  size: number;
  minTs: bigint;
  maxTs: bigint;
}

/**
 * Cuts a day, given as its groups in (hour, stream, time) order, into
 * pieces of at most `maxSize` (a single group may be larger) that never
 * cross an hour. Copied one after the other, each sorted by (stream,
 * time), the pieces give the day's rows in the settled order (hour, stream,
 * time), with memory bounded by the piece instead of the day.
 */
export function settlePieces(groups: readonly SettleGroup[], maxSize: number): SettlePiece[] {
  const out: SettlePiece[] = [];
  let piece: SettlePiece | undefined;
  for (const g of groups) {
    if (piece && piece.hour === g.hour && piece.size + g.size <= maxSize) {
      piece.toStream = g.streamId;
      piece.toTs = g.maxTs;
      piece.size += g.size;
      if (g.minTs < piece.minTs) piece.minTs = g.minTs;
      if (g.maxTs > piece.maxTs) piece.maxTs = g.maxTs;
      continue;
    }
    piece = {
      hour: g.hour,
      fromStream: g.streamId,
      fromTs: g.minTs,
      toStream: g.streamId,
      toTs: g.maxTs,
      size: g.size,
      minTs: g.minTs,
      maxTs: g.maxTs,
    };
    out.push(piece);
  }
  return out;
}

/**
 * The piece's rows as a WHERE condition: exact in (stream, time) order,
 * with plain bounds on each column so that DuckDB skips other row groups.
 */
export function settlePieceSql(p: SettlePiece, hourNs: bigint): string {
  return [
    `ts // ${hourNs} = ${p.hour}`,
    `stream_id BETWEEN ${p.fromStream} AND ${p.toStream}`,
    `ts BETWEEN ${p.minTs} AND ${p.maxTs}`,
    `(stream_id > ${p.fromStream} OR ts >= ${p.fromTs})`,
    `(stream_id < ${p.toStream} OR ts <= ${p.toTs})`,
  ].join(' AND ');
}

/**
 * `table`'s groups in (hour, stream, time) order: rows of a stream per
 * `groupNs` of time (at most an hour), sized by the SQL aggregate `size`.
 */
export async function readSettleGroups(
  conn: DuckDBConnection,
  table: string,
  hourNs: bigint,
  groupNs: bigint,
  size: string,
): Promise<SettleGroup[]> {
  const r = await conn.runAndReadAll(
    `SELECT ts // ${hourNs} AS h, stream_id, ts // ${groupNs} AS g, (${size})::DOUBLE, min(ts), max(ts) ` +
      `FROM ${table} GROUP BY ALL ORDER BY h, stream_id, g`,
  );
  return r.getRows().map(([hour, streamId, , rowsSize, minTs, maxTs]) => ({
    hour: hour as bigint,
    streamId: streamId as number,
    size: rowsSize as number,
    minTs: minTs as bigint,
    maxTs: maxTs as bigint,
  }));
}
