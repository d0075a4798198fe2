import type { LabelExtraction } from '../ast.js';
import { scanLogfmt } from '../logfmt-decoder.js';
import { DUPLICATE_SUFFIX, sanitizeLabelKey, type Stage } from './stage.js';

export const LOGFMT_ERROR = 'LogfmtParserErr';

/**
 * `| logfmt [--strict] [--keep-empty]`: every pair becomes a label. Without
 * --strict bad pairs are skipped; with it the first error stops parsing and
 * marks the entry. Bare keys and empty values only with --keep-empty.
 */
export function logfmtStage(strict: boolean, keepEmpty: boolean): Stage {
  return {
    process(_ts, line, lbs) {
      const scan = scanLogfmt(line, strict);
      for (const { key, value } of scan.pairs) {
        if ((value === undefined || value === '') && !keepEmpty) continue;
        let name = sanitizeLabelKey(key, true);
        if (name === '') continue;
        if (lbs.baseHas(name)) name += DUPLICATE_SUFFIX;
        lbs.set(name, value ?? '');
      }
      if (strict && scan.error !== undefined) lbs.setErr(LOGFMT_ERROR, scan.error);
      return line;
    },
  };
}

/** `| logfmt a="key", b`: only the named keys, each label set ("" when absent). */
export function logfmtExpressionStage(params: LabelExtraction[]): Stage {
  const byKey = new Map<string, string>();
  for (const p of params) byKey.set(p.expr, p.name);
  return {
    process(_ts, line, lbs) {
      for (const p of params) if (!lbs.baseHas(p.name)) lbs.set(p.name, '');
      const scan = scanLogfmt(line, false);
      for (const { key, value } of scan.pairs) {
        const id = byKey.get(sanitizeLabelKey(key, true));
        if (id === undefined) continue;
        lbs.set(lbs.baseHas(id) ? id + DUPLICATE_SUFFIX : id, value ?? '');
      }
      return line;
    },
  };
}
