import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * doublestar-style globs, as Alloy's `local.file_match` uses them: `*` and
 * `?` within one path segment (dot files included), `[abc]` / `[!a-z]`
 * classes, `{a,b}` alternatives, and `**` for zero or more directories.
 */

const META = /[*?[{\\]/;

/** One path segment as a regular expression source (no `/` inside). */
function segmentSource(seg: string): string {
  let out = '';
  let braces = 0;
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '\\' && i + 1 < seg.length) out += escape(seg[++i]!);
    else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, end);
      if (body.startsWith('!') || body.startsWith('^')) body = '^' + body.slice(1);
      out += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else out += escape(c);
  }
  return out;
}

function escape(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** Whether a whole path matches a pattern (doublestar's PathMatch). */
export function globToRegExp(pattern: string): RegExp {
  const segs = pattern.split('/');
  let src = '';
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    if (seg === '**') src += last ? '.*' : '(?:[^/]*/)*';
    else src += segmentSource(seg) + (last ? '' : '/');
  }
  return new RegExp(`^${src}$`);
}

/** Files and directories matching an absolute pattern, found by walking only where it can match. */
export async function glob(pattern: string): Promise<string[]> {
  const segs = pattern.split('/');
  const out: string[] = [];
  const seen = new Set<string>();
  const compiled = segs.map((s) =>
    s === '**' ? null : META.test(s) ? new RegExp(`^${segmentSource(s)}$`) : s,
  );

  async function walk(dir: string, i: number): Promise<void> {
    if (i === segs.length) {
      if (!seen.has(dir)) {
        seen.add(dir);
        out.push(dir);
      }
      return;
    }
    const seg = compiled[i];
    if (typeof seg === 'string') {
      const next = dir === '' && i === 0 ? seg : join(dir || '/', seg);
      if (i === 0 && seg === '') return walk('/', 1);
      if (i + 1 === segs.length) {
        if (await exists(next)) await walk(next, i + 1);
      } else await walk(next, i + 1);
      return;
    }
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir || '.', { withFileTypes: true });
    } catch {
      return;
    }
    if (seg === null) {
      await walk(dir, i + 1);
      if (i + 1 === segs.length) {
        // A trailing `**` matches everything below, files included.
        for (const e of entries) {
          if (e.isDirectory()) await walk(join(dir, e.name), i);
          else await walk(join(dir, e.name), i + 1);
        }
        return;
      }
      for (const e of entries) if (e.isDirectory()) await walk(join(dir, e.name), i);
      return;
    }
    for (const e of entries) {
      if (!seg.test(e.name)) continue;
      if (i + 1 < segs.length && !e.isDirectory() && !e.isSymbolicLink()) continue;
      await walk(join(dir, e.name), i + 1);
    }
  }

  await walk('', 0);
  return out.sort();
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
