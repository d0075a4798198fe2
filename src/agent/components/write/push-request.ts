import protobuf from 'protobufjs';
import { formatLabels } from '../../../common/labels.js';
import { snappyCompress } from '../../../common/snappy.js';
import type { LogStream } from '../../../logs/sink.js';

/**
 * Loki's push body, `logproto.PushRequest`, written field by field:
 * streams = 1 { labels = 1, entries = 2 { timestamp = 1 { seconds = 1,
 * nanos = 2 }, line = 2, structuredMetadata = 3 { name = 1, value = 2 } } },
 * snappy block-compressed as Promtail and Alloy send it.
 */
export function encodePushProto(streams: LogStream[]): Buffer {
  const w = protobuf.Writer.create();
  for (const stream of streams) {
    w.uint32((1 << 3) | 2).fork();
    w.uint32((1 << 3) | 2).string(formatLabels(stream.labels));
    for (const e of stream.entries) {
      w.uint32((2 << 3) | 2).fork();
      const seconds = e.timestamp / 1_000_000_000n;
      const nanos = Number(e.timestamp % 1_000_000_000n);
      w.uint32((1 << 3) | 2).fork();
      if (seconds !== 0n) w.uint32(1 << 3).int64(seconds.toString());
      if (nanos !== 0) w.uint32(2 << 3).int32(nanos);
      w.ldelim();
      w.uint32((2 << 3) | 2).string(e.line);
      for (const [name, value] of Object.entries(e.metadata ?? {})) {
        w.uint32((3 << 3) | 2).fork();
        w.uint32((1 << 3) | 2).string(name);
        w.uint32((2 << 3) | 2).string(value);
        w.ldelim();
      }
      w.ldelim();
    }
    w.ldelim();
  }
  return snappyCompress(w.finish());
}
