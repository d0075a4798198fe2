import { compileGoRegexp, goRegexpMatches } from '../../../common/go-regexp.js';
import { formatLabels } from '../../../common/labels.js';
import type { DropFn, ProcessEntry, Stage } from './stage.js';

interface Block {
  first: ProcessEntry;
  lines: string[];
  startedAt: number;
}

/**
 * `stage.multiline`: joins a line matching `firstline` and the lines after
 * it (per stream) into one entry, released when the next `firstline`
 * arrives, after `max_lines`, or after `max_wait_time` without one.
 */
export function multilineStage(args: {
  firstline: string;
  max_wait_time: number;
  max_lines: number;
}): Stage {
  const re = compileGoRegexp(args.firstline);
  const blocks = new Map<string, Block>();
  const release = (key: string): ProcessEntry => {
    const b = blocks.get(key)!;
    blocks.delete(key);
    b.first.line = b.lines.join('\n');
    return b.first;
  };
  return {
    process(entries: ProcessEntry[], _drop: DropFn): ProcessEntry[] {
      const out: ProcessEntry[] = [];
      const now = Date.now();
      for (const e of entries) {
        const key = formatLabels(e.labels);
        const isFirst = goRegexpMatches(re, e.line);
        const block = blocks.get(key);
        if (block && !isFirst) {
          block.lines.push(e.line);
          if (block.lines.length >= args.max_lines) out.push(release(key));
          continue;
        }
        if (block) out.push(release(key));
        blocks.set(key, { first: e, lines: [e.line], startedAt: now });
      }
      return out;
    },
    flush(now: number): ProcessEntry[] {
      const out: ProcessEntry[] = [];
      for (const [key, b] of blocks) {
        if (now - b.startedAt >= args.max_wait_time) out.push(release(key));
      }
      return out;
    },
  };
}
