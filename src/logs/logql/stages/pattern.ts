import { compilePattern, matchPattern, patternCaptureNames } from '../pattern.js';
import { DUPLICATE_SUFFIX, type Stage } from './stage.js';

/** `| pattern "<ip> - <_> ..."`: the captures found become labels. */
export function patternStage(pattern: string): Stage {
  const nodes = compilePattern(pattern);
  const names = patternCaptureNames(nodes);
  return {
    process(_ts, line, lbs) {
      const values = matchPattern(nodes, line);
      for (let i = 0; i < values.length; i++) {
        let name = names[i]!;
        if (lbs.baseHas(name)) name += DUPLICATE_SUFFIX;
        lbs.set(name, values[i]!);
      }
      return line;
    },
  };
}
