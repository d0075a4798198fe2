/**
 * Snappy block format (Prometheus remote write, Loki's protobuf pushes, the
 * metrics WAL's sample records), in TypeScript: the native `snappy` addon
 * alone cost 8 MiB of RSS in the metrics role, about a fifth of Prometheus's
 * whole idle footprint. Corrupt input fails with Go's message.
 * Blocks are compressed greedily with a hash of four bytes, in 64 KiB
 * windows as Go's encoder does, so every copy fits a 2-byte offset.
 */

const WINDOW = 1 << 16;
const HASH_BITS = 14;

function snappyMaxLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

function load32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

function hash(v: number): number {
  return Math.imul(v, 0x1e35a7bd) >>> (32 - HASH_BITS);
}

export function snappyCompress(src: Uint8Array): Buffer {
  const dst = Buffer.allocUnsafe(snappyMaxLength(src.length));
  let d = 0;
  let n = src.length;
  while (n >= 0x80) {
    dst[d++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  dst[d++] = n;
  const table = new Int32Array(1 << HASH_BITS);
  for (let start = 0; start < src.length; start += WINDOW) {
    d = compressWindow(src, start, Math.min(src.length, start + WINDOW), dst, d, table);
  }
  return dst.subarray(0, d);
}

function compressWindow(
  src: Uint8Array,
  start: number,
  end: number,
  dst: Buffer,
  d: number,
  table: Int32Array,
): number {
  table.fill(-1);
  let lit = start;
  let i = start;
  while (i + 4 <= end) {
    const v = load32(src, i);
    const h = hash(v);
    const cand = table[h]!;
    table[h] = i;
    if (cand < start || load32(src, cand) !== v) {
      // Skip faster through data that does not compress, as the reference encoder does.
      i += 1 + ((i - lit) >> 5);
      continue;
    }
    d = emitLiteral(src, lit, i, dst, d);
    let m = 4;
    while (i + m < end && src[cand + m] === src[i + m]) m++;
    d = emitCopy(i - cand, m, dst, d);
    i += m;
    lit = i;
  }
  return emitLiteral(src, lit, end, dst, d);
}

function emitLiteral(src: Uint8Array, from: number, to: number, dst: Buffer, d: number): number {
  const n = to - from;
  if (n === 0) return d;
  const m = n - 1;
  if (m < 60) dst[d++] = m << 2;
  else if (m < 0x100) {
    dst[d++] = 60 << 2;
    dst[d++] = m;
  } else {
    dst[d++] = 61 << 2;
    dst[d++] = m & 0xff;
    dst[d++] = m >>> 8;
  }
  dst.set(src.subarray(from, to), d);
  return d + n;
}

/** A copy of `len` bytes from `offset` back (offset < 64 KiB), in pieces of at most 64. */
function emitCopy(offset: number, len: number, dst: Buffer, d: number): number {
  while (len >= 68) {
    d = copy2(offset, 64, dst, d);
    len -= 64;
  }
  if (len > 64) {
    d = copy2(offset, 60, dst, d);
    len -= 60;
  }
  if (len < 12 && offset < 2048) {
    dst[d++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    dst[d++] = offset & 0xff;
    return d;
  }
  return copy2(offset, len, dst, d);
}

function copy2(offset: number, len: number, dst: Buffer, d: number): number {
  dst[d++] = 2 | ((len - 1) << 2);
  dst[d++] = offset & 0xff;
  dst[d++] = offset >>> 8;
  return d;
}

/** Decodes a snappy block; throws on corrupt input, as the Go decoder refuses it. */
export function snappyUncompress(src: Uint8Array): Buffer {
  let s = 0;
  let n = 0;
  let mul = 1;
  for (;;) {
    if (s >= src.length || s > 5) throw new Error('snappy: corrupt input');
    const b = src[s++]!;
    n += (b & 0x7f) * mul;
    if (b < 0x80) break;
    mul *= 128;
  }
  // A 3-byte element decodes to at most 64 bytes: a longer claimed length is a lie.
  if (n > (src.length - s) * 22) throw new Error('snappy: corrupt input');
  const dst = Buffer.allocUnsafe(n);
  let d = 0;
  while (s < src.length) {
    const tag = src[s++]!;
    let len: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        len = tag >>> 2;
        if (len >= 60) {
          const bytes = len - 59;
          if (s + bytes > src.length) throw new Error('snappy: corrupt input');
          len = 0;
          for (let k = 0; k < bytes; k++) len += src[s + k]! * 2 ** (8 * k);
          s += bytes;
        }
        len++;
        if (s + len > src.length || d + len > n) throw new Error('snappy: corrupt input');
        dst.set(src.subarray(s, s + len), d);
        s += len;
        d += len;
        continue;
      }
      case 1:
        if (s >= src.length) throw new Error('snappy: corrupt input');
        len = 4 + ((tag >>> 2) & 7);
        offset = ((tag >>> 5) << 8) | src[s++]!;
        break;
      case 2:
        if (s + 2 > src.length) throw new Error('snappy: corrupt input');
        len = 1 + (tag >>> 2);
        offset = src[s]! | (src[s + 1]! << 8);
        s += 2;
        break;
      default:
        if (s + 4 > src.length) throw new Error('snappy: corrupt input');
        len = 1 + (tag >>> 2);
        offset = load32(src, s);
        s += 4;
    }
    if (offset === 0 || offset > d || d + len > n) throw new Error('snappy: corrupt input');
    // Copies may overlap their own output (offset < len): byte by byte.
    for (let k = 0; k < len; k++, d++) dst[d] = dst[d - offset]!;
  }
  if (d !== n) throw new Error('snappy: corrupt input');
  return dst;
}
