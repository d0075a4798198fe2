import { TextDecoder } from 'node:util';
import { fstatSync, readSync, statSync } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Labels } from '../../../common/labels.js';
import type { AgentEntry, ComponentMetrics } from '../../component.js';
import type { PollClock } from './poll-clock.js';
import type { PositionsFile } from './positions.js';

export interface TailerOptions {
  path: string;
  /** The labels every line gets (target labels without `__*`, plus `filename`). */
  labels: Labels;
  /** The label part of the positions-file key. */
  positionLabels: string;
  positions: PositionsFile;
  /** Sends to `forward_to`; false when stopping before acknowledgement. */
  forward: (entries: AgentEntry[], signal: AbortSignal) => Promise<boolean>;
  encoding: string;
  tailFromEnd: boolean;
  /** What a stored position that is not an offset means (Alloy's `on_positions_file_error`). */
  onPositionsFileError: PositionsFileErrorPolicy;
  /** Look up the converted legacy entry (`{}` labels) when none is stored under our labels. */
  legacyPositions: boolean;
  minPollMs: number;
  maxPollMs: number;
  /** The component's shared poll timer (ticking at min_poll_frequency). */
  clock: PollClock;
  logger: Logger;
  metrics?: ComponentMetrics;
}

export type PositionsFileErrorPolicy = 'skip' | 'restart_from_end' | 'restart_from_beginning';

/** What obs notes beside the offset, to recognise a file changed while obs was stopped. */
interface FileMeta {
  offset: number;
  ino: number;
  /** Birth time in ms (0 where the filesystem does not keep it). */
  born: number;
  tail: string;
}

/** Bytes read per call; lines are split in bulk from one decoded string. */
const CHUNK = 1024 * 1024;
/** Bytes kept from just before the read offset to recognise a file rewritten in place. */
const FINGERPRINT = 128;
/** A line longer than this is cut, so one runaway line cannot take all memory. */
const MAX_LINE = 16 * 1024 * 1024;
/**
 * Reads up to this size are synchronous: at steady state a poll finds a few
 * lines per file, and a read from the page cache takes microseconds where a
 * thread-pool round trip costs far more CPU. Larger reads (catching up)
 * stay asynchronous.
 */
const SYNC_READ = 64 * 1024;

/**
 * Follows one file by polling: forwards each complete line (ending in `\n`)
 * and commits the byte offset to the positions file only after the
 * receivers acknowledged, so a restart resumes without loss or repeats.
 * Rotation by rename (the path names a new inode: the old file is read to
 * its end first), truncation and copytruncate (the file shrank, or the bytes
 * before our offset changed) and deletion are recognised on every poll.
 */
export class FileTailer {
  private fh: FileHandle | undefined;
  private ino = -1;
  private born = 0;
  private offset = 0;
  private fingerprint = Buffer.alloc(0);
  /** Modification time when the file was last seen fully read. */
  private mtime = -1n;
  private lastTs = 0n;
  /** The stored position was not an offset and the policy is `skip`: this file is not read. */
  private skipped = false;
  private readonly decoder: TextDecoder;
  private readonly newline: Buffer;

  constructor(private readonly o: TailerOptions) {
    this.decoder = new TextDecoder(o.encoding || 'utf-8');
    const enc = this.decoder.encoding;
    this.newline =
      enc === 'utf-16le'
        ? Buffer.from([10, 0])
        : enc === 'utf-16be'
          ? Buffer.from([0, 10])
          : Buffer.from([10]);
  }

  /** The committed read offset (debug information). */
  get position(): number {
    return this.offset;
  }

  async run(signal: AbortSignal): Promise<void> {
    let poll = this.o.minPollMs;
    // One abort listener for the whole run, not one per poll; the shared
    // clock wakes every reader of the component on the same tick.
    const onAbort = () => this.o.clock.wakeAll();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        let changed = false;
        if (!this.fh) changed = await this.openFile(true);
        if (this.skipped) return;
        if (this.fh) {
          changed = (await this.readAvailable(signal)) || changed;
          changed = (await this.checkRotation(signal)) || changed;
        }
        poll = changed ? this.o.minPollMs : Math.min(poll * 2, this.o.maxPollMs);
        if (!signal.aborted) await this.o.clock.wait(poll);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      await this.fh?.close().catch(() => undefined);
      this.fh = undefined;
    }
  }

  /** Opens the path; `resume` applies the stored position (or tail_from_end) instead of 0. */
  private async openFile(resume: boolean): Promise<boolean> {
    let fh: FileHandle;
    try {
      fh = await open(this.o.path, 'r');
    } catch {
      return false;
    }
    let st = await fh.stat();
    this.offset = 0;
    this.fingerprint = Buffer.alloc(0);
    let stored = resume ? this.o.positions.get(this.o.path, this.o.positionLabels) : undefined;
    // Alloy's conversion of a legacy positions file keys every path with no labels.
    if (resume && stored === undefined && this.o.legacyPositions)
      stored = this.o.positions.get(this.o.path, '{}');
    const meta = this.o.positions.getMeta(this.o.path, this.o.positionLabels) as
      FileMeta | undefined;
    const known = stored !== undefined && meta?.offset === Number(stored) ? meta : undefined;
    if (known && known.ino !== st.ino) {
      // Rotated while we were stopped: finish the old file first, if it is still beside the new one.
      const old = await findFile(dirname(this.o.path), known);
      if (old) {
        this.o.logger.info(
          { rotatedTo: old },
          'file rotated while stopped; reading the old file out first',
        );
        await fh.close();
        fh = await open(old, 'r');
        st = await fh.stat();
      }
    }
    this.fh = fh;
    this.ino = st.ino;
    this.born = st.birthtimeMs;
    if (!resume) return true;
    if (stored !== undefined && !/^[+-]?\d+$/.test(stored)) {
      const policy = this.o.onPositionsFileError;
      if (policy === 'skip') {
        this.o.logger.error({ position: stored }, 'failed to get file position; skipping the file');
        await fh.close();
        this.fh = undefined;
        this.skipped = true;
        return false;
      }
      this.offset = policy === 'restart_from_end' ? await lastLineEnd(fh, st.size) : 0;
      this.o.logger.info(
        { position: stored, policy },
        policy === 'restart_from_end'
          ? 'retrieved the position of the last line after positions error'
          : 'reset position to start of file after positions error',
      );
    } else if (stored !== undefined) {
      const pos = Number(stored);
      // A file shorter than the stored offset was truncated while we were away.
      this.offset = pos >= 0 && pos <= st.size ? pos : 0;
    } else if (this.o.tailFromEnd) {
      // From the start of an unfinished last line, so it arrives whole once written (as Alloy).
      this.offset = await lastLineEnd(fh, st.size);
    }
    if (this.offset > 0) {
      const n = Math.min(FINGERPRINT, this.offset);
      const buf = Buffer.alloc(n);
      await fh.read(buf, 0, n, this.offset - n);
      this.fingerprint = buf;
      // Replaced, or truncated and written past our offset, while we were away.
      if (known && (known.ino !== st.ino || Buffer.from(known.tail, 'base64').compare(buf) !== 0)) {
        this.o.logger.info('file replaced or rewritten while stopped; reading from the start');
        this.reset();
      }
    }
    return true;
  }

  /** Reads and forwards every complete line past the offset; true when anything was read. */
  private async readAvailable(signal: AbortSignal): Promise<boolean> {
    let any = false;
    let chunk = CHUNK;
    while (!signal.aborted && this.fh) {
      // Polls stat synchronously: microseconds, where a thread-pool round trip
      // per file and poll cost several per cent of a core at 50 idle files.
      const st = fstatSync(this.fh.fd, { bigint: true });
      const size = Number(st.size);
      const mtime = st.mtimeNs;
      if (size < this.offset) {
        this.o.logger.info('file truncated; reading from the start');
        this.reset();
        any = true;
        continue;
      }
      if (size === this.offset) {
        // Same size but written since: truncated and refilled to exactly our offset?
        if (mtime !== this.mtime && !this.fingerprintHolds()) {
          this.o.logger.info('file rewritten; reading from the start');
          this.reset();
          any = true;
          continue;
        }
        this.mtime = mtime;
        return any;
      }
      const fp = this.fingerprint.length;
      const want = Math.min(size - this.offset, chunk);
      const buf = Buffer.allocUnsafe(fp + want);
      const bytesRead =
        fp + want <= SYNC_READ
          ? readSync(this.fh.fd, buf, 0, fp + want, this.offset - fp)
          : (await this.fh.read(buf, 0, fp + want, this.offset - fp)).bytesRead;
      if (bytesRead < fp || !buf.subarray(0, fp).equals(this.fingerprint)) {
        // The bytes before our offset changed: rewritten in place (copytruncate, then written past us).
        this.o.logger.info('file rewritten; reading from the start');
        this.reset();
        any = true;
        continue;
      }
      const data = buf.subarray(fp, bytesRead);
      const end = this.lastNewline(data);
      let complete: Buffer;
      if (end >= 0) complete = data.subarray(0, end + this.newline.length);
      else if (data.length < want || want < chunk) return any;
      else if (chunk < MAX_LINE) {
        chunk *= 2;
        continue;
      } else complete = data;
      chunk = CHUNK;
      const entries = this.entries(complete, end >= 0);
      this.o.metrics?.read(entries.length);
      if (!(await this.o.forward(entries, signal))) return any;
      this.advance(complete, buf.subarray(0, fp));
      this.commit();
      // Everything this stat saw is read: the next poll needs no fingerprint
      // read unless the file is written again.
      if (this.offset === size) this.mtime = mtime;
      any = true;
    }
    return any;
  }

  /** Rotation by rename, deletion and recreation: read the old file out, then follow the path. */
  private async checkRotation(signal: AbortSignal): Promise<boolean> {
    // Missing: deleted (or renamed away, not yet recreated): keep the old handle.
    const ino = statSync(this.o.path, { throwIfNoEntry: false })?.ino;
    if (ino === undefined || ino === this.ino) return false;
    await this.readAvailable(signal);
    if (signal.aborted) return false;
    this.o.logger.info('file rotated; following the new file');
    await this.fh?.close();
    this.fh = undefined;
    if (await this.openFile(false)) this.commit();
    return true;
  }

  private fingerprintHolds(): boolean {
    const n = this.fingerprint.length;
    if (n === 0 || !this.fh) return true;
    const buf = Buffer.alloc(n);
    const bytesRead = readSync(this.fh.fd, buf, 0, n, this.offset - n);
    return bytesRead === n && buf.equals(this.fingerprint);
  }

  /** Starts over at 0 and says so in the positions file at once, so a restart does not skip ahead. */
  private reset(): void {
    this.offset = 0;
    this.fingerprint = Buffer.alloc(0);
    this.commit();
  }

  private commit(): void {
    this.o.positions.put(this.o.path, this.o.positionLabels, String(this.offset));
    const meta: FileMeta = {
      offset: this.offset,
      ino: this.ino,
      born: this.born,
      tail: this.fingerprint.toString('base64'),
    };
    this.o.positions.putMeta(this.o.path, this.o.positionLabels, meta);
    this.o.positions.scheduleSave();
  }

  private advance(complete: Buffer, previous: Buffer): void {
    this.offset += complete.length;
    this.fingerprint = Buffer.from(
      complete.length >= FINGERPRINT
        ? complete.subarray(complete.length - FINGERPRINT)
        : Buffer.concat([previous, complete]).subarray(-FINGERPRINT),
    );
  }

  private lastNewline(data: Buffer): number {
    let i = data.lastIndexOf(this.newline);
    // A two-byte newline must start on a character boundary.
    while (this.newline.length === 2 && i > 0 && i % 2 !== 0)
      i = data.lastIndexOf(this.newline, i - 1);
    return i;
  }

  /** `terminated`: the bytes end in a newline (else one over-long line was cut). */
  private entries(complete: Buffer, terminated: boolean): AgentEntry[] {
    const lines = this.decoder.decode(complete).split('\n');
    if (terminated) lines.pop();
    let ts = BigInt(Date.now()) * 1_000_000n;
    if (ts <= this.lastTs) ts = this.lastTs + 1n;
    const labels = this.o.labels;
    const out: AgentEntry[] = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i]!;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      out[i] = { labels, timestamp: ts, line };
      ts += 1n;
    }
    this.lastTs = ts - 1n;
    return out;
  }
}

/**
 * The path of the file noted in `meta` in `dir` (where rotation leaves the
 * old file): same inode and same birth time, so a new file that reused the
 * inode number is not mistaken for it.
 */
async function findFile(dir: string, meta: FileMeta): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  for (const name of names) {
    try {
      const st = await stat(join(dir, name));
      if (st.ino === meta.ino && meta.born > 0 && st.birthtimeMs === meta.born)
        return join(dir, name);
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

/** The offset just past the file's last newline (0 without one): where a line would start. */
async function lastLineEnd(fh: FileHandle, size: number): Promise<number> {
  const buf = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0;) {
    const start = Math.max(0, end - buf.length);
    const { bytesRead } = await fh.read(buf, 0, end - start, start);
    const nl = buf.subarray(0, bytesRead).lastIndexOf(10);
    if (nl >= 0) return start + nl + 1;
    end = start;
  }
  return 0;
}
