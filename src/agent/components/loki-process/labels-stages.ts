import {
  LABEL_NAME,
  extractedString,
  mapLabels,
  ownLabels,
  perEntry,
  type Stage,
} from './stage.js';

type ValueMap = Record<string, string | null>;

/** `stage.static_labels { values = { env = "sandbox" } }`. */
export function staticLabelsStage(args: { values: ValueMap }): Stage {
  const values = Object.entries(args.values).filter(
    (kv): kv is [string, string] => typeof kv[1] === 'string',
  );
  for (const [name] of values) checkLabelName(name);
  return mapLabels((labels) => {
    for (const [name, value] of values) labels[name] = value;
  });
}

/** `stage.labels { values = { level = "", app = "application" } }`: extracted values to labels. */
export function labelsStage(args: { values: ValueMap }): Stage {
  const pairs = sourcePairs(args.values);
  return perEntry((e) => {
    for (const [name, source] of pairs) {
      const v = extractedString(e.extracted[source]);
      if (v !== undefined && v !== '') ownLabels(e)[name] = v;
    }
    return true;
  });
}

/** `stage.structured_metadata { values = { trace_id = "" } }`: extracted values to metadata. */
export function structuredMetadataStage(args: { values: ValueMap }): Stage {
  const pairs = sourcePairs(args.values);
  return perEntry((e) => {
    for (const [name, source] of pairs) {
      const v = extractedString(e.extracted[source]);
      if (v !== undefined && v !== '') e.metadata[name] = v;
    }
    return true;
  });
}

/** `stage.label_drop { values = ["filename"] }`. */
export function labelDropStage(args: { values: string[] }): Stage {
  return mapLabels((labels) => {
    for (const name of args.values) delete labels[name];
  });
}

/** `stage.label_keep { values = ["job", "env"] }`. */
export function labelKeepStage(args: { values: string[] }): Stage {
  const keep = new Set(args.values);
  return mapLabels((labels) => {
    for (const name of Object.keys(labels)) if (!keep.has(name)) delete labels[name];
  });
}

/** Label name → extracted key; an empty or null source means the same name. */
function sourcePairs(values: ValueMap): [string, string][] {
  return Object.entries(values).map(([name, source]) => {
    checkLabelName(name);
    return [name, source === null || source === '' ? name : source];
  });
}

function checkLabelName(name: string): void {
  if (!LABEL_NAME.test(name)) throw new Error(`invalid label name: ${name}`);
}
