import { readFile, stat } from 'node:fs/promises';
import { parse } from 'yaml';

/**
 * The positions of a Promtail (or Grafana Agent static mode) positions file,
 * `positions: {path or cursor-<job>: value}`, when it is worth converting:
 * Alloy converts only while its own positions file is missing or empty, and
 * only strictly valid YAML (Go's yaml.UnmarshalStrict: no other fields).
 * Undefined, with the reason, otherwise.
 */
export async function legacyPositionsToConvert(
  legacyFile: string,
  newFile: string,
): Promise<{ positions?: Record<string, string>; reason?: string }> {
  if ((await size(newFile)) > 0) return { reason: 'the new positions file already exists' };
  try {
    return { positions: parseLegacy(await readFile(legacyFile, 'utf8')) };
  } catch (err) {
    return { reason: `not valid or does not exist: ${err instanceof Error ? err.message : err}` };
  }
}

function parseLegacy(text: string): Record<string, string> {
  const doc = parse(text) as unknown;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new Error('not a YAML mapping');
  const keys = Object.keys(doc);
  if (keys.some((k) => k !== 'positions')) throw new Error(`unknown fields ${keys.join(', ')}`);
  const positions = (doc as { positions?: unknown }).positions ?? {};
  if (typeof positions !== 'object' || positions === null || Array.isArray(positions))
    throw new Error('positions is not a mapping');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(positions)) out[k] = String(v);
  return out;
}

/** A file's size, 0 when it does not exist. */
async function size(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
