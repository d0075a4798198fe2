import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Labels } from '../../../common/labels.js';
import { glob, globToRegExp } from './glob.js';

/**
 * Expands each target's `__path__` glob into one target per existing file
 * (`__path__` made absolute, other labels kept), leaving out matches of
 * `__path_exclude__`, directories, and files not modified within
 * `ignoreOlderThanMs` (0: none left out). What `local.file_match` exports
 * and `loki.source.file`'s `file_match` block reads.
 */
export async function expandPathTargets(
  pathTargets: Labels[],
  ignoreOlderThanMs: number,
  logger: Logger,
): Promise<Labels[]> {
  const out: Labels[] = [];
  const now = Date.now();
  for (const target of pathTargets) {
    const pattern = target.__path__;
    if (!pattern) continue;
    const exclude = target.__path_exclude__ ? globToRegExp(target.__path_exclude__) : undefined;
    let matches: string[];
    try {
      matches = await glob(pattern);
    } catch (err) {
      logger.error({ err, pattern }, 'error expanding glob');
      continue;
    }
    for (const m of matches) {
      if (exclude?.test(m)) continue;
      const abs = resolve(m);
      let st;
      try {
        st = await stat(abs);
      } catch {
        continue;
      }
      if (st.isDirectory()) continue;
      if (ignoreOlderThanMs > 0 && st.mtimeMs < now - ignoreOlderThanMs) continue;
      out.push({ ...target, __path__: abs });
    }
  }
  return out;
}
