import { LogqlParseError } from './errors.js';

/** A parsed `pattern` expression: literals and `<name>` captures (`<_>` unnamed). */
export type PatternNode = { literal: string } | { capture: string };

function parsePattern(pattern: string): PatternNode[] {
  const nodes: PatternNode[] = [];
  const re = /<([a-zA-Z_][a-zA-Z0-9_]*)>/g;
  let last = 0;
  for (let m = re.exec(pattern); m !== null; m = re.exec(pattern)) {
    if (m.index > last) nodes.push({ literal: pattern.slice(last, m.index) });
    nodes.push({ capture: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < pattern.length) nodes.push({ literal: pattern.slice(last) });
  return nodes;
}

/** Loki's pattern.New validation: named captures, none consecutive, none repeated. */
export function compilePattern(pattern: string, requireCapture = true): PatternNode[] {
  const nodes = parsePattern(pattern);
  const fail = (msg: string): never => {
    throw new LogqlParseError(`invalid pattern parser: ${msg}`);
  };
  const names = new Set<string>();
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if ('capture' in n) {
      if (i > 0 && 'capture' in nodes[i - 1]!) fail(`found consecutive capture '${n.capture}'`);
      if (n.capture !== '_') {
        if (names.has(n.capture)) fail(`duplicate capture name (${n.capture})`);
        names.add(n.capture);
      }
    }
  }
  if (requireCapture && names.size === 0) fail('at least one capture is required');
  return nodes;
}

/** Loki's Matcher.Matches: the captured values, in order, for the named captures. */
export function matchPattern(nodes: PatternNode[], input: string): string[] {
  const out: string[] = [];
  if (input.length === 0 || nodes.length === 0) return out;
  let i = 0;
  let rest = input;
  const first = nodes[0]!;
  if ('literal' in first) {
    if (!rest.startsWith(first.literal)) return out;
    rest = rest.slice(first.literal.length);
    i = 1;
  }
  while (i < nodes.length) {
    const cap = nodes[i] as { capture: string };
    if (i === nodes.length - 1) {
      if (cap.capture !== '_') out.push(rest);
      return out;
    }
    const lit = (nodes[i + 1] as { literal: string }).literal;
    i += 2;
    const at = rest.indexOf(lit);
    if (at < 0) {
      if (cap.capture !== '_') out.push(rest);
      return out;
    }
    if (cap.capture !== '_') out.push(rest.slice(0, at));
    rest = rest.slice(at + lit.length);
  }
  return out;
}

/** Loki's Matcher.Test, the `|>` line filter. */
export function testPattern(nodes: PatternNode[], input: string): boolean {
  if (input.length === 0 || nodes.length === 0) return input.length === 0 && nodes.length === 0;
  let off = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (!('literal' in n)) continue;
    const j = input.indexOf(n.literal, off);
    if (j < 0) return false;
    if (i !== 0 && j === off) return false;
    off = j + n.literal.length;
  }
  const endsOnLiteral = 'literal' in nodes[nodes.length - 1]!;
  return endsOnLiteral === (off === input.length);
}

export function patternCaptureNames(nodes: PatternNode[]): string[] {
  const names: string[] = [];
  for (const n of nodes) if ('capture' in n && n.capture !== '_') names.push(n.capture);
  return names;
}
