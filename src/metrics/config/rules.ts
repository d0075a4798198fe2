import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../common/config-error.js';
import { loadYaml, type YamlSchema } from '../../common/yaml-schema.js';
import { parsePromQL } from '../promql/index.js';
import { expandGlob } from './load.js';
import { lineOfPath } from './locate.js';

/** A recording or alerting rule as written in a rule file. */
export interface RuleConfig {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroupConfig {
  name: string;
  interval?: string;
  query_offset?: string;
  limit?: number;
  labels?: Record<string, string>;
  rules: RuleConfig[];
  /** The file the group came from. */
  file: string;
}

const str: YamlSchema = { type: 'string' };
const duration: YamlSchema = { type: 'duration', style: 'prometheus' };
const stringMap: YamlSchema = { type: 'map', values: str };

const RULES_SCHEMA: YamlSchema = {
  type: 'object',
  fields: {
    groups: {
      type: 'list',
      items: {
        type: 'object',
        fields: {
          name: str,
          interval: duration,
          query_offset: duration,
          limit: { type: 'int' },
          labels: stringMap,
          rules: {
            type: 'list',
            items: {
              type: 'object',
              fields: {
                record: str,
                alert: str,
                expr: str,
                for: duration,
                keep_firing_for: duration,
                labels: stringMap,
                annotations: stringMap,
              },
            },
          },
        },
      },
    },
  },
};

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Reads every rule file the config names (globs expanded) and validates it
 * as Prometheus's rulefmt does: strict keys, unique group names, one of
 * record/alert, a parseable expr, no alert-only fields on recording rules,
 * valid names. The first problem is a ConfigError with file and line.
 */
export async function loadRuleFiles(patterns: readonly string[]): Promise<RuleGroupConfig[]> {
  const groups: RuleGroupConfig[] = [];
  for (const pattern of patterns) {
    for (const file of expandGlob(pattern)) {
      groups.push(...parseRuleFile(await readFile(file, 'utf8'), file));
    }
  }
  return groups;
}

export function parseRuleFile(text: string, file: string): RuleGroupConfig[] {
  const raw = loadYaml({ file, text }, RULES_SCHEMA) as { groups?: Record<string, any>[] };
  const fail = (path: (string | number)[], problem: string, fix?: string): never => {
    throw new ConfigError(file, lineOfPath(text, path), pathKey(path), problem, fix);
  };
  const names = new Set<string>();
  return (raw.groups ?? []).map((g, j) => {
    const at = ['groups', j];
    const name = g.name === undefined || g.name === null ? '' : String(g.name);
    if (name === '') fail(at, 'Groupname must not be empty');
    if (names.has(name)) fail(at, `groupname: "${name}" is repeated in the same file`);
    names.add(name);
    for (const label of Object.keys(g.labels ?? {})) {
      if (!LABEL_NAME.test(label) || label === '__name__')
        fail([...at, 'labels', label], `invalid label name: ${label}`);
    }
    const rules: RuleConfig[] = (g.rules ?? []).map((r: Record<string, any>, i: number) => {
      const rat = [...at, 'rules', i];
      const ruleName = String(r.alert ?? r.record ?? '');
      const where = `group "${name}", rule ${i + 1}, "${ruleName}"`;
      const bad = (path: (string | number)[], problem: string): never =>
        fail(path, `${where}: ${problem}`);
      const record = r.record === undefined ? '' : String(r.record);
      const alert = r.alert === undefined ? '' : String(r.alert);
      if (record !== '' && alert !== '')
        bad([...rat, 'record'], "only one of 'record' and 'alert' must be set");
      if (record === '' && alert === '') bad(rat, "one of 'record' or 'alert' must be set");
      const expr = r.expr === undefined || r.expr === null ? '' : String(r.expr);
      if (expr === '') bad(rat, "field 'expr' must be set in rule");
      try {
        parsePromQL(expr);
      } catch (err) {
        bad([...rat, 'expr'], `could not parse expression: ${(err as Error).message}`);
      }
      if (record !== '') {
        if (Object.keys(r.annotations ?? {}).length > 0) {
          bad([...rat, 'record'], "invalid field 'annotations' in recording rule");
        }
        if (r.for !== undefined && r.for !== '0s' && r.for !== '0') {
          bad([...rat, 'record'], "invalid field 'for' in recording rule");
        }
        if (
          r.keep_firing_for !== undefined &&
          r.keep_firing_for !== '0s' &&
          r.keep_firing_for !== '0'
        ) {
          bad([...rat, 'record'], "invalid field 'keep_firing_for' in recording rule");
        }
        if (!METRIC_NAME.test(record))
          bad([...rat, 'record'], `invalid recording rule name: ${record}`);
      }
      for (const label of Object.keys(r.labels ?? {})) {
        if (!LABEL_NAME.test(label) || label === '__name__')
          bad([...rat, 'labels', label], `invalid label name: ${label}`);
      }
      for (const key of Object.keys(r.annotations ?? {})) {
        if (!LABEL_NAME.test(key))
          bad([...rat, 'annotations', key], `invalid annotation name: ${key}`);
      }
      const rule: RuleConfig = { expr };
      if (record !== '') rule.record = record;
      if (alert !== '') rule.alert = alert;
      for (const key of ['for', 'keep_firing_for', 'labels', 'annotations'] as const) {
        if (r[key] !== undefined) (rule as any)[key] = r[key];
      }
      return rule;
    });
    const out: RuleGroupConfig = { name, rules, file };
    for (const key of ['interval', 'query_offset', 'limit', 'labels'] as const) {
      if (g[key] !== undefined) (out as any)[key] = g[key];
    }
    return out;
  });
}

function pathKey(path: (string | number)[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
}
