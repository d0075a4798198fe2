import type { Labels } from '../../../common/labels.js';

/** A record of `journalctl -o json`: strings, or byte arrays / several values as arrays. */
export type JournalJson = Record<string, string | number[] | (string | number[])[] | null>;

/** A field value as text: byte arrays decoded as UTF-8, the first of several values. */
function fieldText(v: JournalJson[string]): string | undefined {
  if (v == null) return undefined;
  if (typeof v === 'string') return v;
  if (v.length > 0 && typeof v[0] === 'number') return Buffer.from(v as number[]).toString('utf8');
  return v.length > 0 ? fieldText(v[0] as JournalJson[string]) : undefined;
}

export interface JournalRecord {
  cursor: string;
  /** Unix nanoseconds, from __REALTIME_TIMESTAMP (microseconds). */
  timestamp: bigint;
  /** The entry's own fields (journalctl's `__` address fields left out), as sdjournal reports them. */
  fields: Record<string, string>;
}

export function parseJournalLine(line: string): JournalRecord | undefined {
  const raw = JSON.parse(line) as JournalJson;
  const cursor = fieldText(raw.__CURSOR);
  const realtime = fieldText(raw.__REALTIME_TIMESTAMP);
  if (!cursor || !realtime) return undefined;
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith('__')) continue;
    const text = fieldText(v);
    if (text !== undefined) fields[k] = text;
  }
  return { cursor, timestamp: BigInt(realtime) * 1000n, fields };
}

/** syslog priorities by number, as makeJournalPriority names them. */
const PRIORITY_KEYWORDS = ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug'];

/**
 * Alloy's makeJournalFields: `__journal_<field lowercased>`, and for
 * PRIORITY also `__journal_priority_keyword` (`6` → `info`).
 */
export function journalLabels(fields: Record<string, string>): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'PRIORITY')
      out.__journal_priority_keyword = /^[0-7]$/.test(v) ? PRIORITY_KEYWORDS[Number(v)]! : v;
    out[`__journal_${k.toLowerCase()}`] = v;
  }
  return out;
}

/** The line for `format_as_json = true`: every field, keys sorted as Go's encoding/json writes a map. */
export function fieldsAsJson(fields: Record<string, string>): string {
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(fields).sort()) sorted[k] = fields[k]!;
  return JSON.stringify(sorted);
}
