import type { ComponentDefinition } from '../component.js';
import { referencePath, type Block, type Body, type Expr } from '../syntax/index.js';
import { EvalError } from './eval-error.js';

/** One component block of the config, with the components it references. */
export interface ComponentNode {
  /** `loki.source.file.logs`. */
  id: string;
  block: Block;
  definition: ComponentDefinition;
  /** Ids of the components whose exports its arguments use. */
  deps: Set<string>;
}

/** Top-level blocks that configure Alloy itself rather than declare a component. */
export const CONFIG_BLOCKS = new Set(['logging', 'livedebugging']);

/**
 * The component graph of a config: every top-level block that is not a
 * config block is a component of a known type with a unique label; edges
 * come from references in its arguments. Returned in topological order so
 * that each component is built after those it references.
 */
export function buildGraph(
  body: Body,
  registry: ReadonlyMap<string, ComponentDefinition>,
  globals: ReadonlySet<string>,
): ComponentNode[] {
  const nodes = new Map<string, ComponentNode>();
  for (const stmt of body) {
    if (stmt.type === 'attribute') {
      throw new EvalError(stmt.pos, `unrecognized attribute name "${stmt.name}"`);
    }
    if (CONFIG_BLOCKS.has(stmt.name)) continue;
    const definition = registry.get(stmt.name);
    if (!definition) throw new EvalError(stmt.pos, `unrecognized block name "${stmt.name}"`);
    if (!stmt.label) throw new EvalError(stmt.pos, `component "${stmt.name}" must have a label`);
    const id = `${stmt.name}.${stmt.label}`;
    if (nodes.has(id)) {
      throw new EvalError(stmt.pos, `block ${id} already declared`);
    }
    nodes.set(id, { id, block: stmt, definition, deps: new Set() });
  }
  for (const node of nodes.values()) {
    for (const { path, expr } of references(node.block.body)) {
      if (globals.has(path[0]!)) continue;
      let found: string | undefined;
      for (let k = path.length; k >= 2 && !found; k--) {
        const candidate = path.slice(0, k).join('.');
        if (nodes.has(candidate)) found = candidate;
      }
      if (!found) {
        throw new EvalError(
          expr.pos,
          `component "${path.join('.')}" does not exist or is out of scope`,
        );
      }
      if (found === node.id) {
        throw new EvalError(expr.pos, `component ${node.id} references itself`);
      }
      node.deps.add(found);
    }
  }
  return topologicalOrder(nodes);
}

function topologicalOrder(nodes: Map<string, ComponentNode>): ComponentNode[] {
  const order: ComponentNode[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: ComponentNode, stack: string[]) => {
    const s = state.get(node.id);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(node.id)), node.id];
      throw new EvalError(node.block.pos, `cycle detected: ${cycle.join(' -> ')}`);
    }
    state.set(node.id, 'visiting');
    for (const dep of node.deps) visit(nodes.get(dep)!, [...stack, node.id]);
    state.set(node.id, 'done');
    order.push(node);
  };
  for (const node of nodes.values()) visit(node, []);
  return order;
}

/** Every identifier path (`loki.write.default.receiver`, `sys.env`) used in a body. */
function references(body: Body): { path: string[]; expr: Expr }[] {
  const out: { path: string[]; expr: Expr }[] = [];
  const walk = (e: Expr): void => {
    const path = referencePath(e);
    if (path) {
      out.push({ path, expr: e.type === 'access' ? rootOf(e) : e });
      return;
    }
    switch (e.type) {
      case 'access':
      case 'unary':
        walk(e.value);
        break;
      case 'index':
        walk(e.value);
        walk(e.index);
        break;
      case 'call':
        walk(e.fn);
        e.args.forEach(walk);
        break;
      case 'array':
        e.elements.forEach(walk);
        break;
      case 'object':
        for (const f of e.fields) walk(f.value);
        break;
      case 'binary':
        walk(e.left);
        walk(e.right);
        break;
      case 'paren':
        walk(e.inner);
        break;
    }
  };
  const walkBody = (b: Body) => {
    for (const s of b) {
      if (s.type === 'attribute') walk(s.value);
      else walkBody(s.body);
    }
  };
  walkBody(body);
  return out;
}

function rootOf(e: Expr): Expr {
  return e.type === 'access' ? rootOf(e.value) : e;
}
