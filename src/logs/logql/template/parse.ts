import { goUnquoteOrThrow } from '../../../common/go-unquote.js';

/**
 * Go text/template syntax: text, `{{ pipeline }}` actions with trim markers,
 * if / else if / else / with / range / end, variables, parenthesised
 * pipelines. Positions are byte offsets, as Go reports them in errors.
 */
export type TemplateNode =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: Pipe }
  | { t: 'if' | 'with' | 'range'; pipe: Pipe; list: TemplateNode[]; else?: TemplateNode[] };

export interface Pipe {
  decl: string[];
  cmds: Cmd[];
  pos: number;
}

export interface Cmd {
  args: Arg[];
  pos: number;
}

export type Arg =
  | { k: 'field'; names: string[]; pos: number }
  | { k: 'dot'; pos: number }
  | { k: 'var'; name: string; fields: string[]; pos: number }
  | { k: 'ident'; name: string; pos: number }
  | { k: 'str'; v: string; pos: number }
  | { k: 'num'; v: bigint | number; pos: number }
  | { k: 'bool'; v: boolean; pos: number }
  | { k: 'nil'; pos: number }
  | { k: 'pipe'; pipe: Pipe; pos: number };

export class TemplateError extends Error {}

interface Tok {
  k: string;
  text: string;
  pos: number;
}

export function parseTemplate(
  name: string,
  src: string,
  funcs: ReadonlySet<string>,
): TemplateNode[] {
  const p = new TemplateParser(name, src, funcs);
  const { list, end } = p.parseList(0);
  if (end !== undefined) throw p.error(end.pos, `unexpected {{${end.word}}}`);
  return list;
}

class TemplateParser {
  private pos = 0;
  private toks: Tok[] = [];
  private ti = 0;
  /** Offsets where each action begins, to report line numbers. */
  constructor(
    private readonly name: string,
    private readonly src: string,
    private readonly funcs: ReadonlySet<string>,
  ) {}

  error(pos: number, msg: string): TemplateError {
    const line = 1 + countNewlines(this.src.slice(0, pos));
    return new TemplateError(`template: ${this.name}:${line}: ${msg}`);
  }

  /** Parses nodes until `{{end}}` / `{{else}}` (returned as `end`) or the end of the text. */
  parseList(depth: number): {
    list: TemplateNode[];
    end?: { word: 'end' | 'else'; pos: number; elseIf?: boolean };
  } {
    const list: TemplateNode[] = [];
    for (;;) {
      const open = this.src.indexOf('{{', this.pos);
      if (open < 0) {
        if (this.pos < this.src.length) list.push({ t: 'text', text: this.src.slice(this.pos) });
        this.pos = this.src.length;
        if (depth > 0) throw this.error(this.src.length, 'unexpected EOF');
        return { list };
      }
      let text = this.src.slice(this.pos, open);
      let inner = open + 2;
      if (this.src.startsWith('- ', inner) || this.src.startsWith('-\t', inner)) {
        text = text.replace(/[ \t\r\n]+$/, '');
        inner += 1;
      }
      if (text !== '') list.push({ t: 'text', text });
      if (this.src.startsWith('/*', skipSpace(this.src, inner))) {
        const close = this.src.indexOf('*/', inner);
        const end = close < 0 ? -1 : this.src.indexOf('}}', close);
        if (end < 0) throw this.error(open, 'unclosed comment');
        this.pos = end + 2;
        continue;
      }
      this.lexAction(inner, open);
      const first = this.toks[0]!;
      if (first.k === 'ident' && (first.text === 'end' || first.text === 'else')) {
        if (depth === 0) throw this.error(first.pos, `unexpected {{${first.text}}}`);
        const elseIf =
          first.text === 'else' && this.toks[1]?.k === 'ident' && this.toks[1].text === 'if';
        if (elseIf) this.ti = 2;
        else if (this.toks.length > 2)
          throw this.error(first.pos, `unexpected ${this.toks[1]!.text} in ${first.text}`);
        return { list, end: { word: first.text as 'end' | 'else', pos: first.pos, elseIf } };
      }
      if (
        first.k === 'ident' &&
        (first.text === 'if' || first.text === 'with' || first.text === 'range')
      ) {
        this.ti = 1;
        list.push(this.parseControl(first.text, depth));
        continue;
      }
      this.ti = 0;
      const pipe = this.parsePipe(false);
      list.push({ t: 'action', pipe });
    }
  }

  private parseControl(kind: 'if' | 'with' | 'range', depth: number): TemplateNode {
    const pipe = this.parsePipe(true);
    const body = this.parseList(depth + 1);
    const node: TemplateNode = { t: kind, pipe, list: body.list };
    if (body.end?.word === 'else') {
      if (body.end.elseIf) {
        // `{{else if x}}` is an `if` nested in the else branch, sharing its `{{end}}`.
        node.else = [this.parseControl('if', depth)];
      } else {
        const elseBody = this.parseList(depth + 1);
        if (elseBody.end?.word !== 'end') throw this.error(this.pos, 'expected end; found else');
        node.else = elseBody.list;
      }
    }
    return node;
  }

  /** Tokenises one action starting at `at` (just inside `{{`), leaving `this.pos` after `}}`. */
  private lexAction(at: number, open: number): void {
    const toks: Tok[] = [];
    let i = at;
    const s = this.src;
    for (;;) {
      if (i >= s.length) throw this.error(open, 'unclosed action');
      const c = s[i]!;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
        if (s.startsWith('-}}', i + 1)) {
          i += 4;
          this.pos = i;
          while (this.pos < s.length && /[ \t\r\n]/.test(s[this.pos]!)) this.pos++;
          break;
        }
        i++;
        continue;
      }
      if (s.startsWith('}}', i)) {
        this.pos = i + 2;
        break;
      }
      if (c === '"' || c === '`') {
        let j = i + 1;
        while (j < s.length && s[j] !== c) {
          if (c === '"' && s[j] === '\\') j++;
          if (c === '"' && s[j] === '\n') throw this.error(i, 'unterminated quoted string');
          j++;
        }
        if (j >= s.length) throw this.error(open, 'unclosed action');
        toks.push({ k: 'str', text: s.slice(i, j + 1), pos: i });
        i = j + 1;
        continue;
      }
      if (c === "'") {
        const m = /^'(\\.|[^'\\])'/.exec(s.slice(i));
        if (!m) throw this.error(i, 'unterminated character constant');
        toks.push({ k: 'char', text: m[0], pos: i });
        i += m[0].length;
        continue;
      }
      if (c === ':' && s[i + 1] === '=') {
        toks.push({ k: ':=', text: ':=', pos: i });
        i += 2;
        continue;
      }
      if ('|(),='.includes(c)) {
        toks.push({ k: c, text: c, pos: i });
        i++;
        continue;
      }
      const num =
        /^[+-]?(?:0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)/.exec(
          s.slice(i),
        );
      if (num && (c !== '.' || /[0-9]/.test(s[i + 1] ?? ''))) {
        toks.push({ k: 'num', text: num[0], pos: i });
        i += num[0].length;
        continue;
      }
      const word =
        /^(?:\$[a-zA-Z0-9_]*|\.?[a-zA-Z_][a-zA-Z0-9_]*)(?:\.[a-zA-Z_][a-zA-Z0-9_]*)*|^\./.exec(
          s.slice(i),
        );
      if (word) {
        const text = word[0];
        const k = text.startsWith('$') ? 'var' : text.startsWith('.') ? 'field' : 'ident';
        toks.push({ k, text, pos: i });
        i += text.length;
        continue;
      }
      throw this.error(i, `unexpected ${JSON.stringify(c)} in command`);
    }
    this.toks = toks;
    this.ti = 0;
    if (toks.length === 0) throw this.error(open, 'missing value for command');
  }

  private parsePipe(control: boolean): Pipe {
    const pos = this.toks[this.ti]?.pos ?? 0;
    const decl: string[] = [];
    const t0 = this.toks[this.ti];
    const t1 = this.toks[this.ti + 1];
    if (t0?.k === 'var' && (t1?.k === ':=' || t1?.k === '=')) {
      decl.push(t0.text);
      this.ti += 2;
    }
    const cmds: Cmd[] = [];
    for (;;) {
      cmds.push(this.parseCmd());
      const t = this.toks[this.ti];
      if (t === undefined || t.k === ')') break;
      if (t.k !== '|') throw this.error(t.pos, `unexpected ${JSON.stringify(t.text)} in operand`);
      this.ti++;
    }
    if (cmds.length === 0 && control) throw this.error(pos, 'missing value for command');
    return { decl, cmds, pos };
  }

  private parseCmd(): Cmd {
    const args: Arg[] = [];
    const pos = this.toks[this.ti]?.pos ?? 0;
    for (;;) {
      const t = this.toks[this.ti];
      if (t === undefined || t.k === '|' || t.k === ')') break;
      args.push(this.parseArg());
    }
    if (args.length === 0) throw this.error(pos, 'missing value for command');
    return { args, pos };
  }

  private parseArg(): Arg {
    const t = this.toks[this.ti++]!;
    switch (t.k) {
      case 'str':
        return {
          k: 'str',
          v: goUnquoteOrThrow(t.text),
          pos: t.pos,
        };
      case 'char':
        return {
          k: 'num',
          v: BigInt(goUnquoteOrThrow(t.text).codePointAt(0)!),
          pos: t.pos,
        };
      case 'num':
        return {
          k: 'num',
          v: /^[+-]?(0[xX]|[0-9]+$)/.test(t.text) ? BigInt(t.text) : Number(t.text),
          pos: t.pos,
        };
      case 'field':
        return t.text === '.'
          ? { k: 'dot', pos: t.pos }
          : { k: 'field', names: t.text.slice(1).split('.'), pos: t.pos };
      case 'var': {
        const [name, ...fields] = t.text.split('.');
        return { k: 'var', name: name!, fields, pos: t.pos };
      }
      case 'ident':
        if (t.text === 'true' || t.text === 'false')
          return { k: 'bool', v: t.text === 'true', pos: t.pos };
        if (t.text === 'nil') return { k: 'nil', pos: t.pos };
        if (!this.funcs.has(t.text))
          throw this.error(t.pos, `function ${JSON.stringify(t.text)} not defined`);
        return { k: 'ident', name: t.text, pos: t.pos };
      case '(': {
        const pipe = this.parsePipe(false);
        const close = this.toks[this.ti++];
        if (close?.k !== ')') throw this.error(t.pos, 'unclosed left paren');
        return { k: 'pipe', pipe, pos: t.pos };
      }
      default:
        throw this.error(t.pos, `unexpected ${JSON.stringify(t.text)} in operand`);
    }
  }
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && /[ \t\r\n]/.test(s[i]!)) i++;
  return i;
}

function countNewlines(s: string): number {
  let n = 0;
  for (const c of s) if (c === '\n') n++;
  return n;
}

/** The text Go shows for a node in `executing "x" at <...>`. */
export function argString(a: Arg): string {
  switch (a.k) {
    case 'field':
      return '.' + a.names.join('.');
    case 'dot':
      return '.';
    case 'var':
      return [a.name, ...a.fields].join('.');
    case 'ident':
      return a.name;
    case 'str':
      return JSON.stringify(a.v);
    case 'num':
      return String(a.v);
    case 'bool':
      return String(a.v);
    case 'nil':
      return 'nil';
    case 'pipe':
      return `(${a.pipe.cmds.map((c) => c.args.map(argString).join(' ')).join(' | ')})`;
  }
}
