/**
 * Entries live in one DuckDB table per UTC day, so that retention drops a
 * whole day with `DROP TABLE` (reclaiming its blocks) instead of deleting
 * rows, and a query touches only the days its time range overlaps.
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

export function partitionTable(day: number): string {
  return day < 0 ? `entries_n${-day}` : `entries_${day}`;
}

/** The day encoded in a partition table's name, or undefined for other tables. */
export function partitionDay(table: string): number | undefined {
  const m = /^entries_(n?)(\d+)$/.exec(table);
  if (!m) return undefined;
  return m[1] ? -Number(m[2]) : Number(m[2]);
}

/** Days overlapping [startNs, endNs), in ascending order. */
export function daysInRange(days: Iterable<number>, startNs: bigint, endNs: bigint): number[] {
  if (endNs <= startNs) return [];
  const first = dayOf(startNs);
  const last = dayOf(endNs - 1n);
  return [...days].filter((d) => d >= first && d <= last).sort((a, b) => a - b);
}
