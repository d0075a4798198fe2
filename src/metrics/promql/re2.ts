import { PromQLError } from './errors.js';

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

function isLetter(c: string): boolean {
  return c.toLowerCase() !== c.toUpperCase();
}

function swapCase(c: string): string {
  return c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
}

/** Copies a character class starting at `[`, adding other-case letters when `ci`. */
function translateClass(src: string, start: number, ci: boolean): [string, number] {
  let i = start + 1;
  let out = '[';
  let extra = '';
  if (src[i] === '^') {
    out += '^';
    i++;
  }
  if (src[i] === ']') {
    out += '\\]';
    i++;
  }
  while (i < src.length && src[i] !== ']') {
    const posix = /^\[:(\^?)([a-z]+):\]/.exec(src.slice(i));
    if (posix && POSIX_CLASSES[posix[2]!] !== undefined && posix[1] === '') {
      out += POSIX_CLASSES[posix[2]!];
      i += posix[0].length;
      continue;
    }
    const c = src[i]!;
    if (c === '\\') {
      out += c + (src[i + 1] ?? '');
      i += 2;
      continue;
    }
    if (c === '[') {
      out += '\\[';
      i++;
      continue;
    }
    if (ci && src[i + 1] === '-' && src[i + 2] !== undefined && src[i + 2] !== ']') {
      const hi = src[i + 2]!;
      out += `${c}-${hi}`;
      if (isLetter(c) && isLetter(hi)) extra += `${swapCase(c)}-${swapCase(hi)}`;
      i += 3;
      continue;
    }
    out += c;
    if (ci && isLetter(c)) extra += swapCase(c);
    i++;
  }
  if (i >= src.length) throw new PromQLError('bad_data', 'missing closing ]');
  return [out + extra + ']', i + 1];
}

/**
 * Rewrites an RE2 pattern into JS RegExp source: inline flag groups
 * (`(?i)`, `(?i:...)`) that V8 lacks become explicit case classes,
 * `(?P<name>` becomes `(?<name>`, POSIX classes and `\z` are spelled out.
 */
export function re2ToJs(src: string): string {
  let out = '';
  const stack: boolean[] = [];
  let ci = false;
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      if (n === 'z') out += '$';
      else if (n === 'A') out += '^';
      else if (n === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const lit = src.slice(i + 2, end < 0 ? src.length : end);
        out += lit.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
        i = end < 0 ? src.length : end + 2;
        continue;
      } else if (ci && isLetter(n) && !/[a-zA-Z]/.test(n)) out += `[${n}${swapCase(n)}]`;
      else out += c + n;
      i += 2;
      continue;
    }
    if (c === '[') {
      const [cls, next] = translateClass(src, i, ci);
      out += cls;
      i = next;
      continue;
    }
    if (c === '(') {
      const flags = /^\(\?([a-zA-Z-]+)(:|\))/.exec(src.slice(i));
      if (flags) {
        const [on, off = ''] = flags[1]!.split('-') as [string, string?];
        let next: boolean = ci;
        if (on.includes('i')) next = true;
        if (off.includes('i')) next = false;
        if (flags[2] === ')') {
          ci = next;
        } else {
          stack.push(ci);
          ci = next;
          out += '(?:';
        }
        i += flags[0].length;
        continue;
      }
      stack.push(ci);
      if (src.startsWith('(?P<', i)) {
        out += '(?<';
        i += 4;
        continue;
      }
      out += c;
      i++;
      continue;
    }
    if (c === ')') {
      ci = stack.pop() ?? ci;
      out += c;
      i++;
      continue;
    }
    if (ci && isLetter(c)) out += `[${c}${swapCase(c)}]`;
    else out += c;
    i++;
  }
  return out;
}
