/**
 * Go's regexp (RE2 syntax) translated to a JavaScript RegExp with the same
 * meaning, so that user regexes from prometheus.yml, relabel rules, PromQL and
 * LogQL match exactly what they match in the real programs. Where the two
 * dialects differ the translation spells out Go's meaning: `.` excludes only
 * `\n`, `\s` is ASCII whitespace, `(?m)` lines end only at `\n`, scoped flags
 * such as `(?i:...)` (which V8 in Node 20 lacks) are expanded, and Go's
 * syntax errors are reported with Go's messages.
 */
export class GoRegexpError extends Error {
  constructor(code: string, expr: string) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
    this.name = 'GoRegexpError';
  }
}

export interface GoRegexp {
  /** The Go source as the user wrote it. */
  readonly source: string;
  readonly regex: RegExp;
  /** Capture group names by index (index 0 is the whole match). */
  readonly groupNames: readonly (string | undefined)[];
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));
const PERL_CLASSES: Record<string, string> = {
  d: '0-9',
  s: '\\t\\n\\f\\r ',
  w: '0-9A-Za-z_',
};
const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};
const ESCAPES: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
const MAX_REPEAT = 1000;

class NeedsExpansion extends Error {}

/** Compiles a Go regexp; `anchored` matches the whole input, as Prometheus anchors its regexes. */
export function compileGoRegexp(source: string, opts: { anchored?: boolean } = {}): GoRegexp {
  const wrapped = opts.anchored ? `^(?:${source})$` : source;
  const globalI = /^\(\?[msU]*i/.test(source);
  let out: Translation;
  try {
    out = new Translator(source, wrapped, globalI).run();
  } catch (err) {
    if (!(err instanceof NeedsExpansion)) throw err;
    out = new Translator(source, wrapped, false).run();
  }
  const body = opts.anchored ? `^(?:${out.js})$` : out.js;
  let regex: RegExp;
  try {
    regex = new RegExp(body, out.globalI ? 'iu' : 'u');
  } catch (err) {
    throw new GoRegexpError((err as Error).message, wrapped);
  }
  return { source, regex, groupNames: out.names };
}

/** True when the whole of `text` matches (for a regexp compiled with `anchored`). */
export function goRegexpMatches(re: GoRegexp, text: string): boolean {
  re.regex.lastIndex = 0;
  return re.regex.test(text);
}

/**
 * Go's Regexp.ExpandString: `$1`, `${1}`, `$name`, `${name}` and `$$` in
 * `template`, filled from `match`. Names are as long as possible (`$1x` is
 * `${1x}`); unknown groups expand to "", a `$` not starting a name stays.
 */
export function expandGoTemplate(
  template: string,
  match: RegExpExecArray,
  names: readonly (string | undefined)[],
): string {
  if (!template.includes('$')) return template;
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | undefined;
    if (template[i] === '{') {
      const close = template.indexOf('}', i);
      const inner = close < 0 ? '' : template.slice(i + 1, close);
      if (close >= 0 && /^\w+$/.test(inner)) {
        name = inner;
        i = close + 1;
      }
    } else {
      const m = /^\w+/.exec(template.slice(i));
      if (m) {
        name = m[0];
        i += name.length;
      }
    }
    if (name === undefined) {
      out += '$';
      continue;
    }
    let index = -1;
    if (/^\d+$/.test(name)) index = Number(name);
    else index = names.indexOf(name);
    if (index >= 0 && index < match.length) out += match[index] ?? '';
  }
  return out;
}

interface Translation {
  js: string;
  names: (string | undefined)[];
  globalI: boolean;
}

class Translator {
  private pos = 0;
  private flags: Flags;
  private readonly names: (string | undefined)[] = [undefined];

  constructor(
    private readonly src: string,
    private readonly wrapped: string,
    private readonly globalI: boolean,
  ) {
    this.flags = { i: false, m: false, s: false, U: false };
  }

  run(): Translation {
    const js = this.alternation(0);
    if (this.pos < this.src.length) throw this.fail('unexpected )', this.wrapped);
    return { js, names: this.names, globalI: this.globalI };
  }

  private fail(code: string, expr: string): GoRegexpError {
    return new GoRegexpError(code, expr);
  }

  /** Parses until an unmatched `)` or the end; flags set inside end with the group. */
  private alternation(depth: number): string {
    const saved = { ...this.flags };
    let out = '';
    let canRepeat = false;
    let lastWasRepeat = false;
    while (this.pos < this.src.length) {
      const start = this.pos;
      const c = this.src[this.pos]!;
      if (c === ')') {
        if (depth === 0) throw this.fail('unexpected )', this.wrapped);
        break;
      }
      if (c === '|') {
        this.pos++;
        out += '|';
        canRepeat = false;
        lastWasRepeat = false;
        continue;
      }
      const rep = this.repetition();
      if (rep !== undefined) {
        const op = this.src.slice(start, this.pos);
        if (lastWasRepeat) {
          throw this.fail(
            'invalid nested repetition operator',
            this.src.slice(start - 1, this.pos),
          );
        }
        if (!canRepeat) throw this.fail('missing argument to repetition operator', op);
        out += rep;
        lastWasRepeat = true;
        continue;
      }
      lastWasRepeat = false;
      const atom = this.atom(depth);
      out += atom.js;
      canRepeat = atom.repeatable;
    }
    this.flags = saved;
    return out;
  }

  /** A repetition operator at the cursor, translated, or undefined. */
  private repetition(): string | undefined {
    const c = this.src[this.pos];
    let op: string;
    if (c === '*' || c === '+' || c === '?') {
      op = c;
      this.pos++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (!m) return undefined;
      const min = Number(m[1]);
      const max = m[3] === undefined || m[3] === '' ? undefined : Number(m[3]);
      if (min > MAX_REPEAT || (max !== undefined && (max > MAX_REPEAT || max < min))) {
        throw this.fail('invalid repeat count', m[0]);
      }
      op = m[0];
      this.pos += m[0].length;
    } else return undefined;
    let lazy = false;
    if (this.src[this.pos] === '?') {
      lazy = true;
      this.pos++;
    }
    if (this.flags.U) lazy = !lazy;
    return lazy ? `${op}?` : op;
  }

  private atom(depth: number): { js: string; repeatable: boolean } {
    const c = this.src[this.pos]!;
    switch (c) {
      case '(':
        return this.group(depth);
      case '[':
        return { js: this.charClass(), repeatable: true };
      case '.':
        this.pos++;
        return { js: this.flags.s ? '[\\s\\S]' : '[^\\n]', repeatable: true };
      case '^':
        this.pos++;
        return { js: this.flags.m ? '(?<=^|\\n)' : '^', repeatable: false };
      case '$':
        this.pos++;
        return { js: this.flags.m ? '(?=\\n|$)' : '$', repeatable: false };
      case '\\':
        return this.escape();
      default: {
        const cp = this.src.codePointAt(this.pos)!;
        this.pos += cp > 0xffff ? 2 : 1;
        return { js: this.literal(cp), repeatable: true };
      }
    }
  }

  private group(depth: number): { js: string; repeatable: boolean } {
    const start = this.pos;
    this.pos++;
    let prefix = '(';
    if (this.src[this.pos] === '?') {
      const rest = this.src.slice(this.pos);
      const named = /^\?P?<(\w*)>/.exec(rest);
      if (named || rest.startsWith('?P<') || /^\?<[^=!]/.test(rest)) {
        const name = named?.[1];
        if (!named || !name) {
          const end = this.src.indexOf('>', this.pos);
          throw this.fail(
            'invalid named capture',
            this.src.slice(start, end < 0 ? this.src.length : end + 1),
          );
        }
        if (this.names.includes(name)) {
          throw this.fail(
            'duplicate capture group name',
            this.src.slice(start, start + 1 + named[0].length),
          );
        }
        this.names.push(name);
        prefix = `(?<${name}>`;
        this.pos += named[0].length;
      } else {
        const fl = /^\?(-?[imsU]+(?:-[imsU]*)?|[imsU]*-[imsU]+)?([:)])/.exec(rest);
        if (!fl || (fl[1] === undefined && fl[2] === ')') || (fl[1] ?? '').endsWith('-')) {
          throw this.fail('invalid or unsupported Perl syntax', this.src.slice(start, start + 3));
        }
        this.pos += fl[0].length;
        const next = { ...this.flags };
        let on = true;
        for (const f of fl[1] ?? '') {
          if (f === '-') on = false;
          else next[f as keyof Flags] = on;
        }
        if (fl[2] === ')') {
          // `(?flags)` changes the flags until the end of the enclosing group.
          this.flags = next;
          return { js: '', repeatable: false };
        }
        const saved = this.flags;
        this.flags = next;
        const inner = this.alternation(depth + 1);
        this.flags = saved;
        this.closeGroup();
        return { js: `(?:${inner})`, repeatable: true };
      }
    } else {
      this.names.push(undefined);
    }
    const inner = this.alternation(depth + 1);
    this.closeGroup();
    return { js: `${prefix}${inner})`, repeatable: true };
  }

  private closeGroup(): void {
    if (this.src[this.pos] !== ')') throw this.fail('missing closing )', this.wrapped);
    this.pos++;
  }

  private escape(): { js: string; repeatable: boolean } {
    const start = this.pos;
    this.pos++;
    if (this.pos >= this.src.length) throw this.fail('trailing backslash at end of expression', '');
    const c = this.src[this.pos]!;
    this.pos++;
    switch (c) {
      case 'A':
        return { js: '^', repeatable: false };
      case 'z':
        return { js: '$', repeatable: false };
      case 'b':
      case 'B':
        return { js: `\\${c}`, repeatable: false };
      case 'Q': {
        const end = this.src.indexOf('\\E', this.pos);
        const text = this.src.slice(this.pos, end < 0 ? undefined : end);
        this.pos = end < 0 ? this.src.length : end + 2;
        let js = '';
        for (const ch of text) js += this.literal(ch.codePointAt(0)!);
        return { js: text.length > 1 ? `(?:${js})` : js, repeatable: true };
      }
    }
    const single = this.classEscape(c, start);
    if (single.negated) return { js: `[^${single.items}]`, repeatable: true };
    if (single.codePoint !== undefined)
      return { js: this.literal(single.codePoint), repeatable: true };
    return { js: `[${single.items}]`, repeatable: true };
  }

  /**
   * An escape after its backslash (cursor past `c`), as class items: a single
   * code point, or a set of items possibly negated.
   */
  private classEscape(
    c: string,
    start: number,
  ): { codePoint?: number; items: string; negated?: boolean } {
    const lower = c.toLowerCase();
    if (lower in PERL_CLASSES && 'dswDSW'.includes(c)) {
      return { items: PERL_CLASSES[lower]!, negated: c !== lower };
    }
    if (c === 'p' || c === 'P') {
      let name: string;
      if (this.src[this.pos] === '{') {
        const close = this.src.indexOf('}', this.pos);
        if (close < 0) throw this.fail('invalid character class range', this.src.slice(start));
        name = this.src.slice(this.pos + 1, close);
        this.pos = close + 1;
      } else {
        name = this.src[this.pos] ?? '';
        this.pos++;
      }
      let negated = c === 'P';
      if (name.startsWith('^')) {
        negated = !negated;
        name = name.slice(1);
      }
      const prop = unicodeProperty(name);
      if (prop === undefined) {
        throw this.fail('invalid character class range', this.src.slice(start, this.pos));
      }
      return { items: prop, negated };
    }
    if (c in ESCAPES) return { codePoint: ESCAPES[c]!, items: '' };
    if (c === 'x') {
      const m = /^(?:\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{2}))/.exec(this.src.slice(this.pos));
      const cp = m ? parseInt(m[1] ?? m[2]!, 16) : NaN;
      if (!m || cp > 0x10ffff)
        throw this.fail('invalid escape sequence', this.src.slice(start, this.pos + 2));
      this.pos += m[0].length;
      return { codePoint: cp, items: '' };
    }
    if (c >= '0' && c <= '7') {
      // A lone non-zero digit would be a backreference, which RE2 lacks.
      const m = /^[0-7]{0,2}/.exec(this.src.slice(this.pos))![0];
      if (c !== '0' && m === '') throw this.fail('invalid escape sequence', `\\${c}`);
      this.pos += m.length;
      return { codePoint: parseInt(c + m, 8), items: '' };
    }
    const cp = c.codePointAt(0)!;
    if (cp < 0x80 && !/[0-9A-Za-z]/.test(c)) return { codePoint: cp, items: '' };
    throw this.fail('invalid escape sequence', `\\${c}`);
  }

  private charClass(): string {
    const start = this.pos;
    this.pos++;
    let negated = false;
    if (this.src[this.pos] === '^') {
      negated = true;
      this.pos++;
    }
    let items = '';
    const negatedParts: string[] = [];
    let first = true;
    while (true) {
      if (this.pos >= this.src.length) {
        // Go quotes the rest of the expression it compiled, anchors included.
        const offset = this.wrapped.length - this.src.length - (this.wrapped === this.src ? 0 : 2);
        throw this.fail('missing closing ]', this.wrapped.slice(offset + start));
      }
      const c = this.src[this.pos]!;
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === '[' && this.src[this.pos + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos));
        if (m) {
          const set = POSIX_CLASSES[m[2]!];
          if (set === undefined) throw this.fail('invalid character class range', m[0]);
          this.pos += m[0].length;
          if (m[1]) negatedParts.push(set);
          else items += this.caseClassItems(set);
          continue;
        }
      }
      const lo = this.classChar();
      if (lo.set !== undefined) {
        if (lo.negated) negatedParts.push(lo.set);
        else items += lo.set;
        continue;
      }
      if (
        this.src[this.pos] === '-' &&
        this.src[this.pos + 1] !== ']' &&
        this.pos + 1 < this.src.length
      ) {
        this.pos++;
        const hi = this.classChar();
        if (hi.set !== undefined || hi.codePoint! < lo.codePoint!) {
          throw this.fail('invalid character class range', this.src.slice(lo.start, this.pos));
        }
        items += this.rangeItems(lo.codePoint!, hi.codePoint!);
        continue;
      }
      items += this.rangeItems(lo.codePoint!, lo.codePoint!);
    }
    if (negatedParts.length === 0) return `[${negated ? '^' : ''}${items}]`;
    const union = [...(items ? [`[${items}]`] : []), ...negatedParts.map((p) => `[^${p}]`)].join(
      '|',
    );
    return negated ? `(?:(?!${union})[\\s\\S])` : `(?:${union})`;
  }

  /** One character or escaped set inside a class. */
  private classChar(): { start: number; codePoint?: number; set?: string; negated?: boolean } {
    const start = this.pos;
    if (this.src[this.pos] === '\\') {
      this.pos++;
      if (this.pos >= this.src.length)
        throw this.fail('trailing backslash at end of expression', '');
      const c = this.src[this.pos]!;
      this.pos++;
      const e = this.classEscape(c, start);
      if (e.codePoint !== undefined) return { start, codePoint: e.codePoint };
      return { start, set: this.caseClassItems(e.items), negated: e.negated ?? false };
    }
    const cp = this.src.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return { start, codePoint: cp };
  }

  /** A literal code point outside a class. */
  private literal(cp: number): string {
    const ch = String.fromCodePoint(cp);
    if (this.caseFold()) {
      const other = otherCase(ch);
      if (other !== undefined) return `[${classEscapeChar(ch)}${classEscapeChar(other)}]`;
    }
    if (SYNTAX.has(ch)) return `\\${ch}`;
    if (cp < 0x20 || cp === 0x7f) return `\\u{${cp.toString(16)}}`;
    return ch;
  }

  private rangeItems(lo: number, hi: number): string {
    const a = classEscapeChar(String.fromCodePoint(lo));
    const b = classEscapeChar(String.fromCodePoint(hi));
    let items = lo === hi ? a : `${a}-${b}`;
    if (this.caseFold()) items += caseCounterpart(lo, hi);
    return items;
  }

  private caseClassItems(items: string): string {
    if (!this.caseFold()) return items;
    if (items === 'a-z' || items === 'A-Z') return 'A-Za-z';
    return items;
  }

  /**
   * Whether the current atom must be expanded for case-insensitivity. With
   * the global `i` flag every atom must be case-insensitive, else retry.
   */
  private caseFold(): boolean {
    if (this.globalI) {
      if (!this.flags.i) throw new NeedsExpansion();
      return false;
    }
    return this.flags.i;
  }
}

function classEscapeChar(ch: string): string {
  if ('\\]-^['.includes(ch)) return `\\${ch}`;
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20 || cp === 0x7f) return `\\u{${cp.toString(16)}}`;
  return ch;
}

function otherCase(ch: string): string | undefined {
  const up = ch.toUpperCase();
  const low = ch.toLowerCase();
  if (up !== ch && [...up].length === 1) return up;
  if (low !== ch && [...low].length === 1) return low;
  return undefined;
}

/** The other-case counterpart of a range, for ranges of ASCII letters. */
function caseCounterpart(lo: number, hi: number): string {
  const parts: string[] = [];
  const a = Math.max(lo, 0x41);
  const b = Math.min(hi, 0x5a);
  if (a <= b) parts.push(`${String.fromCharCode(a + 32)}-${String.fromCharCode(b + 32)}`);
  const c = Math.max(lo, 0x61);
  const d = Math.min(hi, 0x7a);
  if (c <= d) parts.push(`${String.fromCharCode(c - 32)}-${String.fromCharCode(d - 32)}`);
  if (parts.length === 0 && lo === hi) {
    const other = otherCase(String.fromCodePoint(lo));
    if (other !== undefined) parts.push(classEscapeChar(other));
  }
  return parts.join('');
}

const GENERAL_CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(
    ' ',
  ),
);

/** Go's `\p{Name}`: a general category or a script; `Any` is every code point. */
function unicodeProperty(name: string): string | undefined {
  if (name === 'Any') return '\\s\\S';
  if (GENERAL_CATEGORIES.has(name)) return `\\p{${name}}`;
  try {
    new RegExp(`\\p{Script=${name}}`, 'u');
    return `\\p{Script=${name}}`;
  } catch {
    return undefined;
  }
}
