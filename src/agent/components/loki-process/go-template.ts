import { createHash } from 'node:crypto';
import { compileGoRegexp, expandGoTemplate } from '../../../common/go-regexp.js';
import { goSprintf } from '../../runtime/index.js';
import { goUnquote } from '../../../common/go-unquote.js';

/**
 * The part of Go's text/template that `stage.template` configs use:
 * `{{ .Field }}`, pipes, `if`/`else if`/`else`/`end`, `{{-`/`-}}` trimming,
 * comparisons and logic (eq, ne, lt, and, or, not, len, index, printf), and
 * the functions Promtail and Alloy add (ToLower, ToUpper, Replace, Trim*,
 * Hash, Sha2Hash, regexReplaceAll) with Sprig's common string functions.
 */
export type GoTemplate = (data: Record<string, unknown>) => string;

type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: Cmd[] }
  | { t: 'if'; branches: { cond: Cmd[]; body: Node[] }[]; otherwise: Node[] };

type Arg =
  | { t: 'field'; path: string[] }
  | { t: 'lit'; value: unknown }
  | { t: 'fn'; name: string }
  | { t: 'pipe'; pipe: Cmd[] };

type Cmd = Arg[];

type Fn = (...args: unknown[]) => unknown;

export function compileGoTemplate(src: string): GoTemplate {
  const tokens = splitActions(src);
  let k = 0;
  const parseList = (ends: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (k < tokens.length) {
      const tok = tokens[k++]!;
      if (tok.kind === 'text') {
        nodes.push({ t: 'text', text: tok.text });
        continue;
      }
      const body = tok.text.trim();
      if (body.startsWith('/*')) continue;
      const word = /^(\w+)/.exec(body)?.[1];
      if (word === 'end' || word === 'else') {
        if (!ends.includes(word)) throw new Error(`template: unexpected {{${word}}}`);
        return { nodes, end: body };
      }
      if (word === 'if') {
        const branches: { cond: Cmd[]; body: Node[] }[] = [];
        let cond = parsePipeline(body.slice(2));
        let otherwise: Node[] = [];
        for (;;) {
          const r = parseList(['end', 'else']);
          branches.push({ cond, body: r.nodes });
          if (r.end === 'end') break;
          const rest = r.end.slice(4).trim();
          if (rest.startsWith('if ')) {
            cond = parsePipeline(rest.slice(3));
            continue;
          }
          const last = parseList(['end']);
          otherwise = last.nodes;
          break;
        }
        nodes.push({ t: 'if', branches, otherwise });
        continue;
      }
      if (word === 'range' || word === 'with' || word === 'define' || word === 'template') {
        throw new Error(`template: {{${word}}} is not supported`);
      }
      nodes.push({ t: 'action', pipe: parsePipeline(body) });
    }
    if (ends.length > 0) throw new Error('template: unexpected EOF');
    return { nodes, end: '' };
  };
  const root = parseList([]).nodes;
  return (data) => render(root, data);
}

function splitActions(src: string): { kind: 'text' | 'action'; text: string }[] {
  const out: { kind: 'text' | 'action'; text: string }[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push({ kind: 'text', text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src[start] === '-' && /\s/.test(src[start + 1] ?? '')) {
      text = text.trimEnd();
      start++;
    }
    const close = src.indexOf('}}', start);
    if (close < 0) throw new Error('template: unclosed action');
    let end = close;
    let next = close + 2;
    if (src[close - 1] === '-' && /\s/.test(src[close - 2] ?? '')) {
      end = close - 1;
      while (next < src.length && /\s/.test(src[next]!)) next++;
    }
    if (text) out.push({ kind: 'text', text });
    out.push({ kind: 'action', text: src.slice(start, end) });
    i = next;
  }
  return out;
}

function parsePipeline(src: string): Cmd[] {
  let i = 0;
  const parseCmds = (closing: string | undefined): Cmd[] => {
    const cmds: Cmd[] = [];
    let cmd: Cmd = [];
    for (;;) {
      while (i < src.length && /\s/.test(src[i]!)) i++;
      const c = src[i];
      if (c === undefined || c === closing) {
        if (c !== undefined) i++;
        else if (closing) throw new Error('template: unclosed left paren');
        if (cmd.length === 0) throw new Error('template: missing value for command');
        cmds.push(cmd);
        return cmds;
      }
      if (c === '|') {
        if (cmd.length === 0) throw new Error('template: missing value for command');
        cmds.push(cmd);
        cmd = [];
        i++;
        continue;
      }
      if (c === '(') {
        i++;
        cmd.push({ t: 'pipe', pipe: parseCmds(')') });
        continue;
      }
      if (c === '"' || c === '`') {
        let j = i + 1;
        while (j < src.length && src[j] !== c) j += src[j] === '\\' && c === '"' ? 2 : 1;
        const lit = src.slice(i, j + 1);
        const v = goUnquote(lit);
        if ('error' in v) throw new Error(`template: ${v.error}`);
        cmd.push({ t: 'lit', value: v.value });
        i = j + 1;
        continue;
      }
      const m = /^(?:\$|\.[\w.]*|-?\d+(?:\.\d+)?|\w+)/.exec(src.slice(i));
      if (!m) throw new Error(`template: unexpected ${JSON.stringify(c)} in command`);
      const w = m[0];
      i += w.length;
      if (w === '.' || w === '$') cmd.push({ t: 'field', path: [] });
      else if (w.startsWith('.')) cmd.push({ t: 'field', path: w.slice(1).split('.') });
      else if (/^-?\d/.test(w)) cmd.push({ t: 'lit', value: Number(w) });
      else if (w === 'true' || w === 'false') cmd.push({ t: 'lit', value: w === 'true' });
      else if (w === 'nil') cmd.push({ t: 'lit', value: null });
      else if (Object.hasOwn(FUNCS, w)) cmd.push({ t: 'fn', name: w });
      else throw new Error(`template: function "${w}" not defined`);
    }
  };
  return parseCmds(undefined);
}

function render(nodes: Node[], data: Record<string, unknown>): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.text;
    else if (n.t === 'action') out += printValue(runPipe(n.pipe, data));
    else {
      const branch = n.branches.find((b) => truthy(runPipe(b.cond, data)));
      out += render(branch ? branch.body : n.otherwise, data);
    }
  }
  return out;
}

function runPipe(pipe: Cmd[], data: Record<string, unknown>): unknown {
  let prev: unknown;
  pipe.forEach((cmd, idx) => {
    const [head, ...rest] = cmd;
    const args = rest.map((a) => evalArg(a, data));
    if (idx > 0) args.push(prev);
    if (head!.t === 'fn') prev = FUNCS[head!.name]!(...args);
    else {
      if (args.length > 0) throw new Error(`template: can't give argument to non-function`);
      prev = evalArg(head!, data);
    }
  });
  return prev;
}

function evalArg(a: Arg, data: Record<string, unknown>): unknown {
  switch (a.t) {
    case 'lit':
      return a.value;
    case 'pipe':
      return runPipe(a.pipe, data);
    case 'fn':
      return FUNCS[a.name]!();
    case 'field': {
      let at: unknown = data;
      for (const p of a.path) {
        if (at === null || typeof at !== 'object') return undefined;
        at = (at as Record<string, unknown>)[p];
      }
      return at;
    }
  }
}

function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function printValue(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const s = (v: unknown): string => (v === undefined || v === null ? '' : printValue(v));
const cmp = (a: unknown, b: unknown): number =>
  typeof a === 'number' && typeof b === 'number' ? a - b : s(a) < s(b) ? -1 : s(a) > s(b) ? 1 : 0;
const trimSet = (v: string, cut: string, left: boolean, right: boolean) => {
  const set = new Set(cut);
  let a = 0;
  let b = v.length;
  while (left && a < b && set.has(v[a]!)) a++;
  while (right && b > a && set.has(v[b - 1]!)) b--;
  return v.slice(a, b);
};
const regexReplace = (literal: boolean) => (re: unknown, src: unknown, repl: unknown) => {
  const r = compileGoRegexp(s(re));
  const g = new RegExp(r.regex.source, r.regex.flags + 'g');
  const text = s(src);
  let out = '';
  let last = 0;
  for (let m = g.exec(text); m; m = g.exec(text)) {
    out += text.slice(last, m.index);
    out += literal ? s(repl) : expandGoTemplate(s(repl), m, r.groupNames);
    last = m.index + m[0].length;
    if (m[0].length === 0) g.lastIndex++;
  }
  return out + text.slice(last);
};

const FUNCS: Record<string, Fn> = {
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => cmp(a, b) < 0,
  le: (a, b) => cmp(a, b) <= 0,
  gt: (a, b) => cmp(a, b) > 0,
  ge: (a, b) => cmp(a, b) >= 0,
  and: (...a) => a.find((v) => !truthy(v)) ?? a[a.length - 1],
  or: (...a) => a.find((v) => truthy(v)) ?? a[a.length - 1],
  not: (a) => !truthy(a),
  len: (a) => (typeof a === 'string' || Array.isArray(a) ? a.length : Object.keys(a ?? {}).length),
  index: (a, k) => (a as Record<string, unknown>)?.[k as string],
  print: (...a) => a.map(s).join(''),
  printf: (f, ...a) => goSprintf(s(f), a),
  ToLower: (v) => s(v).toLowerCase(),
  ToUpper: (v) => s(v).toUpperCase(),
  Replace: (v, o, n, count) => {
    let out = s(v);
    const c = Number(count ?? -1);
    if (c < 0) return out.replaceAll(s(o), s(n));
    for (let k = 0; k < c; k++) out = out.replace(s(o), s(n));
    return out;
  },
  Trim: (v, cut) => trimSet(s(v), s(cut), true, true),
  TrimLeft: (v, cut) => trimSet(s(v), s(cut), true, false),
  TrimRight: (v, cut) => trimSet(s(v), s(cut), false, true),
  TrimPrefix: (v, p) => (s(v).startsWith(s(p)) ? s(v).slice(s(p).length) : s(v)),
  TrimSuffix: (v, p) => (s(p) && s(v).endsWith(s(p)) ? s(v).slice(0, -s(p).length) : s(v)),
  TrimSpace: (v) => s(v).trim(),
  Hash: (a, b) =>
    createHash('sha3-256')
      .update(s(a) + s(b))
      .digest('hex'),
  Sha2Hash: (a, b) =>
    createHash('sha256')
      .update(s(a) + s(b))
      .digest('hex'),
  regexReplaceAll: regexReplace(false),
  regexReplaceAllLiteral: regexReplace(true),
  lower: (v) => s(v).toLowerCase(),
  upper: (v) => s(v).toUpperCase(),
  title: (v) => s(v).replace(/\b\w/g, (c) => c.toUpperCase()),
  trim: (v) => s(v).trim(),
  trimAll: (cut, v) => trimSet(s(v), s(cut), true, true),
  trimPrefix: (p, v) => (s(v).startsWith(s(p)) ? s(v).slice(s(p).length) : s(v)),
  trimSuffix: (p, v) => (s(p) && s(v).endsWith(s(p)) ? s(v).slice(0, -s(p).length) : s(v)),
  replace: (o, n, v) => s(v).replaceAll(s(o), s(n)),
  contains: (sub, v) => s(v).includes(s(sub)),
  hasPrefix: (p, v) => s(v).startsWith(s(p)),
  hasSuffix: (p, v) => s(v).endsWith(s(p)),
  default: (d, v) => (truthy(v) ? v : d),
  quote: (...a) => a.map((v) => JSON.stringify(s(v))).join(' '),
  squote: (...a) => a.map((v) => `'${s(v)}'`).join(' '),
  repeat: (n, v) => s(v).repeat(Number(n)),
  substr: (a, b, v) => s(v).slice(Number(a), Number(b) < 0 ? undefined : Number(b)),
  trunc: (n, v) => (Number(n) >= 0 ? s(v).slice(0, Number(n)) : s(v).slice(Number(n))),
  toJson: (v) => JSON.stringify(v ?? null),
};
