/**
 * Byte sizes as Prometheus spells them (alecthomas/units Base2Bytes: `512MB`,
 * `1GiB`, both meaning powers of 1024), for body_size_limit and
 * --storage.tsdb.retention.size.
 */
const UNITS: Record<string, number> = {
  B: 1,
  KB: 2 ** 10,
  MB: 2 ** 20,
  GB: 2 ** 30,
  TB: 2 ** 40,
  PB: 2 ** 50,
  EB: 2 ** 60,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  PiB: 2 ** 50,
  EiB: 2 ** 60,
};

export function parseBase2Bytes(text: string): number | undefined {
  if (text === '0') return 0;
  const m = /^(\d+(?:\.\d+)?)([KMGTPE]i?B|B)$/.exec(text);
  if (!m || UNITS[m[2]!] === undefined) return undefined;
  return Math.floor(Number(m[1]) * UNITS[m[2]!]!);
}

/** Formats bytes as Base2Bytes.String() does (`512MiB`, `1GiB`, `0B`). */
export function formatBase2Bytes(bytes: number): string {
  for (const unit of ['EiB', 'PiB', 'TiB', 'GiB', 'MiB', 'KiB']) {
    const size = UNITS[unit]!;
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}
