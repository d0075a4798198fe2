/**
 * Entries live in one DuckDB database file per UTC day, attached to the main
 * one, so that retention removes a whole day by detaching and deleting its
 * file (DuckDB never shrinks a file after DROP TABLE), and a query touches
 * only the days its time range overlaps.
 */
export const DAY_NS = 86_400_000_000_000n;
export const HOUR_NS = 3_600_000_000_000n;

/** Floor division for bigint (which truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

export function dayOf(tsNs: bigint): number {
  return Number(floorDiv(tsNs, DAY_NS));
}

export function hourOf(tsNs: bigint): number {
  return Number(floorDiv(tsNs, HOUR_NS));
}

/** The attached database's name for a day. */
export function partitionDb(day: number): string {
  return day < 0 ? `dn${-day}` : `d${day}`;
}

/**
 * Lines longer than this go to a day's second table: DuckDB stores a column
 * segment uncompressed as soon as one string in it is too long for FSST, so
 * a few huge lines would otherwise cost the compression of their neighbours.
 */
export const LONG_LINE_BYTES = 2048;

export type PartitionKind = 'entries' | 'entries_long';
export const PARTITION_KINDS: readonly PartitionKind[] = ['entries', 'entries_long'];

/** A table of a day, qualified by its database. */
export function partitionTable(day: number, kind: PartitionKind = 'entries'): string {
  return `${partitionDb(day)}.${kind}`;
}

/** Both tables of a day (short and long lines) as one relation's members. */
export function partitionTables(day: number): string[] {
  return PARTITION_KINDS.map((k) => partitionTable(day, k));
}

export function partitionFile(day: number): string {
  return `day-${day}.duckdb`;
}

/** The day a partition file holds, or undefined for other files. */
export function partitionDay(file: string): number | undefined {
  const m = /^day-(-?\d+)\.duckdb$/.exec(file);
  return m ? Number(m[1]) : undefined;
}

/** Days overlapping [startNs, endNs), in ascending order. */
export function daysInRange(days: Iterable<number>, startNs: bigint, endNs: bigint): number[] {
  if (endNs <= startNs) return [];
  const first = dayOf(startNs);
  const last = dayOf(endNs - 1n);
  return [...days].filter((d) => d >= first && d <= last).sort((a, b) => a - b);
}
