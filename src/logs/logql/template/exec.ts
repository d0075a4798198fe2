import { goSprint } from '../../../common/go-fmt.js';
import { argString, type Arg, type Cmd, type Pipe, type TemplateNode } from './parse.js';

/** A template function; it throws `Error` with the Go message when the call fails. */
export type TemplateFunc = (...args: unknown[]) => unknown;

export class TemplateExecError extends Error {}

/** How text/template prints a value: a missing one is `<no value>`, others as fmt.Sprint. */
export function printValue(v: unknown): string {
  return v === undefined || v === null ? '<no value>' : goSprint(v);
}

interface State {
  name: string;
  src: string;
  funcs: ReadonlyMap<string, TemplateFunc>;
  vars: Map<string, unknown>;
}

/** Runs a parsed template over `data` (Loki passes the labels as a map). */
export function executeTemplate(
  name: string,
  src: string,
  nodes: TemplateNode[],
  data: unknown,
  funcs: ReadonlyMap<string, TemplateFunc>,
): string {
  const st: State = { name, src, funcs, vars: new Map([['$', data]]) };
  return walkList(st, nodes, data);
}

function walkList(st: State, nodes: TemplateNode[], dot: unknown): string {
  let out = '';
  for (const n of nodes) {
    switch (n.t) {
      case 'text':
        out += n.text;
        break;
      case 'action': {
        const v = evalPipe(st, n.pipe, dot);
        if (n.pipe.decl.length === 0) out += printValue(v);
        break;
      }
      case 'if':
      case 'with': {
        const v = evalPipe(st, n.pipe, dot);
        if (truth(v)) out += walkList(st, n.list, n.t === 'with' ? v : dot);
        else if (n.else) out += walkList(st, n.else, dot);
        break;
      }
      case 'range': {
        const v = evalPipe(st, n.pipe, dot);
        const items: unknown[] = Array.isArray(v)
          ? v
          : v && typeof v === 'object'
            ? Object.keys(v)
                .sort()
                .map((k) => (v as Record<string, unknown>)[k])
            : [];
        if (items.length === 0) {
          if (n.else) out += walkList(st, n.else, dot);
        } else {
          for (const item of items) out += walkList(st, n.list, item);
        }
        break;
      }
    }
  }
  return out;
}

/** Go's template truth: false, 0, "", nil and empty collections are false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0 || v === 0n) return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

function evalPipe(st: State, pipe: Pipe, dot: unknown): unknown {
  let value: unknown;
  let first = true;
  for (const cmd of pipe.cmds) {
    value = evalCmd(st, cmd, dot, first ? NO_FINAL : value);
    first = false;
  }
  for (const d of pipe.decl) st.vars.set(d, value);
  return value;
}

const NO_FINAL = Symbol('no final');

function evalCmd(st: State, cmd: Cmd, dot: unknown, final: unknown): unknown {
  const [head, ...rest] = cmd.args as [Arg, ...Arg[]];
  if (head.k === 'ident') {
    const fn = st.funcs.get(head.name)!;
    const args = rest.map((a) => evalArg(st, a, dot));
    if (final !== NO_FINAL) args.push(final);
    try {
      return fn(...args);
    } catch (err) {
      throw fail(st, head, `error calling ${head.name}: ${(err as Error).message}`);
    }
  }
  if (rest.length > 0 || final !== NO_FINAL) {
    throw fail(st, head, `can't give argument to non-function ${argString(head)}`);
  }
  return evalArg(st, head, dot);
}

function evalArg(st: State, a: Arg, dot: unknown): unknown {
  switch (a.k) {
    case 'str':
    case 'num':
    case 'bool':
      return a.v;
    case 'nil':
      return undefined;
    case 'dot':
      return dot;
    case 'field':
      return fields(st, a, dot, a.names);
    case 'var': {
      if (!st.vars.has(a.name)) throw fail(st, a, `undefined variable: ${a.name}`);
      return fields(st, a, st.vars.get(a.name), a.fields);
    }
    case 'ident': {
      const fn = st.funcs.get(a.name)!;
      try {
        return fn();
      } catch (err) {
        throw fail(st, a, `error calling ${a.name}: ${(err as Error).message}`);
      }
    }
    case 'pipe':
      return evalPipe(st, a.pipe, dot);
  }
}

function fields(st: State, a: Arg, v: unknown, names: string[]): unknown {
  let cur = v;
  for (const name of names) {
    if (cur === undefined || cur === null) return undefined;
    if (typeof cur !== 'object') {
      throw fail(st, a, `can't evaluate field ${name} in type ${typeof cur}`);
    }
    // Loki runs templates with missingkey=zero: a missing label reads as "".
    cur = Object.hasOwn(cur, name) ? (cur as Record<string, unknown>)[name] : '';
  }
  return cur;
}

function fail(st: State, a: Arg, msg: string): TemplateExecError {
  const before = Buffer.from(st.src, 'utf8').subarray(0, Buffer.byteLength(st.src.slice(0, a.pos)));
  const text = before.toString('utf8');
  const nl = text.lastIndexOf('\n');
  const line = 1 + (text.match(/\n/g)?.length ?? 0);
  const col = nl < 0 ? before.length : before.length - Buffer.byteLength(text.slice(0, nl + 1));
  return new TemplateExecError(
    `template: ${st.name}:${line}:${col}: executing "${st.name}" at <${argString(a)}>: ${msg}`,
  );
}
