import { snappyUncompress } from '../../common/snappy.js';
import type { Labels } from '../../common/labels.js';

/** WAL record kinds; the first byte of every payload. */
export const enum RecordType {
  Series = 1,
  Samples = 2,
  Tombstones = 3,
  HeadChunk = 4,
  /** A Samples record, snappy-compressed after its type byte (as Prometheus compresses its WAL). */
  SamplesSnappy = 5,
}

export interface WalSeries {
  id: number;
  labels: Labels;
}

export function encodeSeries(series: WalSeries[]): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.allocUnsafe(5);
  head.writeUInt8(RecordType.Series, 0);
  head.writeUInt32LE(series.length, 1);
  parts.push(head);
  for (const s of series) {
    const names = Object.keys(s.labels);
    const h = Buffer.allocUnsafe(6);
    h.writeUInt32LE(s.id, 0);
    h.writeUInt16LE(names.length, 4);
    parts.push(h);
    for (const name of names) {
      parts.push(lenPrefixed(name), lenPrefixed(s.labels[name]!));
    }
  }
  return Buffer.concat(parts);
}

function lenPrefixed(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32LE(body.length, 0);
  body.copy(out, 4);
  return out;
}

export function decodeSeries(buf: Buffer): WalSeries[] {
  const n = buf.readUInt32LE(1);
  let off = 5;
  const out: WalSeries[] = [];
  for (let i = 0; i < n; i++) {
    const id = buf.readUInt32LE(off);
    const count = buf.readUInt16LE(off + 4);
    off += 6;
    const labels: Labels = {};
    for (let j = 0; j < count; j++) {
      const nl = buf.readUInt32LE(off);
      const name = buf.toString('utf8', off + 4, off + 4 + nl);
      off += 4 + nl;
      const vl = buf.readUInt32LE(off);
      labels[name] = buf.toString('utf8', off + 4, off + 4 + vl);
      off += 4 + vl;
    }
    out.push({ id, labels });
  }
  return out;
}

/**
 * Samples in columns: an 8-byte header (type, count), then ids (u32), then
 * timestamps (f64), then raw value words (2 x u32), each column a straight
 * copy of a typed array (native endianness: the WAL never leaves the host).
 * Written uncompressed: snappy halved the bytes to fdatasync but cost as much
 * CPU as decoding the request in TypeScript, and the native addon 8 MiB of
 * RSS. SamplesSnappy records of older WALs are still read.
 */
export function encodeSamples(
  ids: Uint32Array,
  ts: Float64Array,
  words: Uint32Array,
  n: number,
): Uint8Array[] {
  const idBytes = (n * 4 + 7) & ~7;
  const buf = Buffer.allocUnsafe(8 + idBytes + n * 16);
  buf.writeUInt8(RecordType.Samples, 0);
  buf.writeUInt32LE(n, 4);
  buf.set(new Uint8Array(ids.buffer, ids.byteOffset, n * 4), 8);
  buf.set(new Uint8Array(ts.buffer, ts.byteOffset, n * 8), 8 + idBytes);
  buf.set(new Uint8Array(words.buffer, words.byteOffset, n * 8), 8 + idBytes + n * 8);
  return [buf];
}

export function forEachSample(
  buf: Buffer,
  fn: (id: number, t: number, hi: number, lo: number) => void,
): void {
  if (buf[0] === RecordType.SamplesSnappy) {
    const raw = snappyUncompress(buf.subarray(1));
    buf = Buffer.concat([Buffer.from([RecordType.Samples]), raw]);
  }
  const n = buf.readUInt32LE(4);
  const idBytes = (n * 4 + 7) & ~7;
  // Copy out: the payload need not be aligned for typed-array views.
  const ids = new Uint32Array(n);
  const ts = new Float64Array(n);
  const words = new Uint32Array(n * 2);
  new Uint8Array(ids.buffer).set(buf.subarray(8, 8 + n * 4));
  new Uint8Array(ts.buffer).set(buf.subarray(8 + idBytes, 8 + idBytes + n * 8));
  new Uint8Array(words.buffer).set(buf.subarray(8 + idBytes + n * 8, 8 + idBytes + n * 16));
  for (let i = 0; i < n; i++) fn(ids[i]!, ts[i]!, words[i * 2 + 1]!, words[i * 2]!);
}

export interface WalTombstone {
  id: number;
  mint: number;
  maxt: number;
}

export function encodeTombstones(stones: WalTombstone[]): Buffer {
  const buf = Buffer.allocUnsafe(5 + stones.length * 20);
  buf.writeUInt8(RecordType.Tombstones, 0);
  buf.writeUInt32LE(stones.length, 1);
  let off = 5;
  for (const s of stones) {
    buf.writeUInt32LE(s.id, off);
    buf.writeDoubleLE(s.mint, off + 4);
    buf.writeDoubleLE(s.maxt, off + 12);
    off += 20;
  }
  return buf;
}

export function decodeTombstones(buf: Buffer): WalTombstone[] {
  const n = buf.readUInt32LE(1);
  const out: WalTombstone[] = [];
  for (let i = 0, off = 5; i < n; i++, off += 20) {
    out.push({
      id: buf.readUInt32LE(off),
      mint: buf.readDoubleLE(off + 4),
      maxt: buf.readDoubleLE(off + 12),
    });
  }
  return out;
}

const chunkHeader = Buffer.allocUnsafe(5);

/**
 * A whole head chunk, used by checkpoints so replay need not re-read old
 * segments: a header and the chunk's own bytes, uncopied. The header buffer
 * is reused, so the parts must be written before the next call.
 */
export function headChunkParts(id: number, bytes: Uint8Array): [Buffer, Uint8Array] {
  chunkHeader.writeUInt8(RecordType.HeadChunk, 0);
  chunkHeader.writeUInt32LE(id, 1);
  return [chunkHeader, bytes];
}

export function decodeHeadChunk(buf: Buffer): { id: number; bytes: Uint8Array } {
  return { id: buf.readUInt32LE(1), bytes: buf.subarray(5) };
}
