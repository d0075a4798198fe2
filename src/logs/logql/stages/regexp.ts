import { compileGoRegexp } from '../../../common/go-regexp.js';
import { LogqlParseError } from '../errors.js';
import { DUPLICATE_SUFFIX, sanitizeLabelKey, type Stage } from './stage.js';

/** `| regexp "(?P<name>...)"`: named captures become labels; a line that does not match is kept. */
export function regexpStage(pattern: string): Stage {
  let compiled;
  try {
    compiled = compileGoRegexp(pattern);
  } catch (err) {
    throw new LogqlParseError((err as Error).message);
  }
  const names = compiled.groupNames;
  if (!names.some((n) => n !== undefined)) {
    throw new LogqlParseError('invalid regexp parser: at least one named capture must be supplied');
  }
  const re = compiled.regex;
  return {
    process(_ts, line, lbs) {
      const m = re.exec(line);
      if (!m) return line;
      for (let i = 1; i < names.length; i++) {
        const name = names[i];
        if (name === undefined) continue;
        let key = sanitizeLabelKey(name, true);
        if (lbs.baseHas(key)) key += DUPLICATE_SUFFIX;
        lbs.set(key, m[i] ?? '');
      }
      return line;
    },
  };
}
