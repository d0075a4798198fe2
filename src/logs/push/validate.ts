import type { Labels } from '../../common/labels.js';
import type { LokiLimits } from '../config/index.js';
import type { LogStream } from '../sink.js';
import { parseLabelString } from './parse-labels.js';
import type { RawStream } from './raw-push.js';

/** Why entries were refused, as Loki's `reason` label on loki_discarded_samples_total. */
export type DiscardReason =
  | 'invalid_labels'
  | 'missing_labels'
  | 'max_label_names_per_series'
  | 'label_name_too_long'
  | 'label_value_too_long'
  | 'duplicate_label_names'
  | 'greater_than_max_sample_age'
  | 'too_far_in_future'
  | 'line_too_long'
  | 'disallowed_structured_metadata'
  | 'structured_metadata_too_large'
  | 'structured_metadata_too_many'
  | 'rate_limited';

export interface ValidationResult {
  /** The valid part of the push: canonical labels, valid entries only. */
  streams: LogStream[];
  lines: number;
  bytes: number;
  /** Loki's 400 message when anything was refused. */
  error?: string;
  discarded: { reason: DiscardReason; lines: number; bytes: number }[];
}

const LABEL_SERVICE_NAME = 'service_name';
const SERVICE_UNKNOWN = 'unknown_service';

/**
 * The distributor's checks (pkg/distributor/validator.go in Loki 3.0), in its
 * order and with its messages. As in Loki, valid streams and entries of a
 * partly invalid push are kept; the push is then answered 400.
 */
export function validatePush(
  raw: RawStream[],
  limits: LokiLimits,
  nowMs: number,
  labelCache?: StreamLabelCache,
): ValidationResult {
  const result: ValidationResult = { streams: [], lines: 0, bytes: 0, discarded: [] };
  const errors: string[] = [];
  const discard = (reason: DiscardReason, lines: number, bytes: number, msg: string): void => {
    result.discarded.push({ reason, lines, bytes });
    errors.push(msg);
  };
  const nowNs = BigInt(nowMs) * 1_000_000n;
  const oldestNs = nowNs - BigInt(limits.rejectOldSamplesMaxAgeMs) * 1_000_000n;
  const newestNs = nowNs + BigInt(limits.creationGracePeriodMs) * 1_000_000n;

  for (const stream of raw) {
    if (stream.entries.length === 0) continue;
    if (limits.maxLineSizeTruncate && limits.maxLineSize > 0) {
      for (const e of stream.entries) e.line = truncateUtf8(e.line, limits.maxLineSize);
    }
    let labels = labelCache?.get(stream.labels);
    if (!labels) {
      const labelsOrError = streamLabels(stream.labels, limits);
      if ('reason' in labelsOrError) {
        const streamBytes = stream.entries.reduce((n, e) => n + Buffer.byteLength(e.line), 0);
        discard(labelsOrError.reason, stream.entries.length, streamBytes, labelsOrError.msg);
        continue;
      }
      labels = withServiceName(labelsOrError.labels, limits);
      labelCache?.set(stream.labels, labels);
    }
    const entries: LogStream['entries'] = [];
    for (const e of stream.entries) {
      const bytes = Buffer.byteLength(e.line);
      const problem = entryProblem(e, stream.labels, limits, oldestNs, newestNs, bytes);
      if (problem) {
        discard(problem.reason, 1, bytes, problem.msg);
        continue;
      }
      entries.push(e);
      result.lines++;
      result.bytes += bytes + metadataBytes(e.metadata);
    }
    if (entries.length === 0) continue;
    result.streams.push({ labels, entries });
  }
  if (errors.length > 0) result.error = groupErrors(errors);
  return result;
}

/**
 * Valid stream labels by the text a push names them with, as Loki's
 * distributor keeps them (an LRU of 100,000 there; here the oldest entry
 * goes first): a client pushes the same few streams again and again, and
 * parsing and checking their labels was a tenth of the push path's time.
 * Labels that fail are not kept, so their push fails again with its message.
 * The labels are frozen, since every push of the stream shares them.
 */
export class StreamLabelCache {
  private readonly byText = new Map<string, Readonly<Labels>>();

  constructor(private readonly capacity = 100_000) {}

  get(text: string): Readonly<Labels> | undefined {
    return this.byText.get(text);
  }

  set(text: string, labels: Labels): void {
    if (this.byText.size >= this.capacity) {
      this.byText.delete(this.byText.keys().next().value!);
    }
    this.byText.set(text, Object.freeze(labels));
  }
}

/** Adds `service_name` as Loki's `discover_service_name` does. */
function withServiceName(labels: Labels, limits: LokiLimits): Labels {
  if (limits.discoverServiceName.length > 0 && labels[LABEL_SERVICE_NAME] === undefined) {
    const from = limits.discoverServiceName.find((n) => labels[n]);
    labels[LABEL_SERVICE_NAME] = from ? labels[from]! : SERVICE_UNKNOWN;
  }
  return labels;
}

function streamLabels(
  text: string,
  limits: LokiLimits,
): { labels: Labels } | { reason: DiscardReason; msg: string } {
  let parsed: { names: string[]; labels: Labels };
  try {
    parsed = parseLabelString(text);
  } catch (err) {
    return {
      reason: 'invalid_labels',
      msg: `Error parsing labels '${text}' with error: ${(err as Error).message}`,
    };
  }
  const names = Object.keys(parsed.labels).sort();
  if (names.length === 0) {
    return {
      reason: 'missing_labels',
      msg: 'error at least one label pair is required per stream',
    };
  }
  let count = names.length;
  if (parsed.labels[LABEL_SERVICE_NAME] !== undefined) count--;
  if (count > limits.maxLabelNamesPerSeries) {
    return {
      reason: 'max_label_names_per_series',
      msg: `entry for stream '${text}' has ${count} label names; limit ${limits.maxLabelNamesPerSeries}`,
    };
  }
  const nonEmpty = parsed.names.filter((n) => parsed.labels[n] !== undefined).sort();
  let last = '';
  for (const name of nonEmpty) {
    const value = parsed.labels[name]!;
    if (name.length > limits.maxLabelNameLength) {
      return {
        reason: 'label_name_too_long',
        msg: `stream '${text}' has label name too long: '${name}'`,
      };
    }
    if (value.length > limits.maxLabelValueLength) {
      return {
        reason: 'label_value_too_long',
        msg: `stream '${text}' has label value too long: '${value}'`,
      };
    }
    if (name === last) {
      return {
        reason: 'duplicate_label_names',
        msg: `stream '${text}' has duplicate label name: '${name}'`,
      };
    }
    last = name;
  }
  const labels: Labels = {};
  for (const name of names) labels[name] = parsed.labels[name]!;
  return { labels };
}

function entryProblem(
  e: RawStream['entries'][number],
  streamText: string,
  limits: LokiLimits,
  oldestNs: bigint,
  newestNs: bigint,
  bytes: number,
): { reason: DiscardReason; msg: string } | undefined {
  if (limits.rejectOldSamples && e.timestamp < oldestNs) {
    return {
      reason: 'greater_than_max_sample_age',
      msg: `entry for stream '${streamText}' has timestamp too old: ${rfc3339(e.timestamp)}, oldest acceptable timestamp is: ${rfc3339(oldestNs)}`,
    };
  }
  if (e.timestamp > newestNs) {
    return {
      reason: 'too_far_in_future',
      msg: `entry for stream '${streamText}' has timestamp too new: ${rfc3339(e.timestamp)}`,
    };
  }
  if (limits.maxLineSize !== 0 && bytes > limits.maxLineSize) {
    return {
      reason: 'line_too_long',
      msg: `Max entry size '${limits.maxLineSize}' bytes exceeded for stream '${streamText}' while adding an entry with length '${bytes}' bytes`,
    };
  }
  if (e.metadata && Object.keys(e.metadata).length > 0) {
    if (!limits.allowStructuredMetadata) {
      return {
        reason: 'disallowed_structured_metadata',
        msg: `stream '${streamText}' includes structured metadata, but this feature is disallowed. Please see \`limits_config.allow_structured_metadata\` or contact your Loki administrator to enable it.`,
      };
    }
    const size = metadataBytes(e.metadata);
    if (limits.maxStructuredMetadataSize !== 0 && size > limits.maxStructuredMetadataSize) {
      return {
        reason: 'structured_metadata_too_large',
        msg: `stream '${streamText}' has structured metadata too large: '${size}' bytes, limit: '${limits.maxStructuredMetadataSize}' bytes. Please see \`limits_config.max_structured_metadata_size\` or contact your Loki administrator to increase it.`,
      };
    }
    const count = Object.keys(e.metadata).length;
    if (
      limits.maxStructuredMetadataEntriesCount !== 0 &&
      count > limits.maxStructuredMetadataEntriesCount
    ) {
      return {
        reason: 'structured_metadata_too_many',
        msg: `stream '${streamText}' has too many structured metadata labels: '${count}', limit: '${limits.maxStructuredMetadataEntriesCount}'. Please see \`limits_config.max_structured_metadata_entries_count\` or contact your Loki administrator to increase it.`,
      };
    }
  }
  return undefined;
}

function metadataBytes(metadata: Labels | undefined): number {
  if (!metadata) return 0;
  let n = 0;
  for (const [k, v] of Object.entries(metadata)) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}

/** Go's time.RFC3339 in UTC, whole seconds. */
function rfc3339(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Cuts a line to at most `max` bytes without splitting a character. */
function truncateUtf8(line: string, max: number): string {
  const buf = Buffer.from(line);
  if (buf.length <= max) return line;
  let end = max;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString();
}

/** Loki's GroupedErrors: each distinct message once, with a count when repeated. */
function groupErrors(errors: string[]): string {
  const counts = new Map<string, number>();
  for (const e of errors) counts.set(e, (counts.get(e) ?? 0) + 1);
  return [...counts].map(([msg, n]) => (n > 1 ? `${msg} (${n})` : msg)).join('; ');
}
