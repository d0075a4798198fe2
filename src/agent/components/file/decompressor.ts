import { createReadStream } from 'node:fs';
import { createGunzip, createInflate } from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';
import bz2 from 'unbzip2-stream';
import type { Logger } from 'pino';
import type { Labels } from '../../../common/labels.js';
import type { AgentEntry, ComponentMetrics } from '../../component.js';
import type { PositionsFile } from './positions.js';
import { sleep } from './forward.js';

export interface DecompressorOptions {
  path: string;
  labels: Labels;
  positionLabels: string;
  positions: PositionsFile;
  forward: (entries: AgentEntry[], signal: AbortSignal) => Promise<boolean>;
  format: string;
  initialDelayMs: number;
  encoding: string;
  logger: Logger;
  metrics?: ComponentMetrics;
}

/** Lines per forwarded batch. */
const BATCH_LINES = 10_000;

/**
 * The formats Alloy's `decompression` block accepts (Go's compress/gzip,
 * compress/zlib and compress/bzip2 there), each turning the file's bytes
 * into a readable of the plain text: gzip and zlib from node:zlib, bzip2
 * from a pure-JavaScript decoder.
 */
export const DECOMPRESSION_FORMATS: Record<string, (compressed: Readable) => Readable> = {
  gz: (s) => s.pipe(createGunzip()),
  z: (s) => s.pipe(createInflate()),
  bz2: (s) => {
    // The decoder is a classic (through) stream: a PassThrough makes it async-iterable.
    const decoder = bz2();
    const out = new PassThrough();
    decoder.on('error', (err: Error) => out.destroy(err));
    return s.pipe(decoder).pipe(out);
  },
};

/**
 * Reads a compressed file once, as Alloy's decompressor does: the position
 * is the number of lines already forwarded (committed after
 * acknowledgement), so a restart skips exactly those.
 */
export async function readCompressed(o: DecompressorOptions, signal: AbortSignal): Promise<void> {
  if (o.initialDelayMs > 0 && !(await sleep(o.initialDelayMs, signal))) return;
  // The format was checked with the component's arguments.
  const make = DECOMPRESSION_FORMATS[o.format]!;
  const done = Number(o.positions.get(o.path, o.positionLabels) ?? '0') || 0;
  const decoder = new TextDecoder(o.encoding || 'utf-8');
  const file = createReadStream(o.path);
  const stream = make(file);
  // pipe() does not forward errors: a missing file must end the read like a corrupt one.
  file.on('error', (err) => stream.destroy(err));
  let lineNo = 0;
  let rest = '';
  let batch: AgentEntry[] = [];
  let ts = BigInt(Date.now()) * 1_000_000n;
  const flush = async (): Promise<boolean> => {
    if (batch.length === 0) return true;
    o.metrics?.read(batch.length);
    if (!(await o.forward(batch, signal))) return false;
    batch = [];
    o.positions.put(o.path, o.positionLabels, String(lineNo));
    o.positions.scheduleSave();
    return true;
  };
  const take = (line: string) => {
    lineNo++;
    if (lineNo <= done) return;
    batch.push({
      labels: o.labels,
      timestamp: ts,
      line: line.endsWith('\r') ? line.slice(0, -1) : line,
    });
    ts += 1n;
  };
  try {
    for await (const chunk of stream) {
      if (signal.aborted) return;
      const lines = (rest + decoder.decode(chunk as Buffer, { stream: true })).split('\n');
      rest = lines.pop()!;
      for (const line of lines) take(line);
      if (batch.length >= BATCH_LINES && !(await flush())) return;
    }
    rest += decoder.decode();
    if (rest !== '') take(rest);
    await flush();
  } catch (err) {
    o.logger.error({ err, path: o.path }, 'error reading compressed file');
  } finally {
    stream.destroy();
    file.destroy();
  }
}
