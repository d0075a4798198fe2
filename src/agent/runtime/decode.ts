import { parseGoDuration } from '../../common/duration.js';
import type { ArgumentSchema, AttributeSpec, EnumBlock } from '../component.js';
import { exprPos, type Body, type Expr, type Pos } from '../syntax/index.js';
import { EvalError } from './eval-error.js';
import { typeName } from './stdlib.js';

/**
 * Checks a block body against a component's ArgumentSchema and, given an
 * evaluator, turns it into the component's arguments with defaults filled.
 * Without an evaluator it only checks names and presence (the static check
 * `loadAlloyConfig` does before any component exists).
 */
export function decodeBody(
  body: Body,
  schema: ArgumentSchema,
  blockPos: Pos,
  evaluate?: (expr: Expr) => unknown,
): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const stmt of body) {
    if (stmt.type === 'attribute') {
      const spec = schema.attributes[stmt.name];
      if (!spec) throw new EvalError(stmt.pos, `unrecognized attribute name "${stmt.name}"`);
      if (seen.has(stmt.name)) {
        throw new EvalError(stmt.pos, `attribute "${stmt.name}" may only be provided once`);
      }
      seen.add(stmt.name);
      if (evaluate) args[stmt.name] = convert(evaluate(stmt.value), spec, stmt.value);
      continue;
    }
    const block = schema.blocks[stmt.name];
    if (stmt.label !== undefined) {
      throw new EvalError(stmt.pos, `block "${stmt.name}" does not support specifying labels`);
    }
    if (block) {
      const decoded = decodeBody(stmt.body, block.schema, stmt.pos, evaluate);
      if (block.multiple) {
        const list = (args[stmt.name] as unknown[] | undefined) ?? [];
        list.push(decoded);
        args[stmt.name] = list;
      } else {
        if (seen.has(stmt.name)) {
          throw new EvalError(stmt.pos, `block "${stmt.name}" may only be specified once`);
        }
        args[stmt.name] = decoded;
      }
      seen.add(stmt.name);
      continue;
    }
    const dot = stmt.name.lastIndexOf('.');
    const prefix = stmt.name.slice(0, dot);
    const kind = stmt.name.slice(dot + 1);
    const member = dot > 0 ? schema.enums?.[prefix]?.[kind] : undefined;
    if (!member) throw new EvalError(stmt.pos, `unrecognized block name "${stmt.name}"`);
    const list = (args[prefix] as EnumBlock[] | undefined) ?? [];
    list.push({ kind, args: decodeBody(stmt.body, member, stmt.pos, evaluate) });
    args[prefix] = list;
  }
  for (const [name, spec] of Object.entries(schema.attributes)) {
    if (seen.has(name)) continue;
    if (spec.required) throw new EvalError(blockPos, `missing required attribute "${name}"`);
    if (spec.default !== undefined) {
      args[name] = spec.type === 'duration' ? durationMs(spec.default, blockPos) : spec.default;
    }
  }
  for (const [name, spec] of Object.entries(schema.blocks)) {
    if (seen.has(name)) continue;
    if (spec.required) throw new EvalError(blockPos, `missing required block "${name}"`);
    if (spec.multiple) args[name] = [];
  }
  for (const prefix of Object.keys(schema.enums ?? {})) args[prefix] ??= [];
  return args;
}

function convert(value: unknown, spec: AttributeSpec, expr: Expr): unknown {
  const pos = exprPos(expr);
  const fail = (want: string) => {
    throw new EvalError(pos, `expected ${want}, got ${typeName(value)}`);
  };
  switch (spec.type) {
    case 'string':
      return typeof value === 'string' ? value : fail('string');
    case 'number':
      return typeof value === 'number' ? value : fail('number');
    case 'bool':
      return typeof value === 'boolean' ? value : fail('bool');
    case 'duration':
      return typeof value === 'string' ? durationMs(value, pos) : fail('duration');
    case 'list':
      return Array.isArray(value) ? value : fail('array');
    case 'map':
      return typeName(value) === 'object' ? value : fail('object');
    case 'receiver':
      return typeof value === 'object' &&
        value !== null &&
        typeof (value as { send?: unknown }).send === 'function'
        ? value
        : fail('capsule("loki.LogsReceiver")');
    case 'any':
      return value;
  }
}

function durationMs(value: unknown, pos: Pos): number {
  if (typeof value === 'number') return value;
  const ms = parseGoDuration(String(value));
  if (ms === undefined) throw new EvalError(pos, `time: invalid duration "${String(value)}"`);
  return ms;
}
