import type { LabelExtraction } from '../ast.js';
import { LogqlParseError } from '../errors.js';
import {
  JsonScanError,
  scanJsonObject,
  scanJsonValue,
  unescapeJson,
  type JsonNode,
} from '../json-scan.js';
import type { LabelsBuilder } from '../labels-builder.js';
import { DUPLICATE_SUFFIX, sanitizeLabelKey, type Stage } from './stage.js';

export const JSON_ERROR = 'JSONParserErr';

/** `| json`: every scalar of the object becomes a label, nested keys joined with `_`. */
export function jsonStage(hints?: ReadonlySet<string>): Stage {
  return {
    process(_ts, line, lbs) {
      let root: JsonNode & { type: 'object' };
      try {
        root = scanJsonObject(line);
      } catch (err) {
        lbs.setErr(JSON_ERROR, (err as Error).message);
        return line;
      }
      walk(root, '', lbs, hints);
      return line;
    },
  };
}

function walk(
  obj: JsonNode & { type: 'object' },
  prefix: string,
  lbs: LabelsBuilder,
  hints: ReadonlySet<string> | undefined,
): void {
  for (const [key, value] of obj.entries) {
    const name =
      prefix === '' ? sanitizeLabelKey(key, true) : `${prefix}_${sanitizeLabelKey(key, false)}`;
    switch (value.type) {
      case 'object':
        walk(value, name, lbs, hints);
        break;
      case 'string':
      case 'number':
      case 'boolean': {
        const label = lbs.baseHas(name) ? name + DUPLICATE_SUFFIX : name;
        if (hints !== undefined && !hints.has(label)) break;
        lbs.set(label, value.type === 'string' ? unescapeJson(value.raw) : value.raw);
        break;
      }
      default:
        break;
    }
  }
}

type PathPart = string | number;

/** `| json a="x.y[0]", b`: the selected values; objects and arrays keep their JSON text. */
export function jsonExpressionStage(params: LabelExtraction[]): Stage {
  const paths = params.map((p) => ({ name: p.name, path: parseJsonPath(p.expr) }));
  return {
    process(_ts, line, lbs) {
      if (line.length === 0) return line;
      const first = line[0];
      if (first !== '"' && first !== '{' && first !== '[') {
        lbs.setErr(JSON_ERROR);
        return line;
      }
      let root: JsonNode;
      try {
        root = scanJsonValue(line);
      } catch (err) {
        if (!(err instanceof JsonScanError)) throw err;
        lbs.setErr(JSON_ERROR);
        return line;
      }
      for (const { name, path } of paths) {
        const node = lookup(root, path);
        if (node === undefined) {
          if (lbs.get(name) === undefined) lbs.set(name, '');
          continue;
        }
        const label = lbs.baseHas(name) ? name + DUPLICATE_SUFFIX : name;
        lbs.set(
          label,
          node.type === 'null' ? '' : node.type === 'string' ? unescapeJson(node.raw) : node.raw,
        );
      }
      return line;
    },
  };
}

function lookup(root: JsonNode, path: PathPart[]): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const part of path) {
    if (node === undefined) return undefined;
    if (typeof part === 'number') {
      node = node.type === 'array' ? node.items[part] : undefined;
    } else {
      node = node.type === 'object' ? findLast(node.entries, part) : undefined;
    }
  }
  return node;
}

function findLast(entries: [string, JsonNode][], key: string): JsonNode | undefined {
  for (const [k, v] of entries) if (k === key) return v;
  return undefined;
}

/** Loki's jsonexpr: `a.b`, `a[0]`, `["a.b"]`, `a["b"][1]`. */
function parseJsonPath(expr: string): PathPart[] {
  const parts: PathPart[] = [];
  const re = /\s*(?:\.?([a-zA-Z_][a-zA-Z0-9_-]*)|\[\s*(\d+)\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\])/y;
  let at = 0;
  while (at < expr.length) {
    re.lastIndex = at;
    const m = re.exec(expr);
    if (!m || m[0].length === 0) {
      throw new LogqlParseError(`cannot parse expression [${expr}]: syntax error`);
    }
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else parts.push(unescapeJson(m[3]!));
    at = re.lastIndex;
  }
  return parts;
}
