import type { Labels } from '../../common/labels.js';

/** A push as decoded from JSON or protobuf, before Loki's validation. */
export interface RawStream {
  /** The stream's labels as Loki receives them: `{name="value", ...}`. */
  labels: string;
  entries: RawEntry[];
}

export interface RawEntry {
  timestamp: bigint;
  line: string;
  metadata?: Labels;
}

/** A body Loki cannot decode: answered 400 with this message. */
export class MalformedPushError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedPushError';
  }
}
