import { compileGoRegexp } from '../../../common/go-regexp.js';
import { compileJmesPath, searchJmesPath } from './jmespath.js';
import { extractedString, perEntry, type ProcessEntry, type Stage } from './stage.js';

/** The text a parsing stage reads: the extracted `source` if given, else the line. */
function input(e: ProcessEntry, source: string | undefined): string | undefined {
  if (source === undefined || source === '') return e.line;
  return extractedString(e.extracted[source]);
}

/** `stage.json { expressions = { level = "", user = "req.user" } }`. */
export function jsonStage(args: {
  expressions: Record<string, string>;
  source?: string;
  drop_malformed: boolean;
}): Stage {
  const paths = Object.entries(args.expressions).map(
    ([name, expr]) => [name, compileJmesPath(expr === '' ? name : expr)] as const,
  );
  return perEntry((e) => {
    const text = input(e, args.source);
    if (text === undefined) return true;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return args.drop_malformed ? 'drop_malformed' : true;
    }
    if (doc === null || typeof doc !== 'object')
      return args.drop_malformed ? 'drop_malformed' : true;
    for (const [name, path] of paths) e.extracted[name] = searchJmesPath(path, doc);
    return true;
  });
}

/** `stage.logfmt { mapping = { level = "", msg = "message" } }`. */
export function logfmtStage(args: { mapping: Record<string, string>; source?: string }): Stage {
  const wanted = Object.entries(args.mapping).map(([name, key]) => [name, key || name] as const);
  return perEntry((e) => {
    const text = input(e, args.source);
    if (text === undefined) return true;
    const fields = parseLogfmt(text);
    for (const [name, key] of wanted) {
      const v = fields.get(key);
      if (v !== undefined) e.extracted[name] = v;
    }
    return true;
  });
}

/** go-logfmt's decoding: `key=value`, `key="quoted \"value\""`, bare `key`. */
function parseLogfmt(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && text[i]! <= ' ') i++;
    const start = i;
    while (i < n && text[i]! > ' ' && text[i] !== '=' && text[i] !== '"') i++;
    const key = text.slice(start, i);
    if (key === '') {
      i++;
      continue;
    }
    if (text[i] !== '=') {
      out.set(key, '');
      continue;
    }
    i++;
    if (text[i] === '"') {
      let j = i + 1;
      let value = '';
      while (j < n && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < n) {
          const c = text[j + 1]!;
          value += c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c;
          j += 2;
        } else value += text[j++];
      }
      out.set(key, value);
      i = j + 1;
    } else {
      const vs = i;
      while (i < n && text[i]! > ' ') i++;
      out.set(key, text.slice(vs, i));
    }
  }
  return out;
}

/** `stage.regex { expression = "^(?P<level>\\w+) (?P<msg>.*)$" }`: named groups to extracted. */
export function regexStage(args: { expression: string; source?: string }): Stage {
  const re = compileGoRegexp(args.expression);
  const names = re.groupNames;
  return perEntry((e) => {
    const text = input(e, args.source);
    if (text === undefined) return true;
    const m = re.regex.exec(text);
    re.regex.lastIndex = 0;
    if (!m) return true;
    for (let g = 1; g < names.length; g++) {
      const name = names[g];
      if (name) e.extracted[name] = m[g] ?? '';
    }
    return true;
  });
}

/** `stage.output { source = "msg" }`: the extracted value becomes the line. */
export function outputStage(args: { source: string }): Stage {
  return perEntry((e) => {
    const v = extractedString(e.extracted[args.source]);
    if (v !== undefined) e.line = v;
    return true;
  });
}
