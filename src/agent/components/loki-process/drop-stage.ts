import { compileGoRegexp, goRegexpMatches } from '../../../common/go-regexp.js';
import { parseByteSize } from '../write/bytes.js';
import { extractedString, perEntry, type Stage } from './stage.js';

export interface DropArgs {
  source?: string;
  separator: string;
  expression?: string;
  value?: string;
  /** Milliseconds. */
  older_than?: number;
  longer_than?: string | number;
  drop_counter_reason: string;
}

/**
 * `stage.drop`: drops an entry when every condition given holds. `source`
 * may list several extracted keys separated by commas, joined with
 * `separator` before `expression` or `value` is compared.
 */
export function dropStage(args: DropArgs): Stage {
  if (args.expression && args.value !== undefined) {
    throw new Error('stage.drop: expression and value cannot both be defined');
  }
  const re = args.expression ? compileGoRegexp(args.expression) : undefined;
  const sources = args.source ? args.source.split(',').map((s) => s.trim()) : [];
  const maxBytes = args.longer_than === undefined ? undefined : parseBytes(args.longer_than);
  const reason = args.drop_counter_reason;
  return perEntry((e) => {
    if (args.older_than !== undefined) {
      const ageMs = Date.now() - Number(e.timestamp / 1_000_000n);
      if (ageMs <= args.older_than) return true;
    }
    if (maxBytes !== undefined && Buffer.byteLength(e.line) <= maxBytes) return true;
    let subject: string;
    if (sources.length > 0) {
      const values = sources.map((s) => extractedString(e.extracted[s]));
      if (values.some((v) => v === undefined)) return true;
      subject = values.join(args.separator);
    } else {
      if (!re && args.value === undefined) {
        return args.older_than !== undefined || maxBytes !== undefined ? reason : true;
      }
      subject = e.line;
    }
    if (re) {
      if (!goRegexpMatches(re, subject)) return true;
    }
    if (args.value !== undefined && subject !== args.value) return true;
    return reason;
  });
}

/** `longer_than`: a number of bytes or a base-2 size (`8KB`, `1KiB`, `512B`). */
function parseBytes(v: string | number): number {
  if (typeof v === 'number') return v;
  const bytes = parseByteSize(v);
  if (bytes === undefined) throw new Error(`stage.drop: invalid longer_than ${JSON.stringify(v)}`);
  return bytes;
}
