/**
 * A size such as Alloy's `batch_size = "1MiB"` (Go's units.Base2Bytes:
 * KB and KiB both mean 1024), to bytes; undefined when malformed.
 */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGTPE]i?B?|B)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? 'B').toUpperCase().replace(/I?B$/, '');
  const power = ['', 'K', 'M', 'G', 'T', 'P', 'E'].indexOf(unit);
  if (power < 0) return undefined;
  return Math.round(Number(m[1]) * 1024 ** power);
}
