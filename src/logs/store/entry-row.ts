/** One entry as stored: the columns of a day partition. */
export interface EntryRow {
  streamId: number;
  ts: bigint;
  line: string;
  /** Structured metadata as a JSON object, or null. */
  metadata: string | null;
}
