/** A label set: name → value. Producers need not sort; consumers canonicalise. */
export type Labels = Record<string, string>;

/** Labels sorted by name, the canonical form used for identity and output. */
export function sortLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const name of Object.keys(labels).sort()) out[name] = labels[name]!;
  return out;
}

/** `{a="1", b="2"}` in Prometheus/Loki notation, names sorted. */
export function formatLabels(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`);
  return `{${parts.join(', ')}}`;
}

export type MatchType = '=' | '!=' | '=~' | '!~';

/** A label matcher as both PromQL and LogQL stream selectors have them. */
export interface LabelMatcher {
  type: MatchType;
  name: string;
  value: string;
}
