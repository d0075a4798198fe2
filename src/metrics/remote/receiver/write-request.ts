import type { Labels } from '../../../common/labels.js';
import { METRIC_TYPES } from '../metric-types.js';

/**
 * prompb.WriteRequest (remote write 1.0), decoded by hand: the reflection
 * decoders cost more than the append itself at a million samples a second.
 * Exemplars and native histograms are skipped.
 */
export interface WriteSeries {
  labels: Labels;
  timestamps: number[];
  values: Float64Array;
}

export interface WriteMetadata {
  type: string;
  metricFamilyName: string;
  help: string;
  unit: string;
}

export interface WriteRequest {
  timeseries: WriteSeries[];
  metadata: WriteMetadata[];
}

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  varint(): number {
    const buf = this.buf;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('unexpected EOF');
      const b = buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        // int64 two's complement: values at or above 2^63 are negative.
        return result >= 2 ** 63 ? result - 2 ** 64 : result;
      }
      mul *= 128;
    }
    throw new Error('proto: integer overflow');
  }

  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        break;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos += this.varint();
        break;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new Error(`proto: illegal wireType ${wire}`);
    }
    if (this.pos > this.end) throw new Error('unexpected EOF');
  }

  sub(): Reader {
    const len = this.varint();
    const end = this.pos + len;
    if (end > this.end || len < 0) throw new Error('unexpected EOF');
    const r = new Reader(this.buf, this.pos, end);
    this.pos = end;
    return r;
  }

  string(): string {
    const r = this.sub();
    return this.buf.toString('utf8', r.pos, r.end);
  }
}

export function decodeWriteRequest(buf: Buffer): WriteRequest {
  const r = new Reader(buf);
  const timeseries: WriteSeries[] = [];
  const metadata: WriteMetadata[] = [];
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 2) timeseries.push(decodeSeries(r.sub()));
    else if (field === 3 && wire === 2) metadata.push(decodeMetadata(r.sub()));
    else r.skip(wire);
  }
  return { timeseries, metadata };
}

function decodeSeries(r: Reader): WriteSeries {
  const labels: Labels = {};
  const timestamps: number[] = [];
  const raw: number[] = [];
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 2) {
      const l = r.sub();
      let name = '';
      let value = '';
      while (l.pos < l.end) {
        const t = l.varint();
        if (t === 10) name = l.string();
        else if (t === 18) value = l.string();
        else l.skip(t & 7);
      }
      if (value !== '') labels[name] = value;
    } else if (field === 2 && wire === 2) {
      const s = r.sub();
      let t = 0;
      let at = -1;
      while (s.pos < s.end) {
        const tg = s.varint();
        if (tg === 9) {
          at = s.pos;
          s.pos += 8;
          if (s.pos > s.end) throw new Error('unexpected EOF');
        } else if (tg === 16) t = s.varint();
        else s.skip(tg & 7);
      }
      timestamps.push(t);
      raw.push(at);
    } else r.skip(wire);
  }
  // Copy value words verbatim so NaN payloads (Prometheus's StaleNaN) survive.
  const out = new Float64Array(raw.length);
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < raw.length; i++) {
    const at = raw[i]!;
    if (at < 0) continue;
    words[i * 2] = r.buf.readUInt32LE(at);
    words[i * 2 + 1] = r.buf.readUInt32LE(at + 4);
  }
  return { labels, timestamps, values: out };
}

function decodeMetadata(r: Reader): WriteMetadata {
  const md: WriteMetadata = { type: 'unknown', metricFamilyName: '', help: '', unit: '' };
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 8) md.type = METRIC_TYPES[r.varint()] ?? 'unknown';
    else if (tag === 18) md.metricFamilyName = r.string();
    else if (tag === 34) md.help = r.string();
    else if (tag === 42) md.unit = r.string();
    else r.skip(tag & 7);
  }
  return md;
}

/** Encodes a WriteRequest (for tests, benchmarks and senders). */
export function encodeWriteRequest(req: { timeseries: WriteSeries[] }): Buffer {
  const parts: Buffer[] = [];
  for (const s of req.timeseries) {
    const inner: Buffer[] = [];
    for (const name of Object.keys(s.labels).sort()) {
      const label = Buffer.concat([
        field(1, Buffer.from(name)),
        field(2, Buffer.from(s.labels[name]!)),
      ]);
      inner.push(field(1, label));
    }
    const words = new Uint32Array(s.values.buffer, s.values.byteOffset, s.values.length * 2);
    for (let i = 0; i < s.timestamps.length; i++) {
      const sample = Buffer.allocUnsafe(9);
      sample[0] = 9;
      sample.writeUInt32LE(words[i * 2]!, 1);
      sample.writeUInt32LE(words[i * 2 + 1]!, 5);
      inner.push(field(2, Buffer.concat([sample, Buffer.from([16]), varint(s.timestamps[i]!)])));
    }
    parts.push(field(1, Buffer.concat(inner)));
  }
  return Buffer.concat(parts);
}

function field(n: number, body: Buffer): Buffer {
  return Buffer.concat([varint(n * 8 + 2), varint(body.length), body]);
}

function varint(v: number): Buffer {
  const out: number[] = [];
  let x = v < 0 ? v + 2 ** 64 : v;
  while (x >= 128) {
    out.push((x % 128) | 0x80);
    x = Math.floor(x / 128);
  }
  out.push(x);
  return Buffer.from(out);
}
