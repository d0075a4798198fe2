import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse } from 'yaml';

/**
 * Commits of all readers within this window share one save. Alloy syncs its
 * positions every 10 s; one second bounds what a crash re-sends to a second
 * of lines while keeping the renames (two per save) off the steady-state
 * CPU profile. A clean stop saves at once and re-sends nothing.
 */
const SAVE_DELAY_MS = 1000;
const META_SUFFIX = '.obs.json';

/**
 * Alloy's (and Promtail's) positions file: how far each source has read,
 * keyed by path and label set, in the same YAML so a user moving from Alloy
 * keeps the file:
 *
 *     positions:
 *       ? path: /var/log/app.log
 *         labels: '{job="app"}'
 *       : "1234"
 *
 * File sources store a byte offset; Docker sources use `cursor-<id>` keys
 * holding a timestamp, the journal `journal-<name>` holding a cursor.
 * Saves are write-to-temp-and-rename; overlapping saves are coalesced.
 * The files are small (a few KB for hundreds of targets), so the temporary
 * file is written synchronously (microseconds, where async writes cost
 * several thread-pool round trips); only the rename, which on ext4 starts
 * writeback of the replaced file and can take milliseconds, is async. A
 * save that would write the same text is skipped.
 */
export class PositionsFile {
  private readonly entries = new Map<string, { path: string; labels: string; value: string }>();
  /** obs's own notes per entry (a file's inode and last bytes), kept beside Alloy's file. */
  private readonly meta = new Map<string, unknown>();
  private saving: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private dirMade = false;
  private written = '';
  private metaWritten = '';

  private constructor(readonly file: string) {}

  static async open(file: string): Promise<PositionsFile> {
    const p = new PositionsFile(file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return p;
    }
    const doc = parse(text, { mapAsMap: true }) as Map<string, unknown> | null;
    const positions = doc?.get('positions');
    if (positions instanceof Map) {
      for (const [key, value] of positions) {
        const k = key instanceof Map ? key : new Map<string, unknown>();
        const path = String(k.get('path') ?? '');
        const labels = String(k.get('labels') ?? '');
        p.entries.set(entryKey(path, labels), { path, labels, value: String(value) });
      }
    }
    try {
      const meta = JSON.parse(await readFile(`${file}${META_SUFFIX}`, 'utf8')) as Record<
        string,
        unknown
      >;
      for (const [k, v] of Object.entries(meta)) if (p.entries.has(k)) p.meta.set(k, v);
    } catch {
      // No notes (a file Alloy wrote, or none yet): positions alone still work.
    }
    return p;
  }

  getMeta(path: string, labels: string): unknown {
    return this.meta.get(entryKey(path, labels));
  }

  putMeta(path: string, labels: string, meta: unknown): void {
    this.meta.set(entryKey(path, labels), meta);
  }

  get(path: string, labels: string): string | undefined {
    return this.entries.get(entryKey(path, labels))?.value;
  }

  put(path: string, labels: string, value: string): void {
    this.entries.set(entryKey(path, labels), { path, labels, value });
  }

  remove(path: string, labels: string): void {
    this.entries.delete(entryKey(path, labels));
    this.meta.delete(entryKey(path, labels));
  }

  /**
   * Saves within SAVE_DELAY_MS: every reader's acknowledged commits in that
   * window share one write, instead of one write per batch per file. A
   * crash inside the window re-sends at most that window's lines; a clean
   * stop calls `save` and loses nothing.
   */
  scheduleSave(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save().catch(() => undefined);
    }, SAVE_DELAY_MS);
    this.timer.unref();
  }

  /** Writes the file now; resolves once a save that includes every earlier `put` is done. */
  save(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.saving) this.again = true;
    else this.saving = this.loop();
    return this.saving;
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.write();
      } while (this.again);
    } finally {
      this.saving = undefined;
    }
  }

  private async write(): Promise<void> {
    let text = 'positions:\n';
    for (const e of this.entries.values()) {
      text += `  ? path: ${JSON.stringify(e.path)}\n    labels: ${JSON.stringify(e.labels)}\n  : ${JSON.stringify(e.value)}\n`;
    }
    if (this.entries.size === 0) text = 'positions: {}\n';
    const meta = JSON.stringify(Object.fromEntries(this.meta));
    if (text === this.written && meta === this.metaWritten) return;
    if (!this.dirMade) {
      mkdirSync(dirname(this.file), { recursive: true });
      this.dirMade = true;
    }
    if (text !== this.written) {
      writeFileSync(`${this.file}.tmp`, text, { mode: 0o600 });
      await rename(`${this.file}.tmp`, this.file);
      this.written = text;
    }
    if (meta !== this.metaWritten) {
      writeFileSync(`${this.file}${META_SUFFIX}.tmp`, meta, { mode: 0o600 });
      await rename(`${this.file}${META_SUFFIX}.tmp`, `${this.file}${META_SUFFIX}`);
      this.metaWritten = meta;
    }
  }
}

function entryKey(path: string, labels: string): string {
  return `${path}\u0000${labels}`;
}
