import { formatLabels } from '../../../common/labels.js';
import { checkZone } from '../../../common/go-time.js';
import { parseTimestamp } from './timestamp-format.js';
import { extractedString, perEntry, type Stage } from './stage.js';

/**
 * `stage.timestamp { source = "time", format = "RFC3339" }`: sets the
 * entry's time from an extracted value. On failure `fudge` (the default)
 * places the entry 1ns after the stream's last parsed time, `skip` keeps
 * the time it had.
 */
export function timestampStage(args: {
  source: string;
  format: string;
  fallback_formats: string[];
  location?: string;
  action_on_failure: string;
}): Stage {
  if (args.location) checkZone(args.location);
  if (args.action_on_failure !== 'fudge' && args.action_on_failure !== 'skip') {
    throw new Error(`invalid action_on_failure "${args.action_on_failure}": must be fudge or skip`);
  }
  const formats = [args.format, ...args.fallback_formats];
  const last = new Map<string, bigint>();
  return perEntry((e) => {
    const v = extractedString(e.extracted[args.source]);
    if (v === undefined) return true;
    for (const f of formats) {
      try {
        e.timestamp = parseTimestamp(f, v, args.location);
        if (args.action_on_failure === 'fudge') last.set(formatLabels(e.labels), e.timestamp);
        return true;
      } catch {
        // try the next format
      }
    }
    if (args.action_on_failure === 'fudge') {
      const key = formatLabels(e.labels);
      const prev = last.get(key);
      if (prev !== undefined) {
        e.timestamp = prev + 1n;
        last.set(key, e.timestamp);
      }
    }
    return true;
  });
}
