import type { Labels } from '../../common/labels.js';

/**
 * Loki's `syntax.ParseLabels`: the protobuf push carries a stream's labels as
 * text (`{app="api", env="prod"}`), parsed with Prometheus's metric parser.
 * Errors read as Prometheus's (`1:2: parse error: ...`); labels with an empty
 * value are dropped, as Loki does. Duplicate names are kept as a list so the
 * validator can refuse them with Loki's message.
 */
export function parseLabelString(text: string): { names: string[]; labels: Labels } {
  let i = 0;
  const fail = (msg: string, at = i): never => {
    throw new Error(`1:${at + 1}: parse error: ${msg}`);
  };
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  skipSpace();
  if (text[i] !== '{') fail(`unexpected character: '${text[i] ?? ''}'`);
  i++;
  const names: string[] = [];
  const labels: Labels = {};
  skipSpace();
  while (text[i] !== '}') {
    if (i >= text.length) fail('unexpected end of input inside braces');
    const start = i;
    if (!/[A-Za-z_]/.test(text[i]!)) fail(`unexpected character inside braces: '${text[i]}'`);
    while (i < text.length && /[A-Za-z0-9_]/.test(text[i]!)) i++;
    const name = text.slice(start, i);
    skipSpace();
    if (text[i] !== '=') {
      if (i >= text.length) fail('unexpected end of input inside braces');
      fail(`unexpected character inside braces: '${text[i]}'`);
    }
    i++;
    skipSpace();
    const value = readQuoted();
    names.push(name);
    if (value !== '') labels[name] = value;
    skipSpace();
    if (text[i] === ',') {
      i++;
      skipSpace();
    } else if (text[i] !== '}') {
      if (i >= text.length) fail('unexpected end of input inside braces');
      fail(`unexpected character inside braces: '${text[i]}'`);
    }
  }
  i++;
  skipSpace();
  if (i < text.length) fail(`unexpected character: '${text[i]}'`);
  return { names, labels };

  function readQuoted(): string {
    const quote = text[i];
    if (quote !== '"' && quote !== "'" && quote !== '`') fail('unexpected character inside braces');
    const start = i;
    i++;
    let out = '';
    while (i < text.length && text[i] !== quote) {
      if (text[i] === '\\' && quote !== '`') {
        const next = text[i + 1];
        const simple: Record<string, string> = {
          n: '\n',
          t: '\t',
          r: '\r',
          '\\': '\\',
          '"': '"',
          "'": "'",
          a: '\x07',
          b: '\b',
          f: '\f',
          v: '\v',
        };
        if (next !== undefined && simple[next] !== undefined) {
          out += simple[next];
          i += 2;
          continue;
        }
        const hex = /^(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/.exec(
          text.slice(i + 1),
        );
        if (!hex) fail('unknown escape sequence', i);
        out += String.fromCodePoint(parseInt(hex![1] ?? hex![2] ?? hex![3]!, 16));
        i += 1 + hex![0].length;
        continue;
      }
      out += text[i];
      i++;
    }
    if (i >= text.length) fail('unterminated quoted string', start);
    i++;
    return out;
  }
}
