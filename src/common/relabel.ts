import { createHash } from 'node:crypto';
import { compileGoRegexp, expandGoTemplate, type GoRegexp } from './go-regexp.js';
import type { Labels } from './labels.js';

/**
 * Prometheus 2.x relabeling (model/relabel): the rules of `relabel_configs`,
 * `metric_relabel_configs`, `write_relabel_configs`, and Alloy's
 * `discovery.relabel` / `loki.relabel`, with Prometheus's defaults,
 * validation messages and Go regexp semantics.
 */
export type RelabelAction =
  | 'replace'
  | 'keep'
  | 'drop'
  | 'keepequal'
  | 'dropequal'
  | 'hashmod'
  | 'labelmap'
  | 'labeldrop'
  | 'labelkeep'
  | 'lowercase'
  | 'uppercase';

const RELABEL_ACTIONS: readonly RelabelAction[] = [
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
];

/** One rule as written in YAML (snake_case keys); omitted fields take Prometheus's defaults. */
export interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  target_label?: string;
  regex?: string;
  modulus?: number;
  replacement?: string;
  action?: RelabelAction;
}

interface CompiledRule {
  sourceLabels: string[];
  separator: string;
  targetLabel: string;
  regex: GoRegexp;
  /** The regex is the default `(.*)`, which enables Prometheus's fast path. */
  defaultRegex: boolean;
  /** `(.*)` into a literal target as `$1`: the value is copied as is (unless it has a newline, which `.` never matches). */
  plainCopy: boolean;
  modulus: bigint;
  replacement: string;
  action: RelabelAction;
}

export interface CompiledRelabel {
  readonly rules: readonly CompiledRule[];
}

const RELABEL_DEFAULTS = {
  separator: ';',
  regex: '(.*)',
  replacement: '$1',
  action: 'replace',
} as const;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// Prometheus's relabelTarget: label-name characters with $1 / ${name} references.
const RELABEL_TARGET = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

/** Validates and compiles rules; throws an Error with Prometheus's message for a bad rule. */
export function compileRelabel(configs: RelabelConfig[]): CompiledRelabel {
  return { rules: configs.map(compileRule) };
}

/** Fills Prometheus's defaults into one rule, as `/api/v1/status/config` shows it. */
export function withRelabelDefaults(
  c: RelabelConfig,
): Required<Omit<RelabelConfig, 'modulus' | 'source_labels' | 'target_label'>> & RelabelConfig {
  return {
    ...c,
    separator: c.separator ?? RELABEL_DEFAULTS.separator,
    regex: c.regex ?? RELABEL_DEFAULTS.regex,
    replacement: c.replacement ?? RELABEL_DEFAULTS.replacement,
    action: c.action ?? RELABEL_DEFAULTS.action,
  };
}

function compileRule(c: RelabelConfig): CompiledRule {
  const { action: rawAction, replacement, separator, regex: regexSource } = withRelabelDefaults(c);
  const action = String(rawAction).toLowerCase() as RelabelAction;
  if (!RELABEL_ACTIONS.includes(action)) throw new Error(`unknown relabel action "${rawAction}"`);
  const target = c.target_label ?? '';
  const modulus = c.modulus ?? 0;

  if (modulus === 0 && action === 'hashmod') {
    throw new Error('relabel configuration for hashmod requires non-zero modulus');
  }
  const needsTarget = ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'];
  if (needsTarget.includes(action) && target === '') {
    throw new Error(`relabel configuration for ${action} action requires 'target_label' value`);
  }
  const invalidTarget = new Error(`"${target}" is invalid 'target_label' for ${action} action`);
  if (action === 'replace') {
    const ok = target.includes('$') ? RELABEL_TARGET.test(target) : LABEL_NAME.test(target);
    if (!ok) throw invalidTarget;
  }
  const caseOrEqual = ['lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(action);
  if ((caseOrEqual || action === 'hashmod') && !LABEL_NAME.test(target)) throw invalidTarget;
  if (caseOrEqual && replacement !== RELABEL_DEFAULTS.replacement) {
    throw new Error(`'replacement' can not be set for ${action} action`);
  }
  if (action === 'labelmap' && !RELABEL_TARGET.test(replacement)) {
    throw new Error(`"${replacement}" is invalid 'replacement' for ${action} action`);
  }
  if (action === 'keepequal' || action === 'dropequal') {
    if (
      regexSource !== RELABEL_DEFAULTS.regex ||
      modulus !== 0 ||
      separator !== RELABEL_DEFAULTS.separator ||
      replacement !== RELABEL_DEFAULTS.replacement
    ) {
      throw new Error(
        `${action} action requires only 'source_labels' and \`target_label\`, and no other fields`,
      );
    }
  }
  if (action === 'labeldrop' || action === 'labelkeep') {
    if (
      c.source_labels !== undefined ||
      target !== '' ||
      modulus !== 0 ||
      separator !== RELABEL_DEFAULTS.separator ||
      replacement !== RELABEL_DEFAULTS.replacement
    ) {
      throw new Error(`${action} action requires only 'regex', and no other fields`);
    }
  }
  return {
    sourceLabels: c.source_labels ?? [],
    separator,
    targetLabel: target,
    regex: compileGoRegexp(regexSource, { anchored: true }),
    defaultRegex: regexSource === RELABEL_DEFAULTS.regex,
    plainCopy:
      regexSource === RELABEL_DEFAULTS.regex &&
      replacement === RELABEL_DEFAULTS.replacement &&
      !target.includes('$'),
    modulus: BigInt(modulus),
    replacement,
    action,
  };
}

/** Applies the rules in order; returns the new label set (sorted by name), or null when a rule drops it. */
export function relabel(labels: Labels, rules: CompiledRelabel): Labels | null {
  const lb = new Map(Object.entries(labels));
  for (const rule of rules.rules) {
    if (!apply(rule, lb)) return null;
  }
  // Sorted by name, as Prometheus's label sets always are.
  const out: Labels = {};
  for (const name of [...lb.keys()].sort()) out[name] = lb.get(name)!;
  return out;
}

/** Go's labels.Builder.Set: an empty value deletes the label. */
function set(lb: Map<string, string>, name: string, value: string): void {
  if (value === '') lb.delete(name);
  else lb.set(name, value);
}

function apply(rule: CompiledRule, lb: Map<string, string>): boolean {
  let val = '';
  const sources = rule.sourceLabels;
  for (let i = 0; i < sources.length; i++) {
    if (i > 0) val += rule.separator;
    val += lb.get(sources[i]!) ?? '';
  }
  const re = rule.regex.regex;
  switch (rule.action) {
    case 'drop':
      return !re.test(val);
    case 'keep':
      return re.test(val);
    case 'dropequal':
      return (lb.get(rule.targetLabel) ?? '') !== val;
    case 'keepequal':
      return (lb.get(rule.targetLabel) ?? '') === val;
    case 'replace': {
      if (rule.plainCopy) {
        if (!val.includes('\n')) set(lb, rule.targetLabel, val);
        return true;
      }
      if (
        val === '' &&
        rule.defaultRegex &&
        !rule.targetLabel.includes('$') &&
        !rule.replacement.includes('$')
      ) {
        set(lb, rule.targetLabel, rule.replacement);
        return true;
      }
      const m = re.exec(val);
      if (!m) return true;
      const target = expandGoTemplate(rule.targetLabel, m, rule.regex.groupNames);
      if (!LABEL_NAME.test(target)) return true;
      set(lb, target, expandGoTemplate(rule.replacement, m, rule.regex.groupNames));
      return true;
    }
    case 'lowercase':
      set(lb, rule.targetLabel, val.toLowerCase());
      return true;
    case 'uppercase':
      set(lb, rule.targetLabel, val.toUpperCase());
      return true;
    case 'hashmod': {
      // Prometheus takes the last 8 bytes of the MD5 sum as a big-endian uint64.
      const sum = createHash('md5').update(val).digest();
      set(lb, rule.targetLabel, String(sum.readBigUInt64BE(8) % rule.modulus));
      return true;
    }
    case 'labelmap':
      for (const [name, value] of sortedEntries(lb)) {
        const m = re.exec(name);
        if (m) set(lb, expandGoTemplate(rule.replacement, m, rule.regex.groupNames), value);
      }
      return true;
    case 'labeldrop':
      for (const name of lb.keys()) if (re.test(name)) lb.delete(name);
      return true;
    case 'labelkeep':
      for (const name of lb.keys()) if (!re.test(name)) lb.delete(name);
      return true;
  }
}

function sortedEntries(lb: Map<string, string>): [string, string][] {
  return [...lb.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
