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
 * row: small for the short-line table (lines up to 2 KiB plus metadata),
 * large only when reading the rare long lines.
 */
const CSV_BUFFER: Record<PartitionKind, string> = {
  entries: 'buffer_size=1048576, max_line_size=1048576',
  entries_long: 'buffer_size=33554432, max_line_size=33554432',
};

const STRICT = 'header=false, auto_detect=false, allow_quoted_nulls=false, strict_mode=true';

/** A segment file's rows as `(stream_id, ts, bytes, line, metadata)`. */
export function segmentRelation(path: string, kind: PartitionKind, format: SegmentFormat): string {
  const file = sqlString(path);
  if (format === 1) {
    const columns =
      "columns={'stream_id':'INTEGER','ts':'BIGINT','bytes':'INTEGER','line':'VARCHAR','metadata':'VARCHAR'}";
    return `read_csv(${file}, ${columns}, delim=',', quote='"', escape='"', ${STRICT}, ${CSV_BUFFER[kind]})`;
  }
  const columns =
    "columns={'stream_id':'INTEGER','ts':'BIGINT','line':'VARCHAR','metadata':'VARCHAR'}";
  const q = `chr(${SEGMENT_QUOTE.charCodeAt(0)})`;
  return (
    '(SELECT stream_id, ts, strlen(line)::INTEGER AS bytes, line, metadata FROM ' +
    `read_csv(${file}, ${columns}, delim=',', quote=${q}, escape=${q}, ${STRICT}, ${CSV_BUFFER[kind]}))`
  );
}
