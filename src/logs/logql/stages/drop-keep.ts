import type { LabelSelection } from '../ast.js';
import { ERROR_DETAILS_LABEL, ERROR_LABEL, type LabelsBuilder } from '../labels-builder.js';
import { compileLabelMatcher } from '../../../common/label-matcher.js';
import type { Stage } from './stage.js';

type Compiled = { name: string; test?: (v: string) => boolean };

function compile(items: LabelSelection[]): Compiled[] {
  return items.map((it) => ({
    name: it.name,
    ...(it.matcher ? { test: compileLabelMatcher(it.matcher) } : {}),
  }));
}

/** `drop a, b="x"`: removes the labels (the second only when its value matches). */
export function dropStage(items: LabelSelection[]): Stage {
  const compiled = compile(items);
  return {
    process(_ts, line, lbs) {
      for (const it of compiled) {
        const v = lbs.get(it.name);
        if (v === undefined) continue;
        if (it.test === undefined || it.test(v)) {
          lbs.del(it.name);
          // Dropping the error also drops its details, as Loki does.
          if (it.name === ERROR_LABEL) lbs.del(ERROR_DETAILS_LABEL);
        }
      }
      return line;
    },
  };
}

/** `keep a, b="x"`: keeps only the named labels (the second only when its value matches). */
export function keepStage(items: LabelSelection[]): Stage {
  const compiled = compile(items);
  return {
    process(_ts, line, lbs: LabelsBuilder) {
      for (const name of lbs.names()) {
        // Errors survive `keep` so that metric queries still see them.
        if (name === ERROR_LABEL || name === ERROR_DETAILS_LABEL) continue;
        const keep = compiled.some(
          (it) => it.name === name && (it.test === undefined || it.test(lbs.get(name)!)),
        );
        if (!keep) lbs.del(name);
      }
      return line;
    },
  };
}
