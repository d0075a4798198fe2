import type { Labels } from '../../../common/labels.js';

/** One series evaluated at every step of a query; `undefined` where it has no sample. */
export interface StepSeries {
  labels: Labels;
  values: (number | undefined)[];
}

/** What a metric sub-expression evaluates to over the steps. */
export type StepValue =
  { kind: 'vector'; series: StepSeries[] } | { kind: 'scalar'; values: number[] };

/** Identity of a label set: names sorted, values quoted. */
export function labelsKey(labels: Labels): string {
  let out = '';
  for (const name of Object.keys(labels).sort()) out += `${name}=${JSON.stringify(labels[name])},`;
  return out;
}
