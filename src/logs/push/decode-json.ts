import { formatLabels, type Labels } from '../../common/labels.js';
import { MalformedPushError, type RawEntry, type RawStream } from './raw-push.js';

/**
 * Loki's JSON push body: `{"streams":[{"stream":{..},"values":[["<ns>","line"
 * (, {structured metadata})]]}]}`. Timestamps are strings of Unix nanoseconds.
 */
export function decodeJsonPush(body: string): RawStream[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    throw new MalformedPushError((err as Error).message);
  }
  if (!isObject(doc)) throw new MalformedPushError('expected a JSON object with "streams"');
  const streams = doc.streams ?? [];
  if (!Array.isArray(streams)) throw new MalformedPushError('"streams" must be an array');
  return streams.map((s: unknown): RawStream => {
    if (!isObject(s)) throw new MalformedPushError('each stream must be an object');
    const labels = s.stream ?? s.labels ?? {};
    if (typeof labels === 'string') return { labels, entries: decodeValues(s.values) };
    if (!isObject(labels) || Object.values(labels).some((v) => typeof v !== 'string')) {
      throw new MalformedPushError('"stream" must be an object of string label values');
    }
    return {
      labels: formatLabels(labels as Labels),
      entries: decodeValues(s.values ?? s.entries),
    };
  });
}

function decodeValues(values: unknown): RawEntry[] {
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values)) throw new MalformedPushError('"values" must be an array');
  return values.map((v: unknown): RawEntry => {
    if (!Array.isArray(v) || v.length < 2 || v.length > 3) {
      throw new MalformedPushError(
        'each value must be an array of [timestamp, line] or [timestamp, line, metadata]',
      );
    }
    const [ts, line, meta] = v as unknown[];
    if (typeof line !== 'string') throw new MalformedPushError('the log line must be a string');
    const entry: RawEntry = { timestamp: parseTimestamp(ts), line };
    if (meta !== undefined && meta !== null) {
      if (!isObject(meta) || Object.values(meta).some((x) => typeof x !== 'string')) {
        throw new MalformedPushError('structured metadata must be an object of string values');
      }
      if (Object.keys(meta).length > 0) entry.metadata = meta as Labels;
    }
    return entry;
  });
}

function parseTimestamp(ts: unknown): bigint {
  const text = typeof ts === 'string' ? ts : JSON.stringify(ts);
  if (typeof ts !== 'string' || !/^-?\d+$/.test(ts)) {
    throw new MalformedPushError(
      `strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`,
    );
  }
  const n = BigInt(ts);
  if (n > 9_223_372_036_854_775_807n || n < -9_223_372_036_854_775_808n) {
    throw new MalformedPushError(
      `strconv.ParseInt: parsing ${JSON.stringify(ts)}: value out of range`,
    );
  }
  return n;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
