import protobuf from 'protobufjs';
import type { Labels } from '../../common/labels.js';
import { snappyCompress, snappyUncompress } from '../../common/snappy.js';
import { MalformedPushError, type RawStream } from './raw-push.js';

/** Loki's `logproto.PushRequest` (pkg/push/push.proto), as protobufjs JSON. */
const root = protobuf.Root.fromJSON({
  nested: {
    logproto: {
      nested: {
        PushRequest: { fields: { streams: { rule: 'repeated', type: 'StreamAdapter', id: 1 } } },
        StreamAdapter: {
          fields: {
            labels: { type: 'string', id: 1 },
            entries: { rule: 'repeated', type: 'EntryAdapter', id: 2 },
            hash: { type: 'uint64', id: 3 },
          },
        },
        EntryAdapter: {
          fields: {
            timestamp: { type: 'Timestamp', id: 1 },
            line: { type: 'string', id: 2 },
            structuredMetadata: { rule: 'repeated', type: 'LabelPairAdapter', id: 3 },
          },
        },
        LabelPairAdapter: {
          fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
        },
        Timestamp: {
          fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } },
        },
        PushResponse: { fields: {} },
      },
    },
  },
});

export const PushRequest = root.lookupType('logproto.PushRequest');

interface ProtoTimestamp {
  seconds?: number | { toString(): string };
  nanos?: number;
}

interface ProtoPush {
  streams?: {
    labels?: string;
    entries?: {
      timestamp?: ProtoTimestamp;
      line?: string;
      structuredMetadata?: { name?: string; value?: string }[];
    }[];
  }[];
}

/** A snappy block-compressed `PushRequest`, as Promtail, Alloy and the npm clients send. */
export function decodeProtoPush(body: Buffer): RawStream[] {
  let raw: Buffer;
  try {
    raw = snappyUncompress(body);
  } catch (err) {
    throw new MalformedPushError((err as Error).message);
  }
  let msg: ProtoPush;
  try {
    msg = PushRequest.toObject(PushRequest.decode(raw), { longs: String }) as ProtoPush;
  } catch (err) {
    throw new MalformedPushError(`proto: ${(err as Error).message}`);
  }
  return (msg.streams ?? []).map((s) => ({
    labels: s.labels ?? '',
    entries: (s.entries ?? []).map((e) => {
      const seconds = BigInt(String(e.timestamp?.seconds ?? '0'));
      const entry: { timestamp: bigint; line: string; metadata?: Labels } = {
        timestamp: seconds * 1_000_000_000n + BigInt(e.timestamp?.nanos ?? 0),
        line: e.line ?? '',
      };
      if (e.structuredMetadata && e.structuredMetadata.length > 0) {
        entry.metadata = {};
        for (const p of e.structuredMetadata) entry.metadata[p.name ?? ''] = p.value ?? '';
      }
      return entry;
    }),
  }));
}

/** Encodes a push the way Loki's clients do (for tests and the benchmark). */
export function encodeProtoPush(
  streams: { labels: string; entries: { timestamp: bigint; line: string; metadata?: Labels }[] }[],
): Buffer {
  const message = PushRequest.fromObject({
    streams: streams.map((s) => ({
      labels: s.labels,
      entries: s.entries.map((e) => ({
        timestamp: {
          seconds: (e.timestamp / 1_000_000_000n).toString(),
          nanos: Number(e.timestamp % 1_000_000_000n),
        },
        line: e.line,
        structuredMetadata: Object.entries(e.metadata ?? {}).map(([name, value]) => ({
          name,
          value,
        })),
      })),
    })),
  });
  return snappyCompress(PushRequest.encode(message).finish());
}
