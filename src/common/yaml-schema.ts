import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ConfigError } from './config-error.js';
import { parseGoDuration, parsePromDuration } from './duration.js';

/**
 * A small schema language for the real systems' YAML files, so that every
 * unknown, misplaced or mistyped key is reported with its file and line, as
 * Loki and Prometheus refuse them (their Go structs are strict).
 */
export type YamlSchema =
  | { type: 'object'; fields: Record<string, YamlSchema>; values?: undefined }
  | { type: 'map'; values: YamlSchema }
  | { type: 'list'; items: YamlSchema }
  | { type: 'string' | 'bool' | 'int' | 'number' | 'any' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'duration'; style: 'go' | 'prometheus' };

export interface YamlSource {
  file: string;
  text: string;
}

/** Parses and validates one YAML file; returns the plain value. */
export function loadYaml(source: YamlSource, schema: YamlSchema): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source.text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = err.linePos?.[0]?.line;
    throw new ConfigError(
      source.file,
      line,
      undefined,
      `invalid YAML: ${err.message.split('\n')[0]}`,
      'fix the YAML syntax at that line',
    );
  }
  const lineOf = (node: Node | null | undefined): number | undefined =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  validate(doc.contents as Node | null, schema, '', source.file, lineOf);
  return doc.toJS() ?? {};
}

function validate(
  node: Node | null,
  schema: YamlSchema,
  path: string,
  file: string,
  lineOf: (node: Node | null | undefined) => number | undefined,
): void {
  if (node === null || (isScalar(node) && node.value === null)) return;
  const fail = (problem: string, fix?: string): never => {
    throw new ConfigError(file, lineOf(node), path || '(top level)', problem, fix);
  };
  switch (schema.type) {
    case 'any':
      return;
    case 'object':
    case 'map': {
      if (!isMap(node)) fail('expected a mapping of keys to values');
      for (const pair of (node as import('yaml').YAMLMap).items) {
        const keyNode = pair.key as Node;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const childPath = path ? `${path}.${key}` : key;
        let child: YamlSchema | undefined;
        if (schema.type === 'map') child = schema.values;
        else child = schema.fields[key];
        if (!child) {
          throw new ConfigError(
            file,
            lineOf(keyNode),
            childPath,
            `unknown key "${key}"`,
            unknownKeyFix(key, schema.type === 'object' ? Object.keys(schema.fields) : []),
          );
        }
        validate(pair.value as Node | null, child, childPath, file, lineOf);
      }
      return;
    }
    case 'list':
      if (!isSeq(node)) fail('expected a list');
      (node as import('yaml').YAMLSeq).items.forEach((item, i) =>
        validate(item as Node, schema.items, `${path}[${i}]`, file, lineOf),
      );
      return;
    default: {
      if (!isScalar(node)) fail(`expected a ${schema.type}`);
      const value = (node as import('yaml').Scalar).value;
      if (schema.type === 'string') {
        if (typeof value === 'object') fail('expected a string');
      } else if (schema.type === 'bool') {
        if (typeof value !== 'boolean')
          fail(`expected true or false, got ${JSON.stringify(value)}`);
      } else if (schema.type === 'int') {
        if (typeof value !== 'number' || !Number.isInteger(value))
          fail(`expected an integer, got ${JSON.stringify(value)}`);
      } else if (schema.type === 'number') {
        if (typeof value !== 'number') fail(`expected a number, got ${JSON.stringify(value)}`);
      } else if (schema.type === 'enum') {
        if (!schema.values.includes(String(value)))
          fail(`expected one of ${schema.values.join(', ')}, got ${JSON.stringify(value)}`);
      } else if (schema.type === 'duration') {
        const parse = schema.style === 'go' ? parseGoDuration : parsePromDuration;
        if (parse(String(value)) === undefined)
          fail(
            `not a valid duration: ${JSON.stringify(value)}`,
            schema.style === 'go'
              ? 'use a Go duration such as 720h or 10m'
              : 'use a Prometheus duration such as 15s, 5m or 15d',
          );
      }
    }
  }
}

/** "did you mean" the nearest valid key, else the valid keys when they are few. */
function unknownKeyFix(key: string, valid: string[]): string {
  const nearest = valid
    .map((name) => ({ name, d: editDistance(key, name) }))
    .sort((a, b) => a.d - b.d)[0];
  if (nearest && nearest.d <= Math.max(2, Math.floor(key.length / 4))) {
    return `did you mean "${nearest.name}"? Otherwise remove the key`;
  }
  if (valid.length > 0 && valid.length <= 15) {
    return `remove it or correct its spelling; valid keys here: ${valid.join(', ')}`;
  }
  return "remove it or correct its spelling (see the reference of this file's format)";
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length]!;
}
