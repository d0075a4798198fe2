import type { LabelExtraction } from '../ast.js';
import { findLogfmtValues, forEachLogfmtPair, isPlainLogfmtKey } from '../logfmt-decoder.js';
import { DUPLICATE_SUFFIX, sanitizeLabelKey, type Stage } from './stage.js';

const LOGFMT_ERROR = 'LogfmtParserErr';

/** Raw key → label name, remembered per stage as Loki interns them. */
function keyCache(): (key: string) => string {
  const cache = new Map<string, string>();
  return (key) => {
    let name = cache.get(key);
    if (name === undefined) {
      name = sanitizeLabelKey(key, true);
      if (cache.size < 10000) cache.set(key, name);
    }
    return name;
  };
}

/**
 * `| logfmt [--strict] [--keep-empty]`: every pair becomes a label. Without
 * --strict bad pairs are skipped; with it the first error stops parsing and
 * marks the entry. Bare keys and empty values only with --keep-empty.
 * `hints`, when given, are the only labels the query reads (Loki's parser
 * hints): the others are not extracted.
 */
export function logfmtStage(
  strict: boolean,
  keepEmpty: boolean,
  hints?: ReadonlySet<string>,
): Stage {
  const sanitize = keyCache();
  const direct = hints !== undefined && !strict && [...hints].every(isPlainLogfmtKey);
  const wanted = direct ? [...hints!] : [];
  return {
    process(_ts, line, lbs) {
      if (direct && !wanted.some((name) => lbs.baseHas(name))) {
        // Few labels wanted and none clashes with the stream's: look them up directly.
        const values = findLogfmtValues(line, wanted);
        for (let i = 0; i < wanted.length; i++) {
          const v = values[i];
          if (v !== undefined && (v !== '' || keepEmpty)) lbs.set(wanted[i]!, v);
        }
        return line;
      }
      const error = forEachLogfmtPair(line, strict, (key, value) => {
        if ((value === undefined || value === '') && !keepEmpty) return;
        let name = sanitize(key);
        if (name === '') return;
        if (lbs.baseHas(name)) name += DUPLICATE_SUFFIX;
        if (hints !== undefined && !hints.has(name)) return;
        lbs.set(name, value ?? '');
      });
      if (strict && error !== undefined) lbs.setErr(LOGFMT_ERROR, error);
      return line;
    },
  };
}

/** `| logfmt a="key", b`: only the named keys, each label set ("" when absent). */
export function logfmtExpressionStage(params: LabelExtraction[]): Stage {
  const byKey = new Map<string, string>();
  for (const p of params) byKey.set(p.expr, p.name);
  const sanitize = keyCache();
  return {
    process(_ts, line, lbs) {
      for (const p of params) if (!lbs.baseHas(p.name)) lbs.set(p.name, '');
      forEachLogfmtPair(line, false, (key, value) => {
        const id = byKey.get(sanitize(key));
        if (id === undefined) return;
        lbs.set(lbs.baseHas(id) ? id + DUPLICATE_SUFFIX : id, value ?? '');
      });
      return line;
    },
  };
}
