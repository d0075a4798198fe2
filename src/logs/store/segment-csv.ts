import type { PartitionKind } from './partitions.js';
import { sqlString } from './sql.js';

/**
 * The quote (and escape) character of segment files: lines and metadata are
 * quoted with U+0001, which log lines almost never hold, so a row costs one
 * scan of the line instead of doubling every `"` (a JSON line holds a
 * dozen). A U+0001 in a line is doubled.
 */
export const SEGMENT_QUOTE = '\u0001';

/**
 * Segment file formats: 2 writes `stream_id,ts,line,metadata` quoted with
 * SEGMENT_QUOTE, each line's byte length computed by DuckDB at load; 1 (older
 * obs, still read when a crash left such files behind) wrote
 * `stream_id,ts,bytes,line,metadata` quoted with `"`.
 */
export type SegmentFormat = 1 | 2;
export const SEGMENT_FORMAT: SegmentFormat = 2;

/**
 * DuckDB's CSV reader holds a buffer per thread that must fit the longest
 * row: 1 MiB for the short-line table (lines up to 2 KiB plus metadata); for
 * the rare long lines, the file's longest row rounded up to a power of two,
 * or 32 MiB when it is not known (a file left by a crash). A fixed 32 MiB
 * took most of the store's 40 MB memory limit for any load of long lines.
 */
function csvBuffer(kind: PartitionKind, longestRow: number | undefined): string {
  let size = MIN_CSV_BUFFER;
  if (kind === 'entries_long') {
    if (longestRow === undefined) size = MAX_CSV_BUFFER;
    else while (size <= longestRow && size < MAX_CSV_BUFFER) size *= 2;
  }
  return `buffer_size=${size}, max_line_size=${size}`;
}

const MIN_CSV_BUFFER = 1 << 20;
const MAX_CSV_BUFFER = 32 << 20;

const STRICT = 'header=false, auto_detect=false, allow_quoted_nulls=false, strict_mode=true';

/** A segment file's rows as `(stream_id, ts, bytes, line, metadata)`. */
export function segmentRelation(
  path: string,
  kind: PartitionKind,
  format: SegmentFormat,
  longestRow?: number,
): string {
  const file = sqlString(path);
  const buffer = csvBuffer(kind, longestRow);
  if (format === 1) {
    const columns =
      "columns={'stream_id':'INTEGER','ts':'BIGINT','bytes':'INTEGER','line':'VARCHAR','metadata':'VARCHAR'}";
    return `read_csv(${file}, ${columns}, delim=',', quote='"', escape='"', ${STRICT}, ${buffer})`;
  }
  const columns =
    "columns={'stream_id':'INTEGER','ts':'BIGINT','line':'VARCHAR','metadata':'VARCHAR'}";
  const q = `chr(${SEGMENT_QUOTE.charCodeAt(0)})`;
  return (
    '(SELECT stream_id, ts, strlen(line)::INTEGER AS bytes, line, metadata FROM ' +
    `read_csv(${file}, ${columns}, delim=',', quote=${q}, escape=${q}, ${STRICT}, ${buffer}))`
  );
}
