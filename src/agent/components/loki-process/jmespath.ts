/**
 * The part of JMESPath that `stage.json` expressions use in practice:
 * field names (`level`), quoted names (`"user-agent"`), nested fields
 * (`request.method`), indexes (`tags[0]`, `[-1]`) and `@`.
 */
export type JmesPath = (string | number)[];

export function compileJmesPath(expr: string): JmesPath {
  const path: JmesPath = [];
  let i = 0;
  const fail = (): never => {
    throw new Error(`SyntaxError: could not parse JMESPath expression ${JSON.stringify(expr)}`);
  };
  const s = expr.trim();
  if (s === '@') return path;
  while (i < s.length) {
    if (s[i] === '[') {
      const end = s.indexOf(']', i);
      if (end < 0) fail();
      const n = s.slice(i + 1, end).trim();
      if (!/^-?\d+$/.test(n)) fail();
      path.push(Number(n));
      i = end + 1;
    } else if (s[i] === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      if (j >= s.length) fail();
      path.push(JSON.parse(s.slice(i, j + 1)) as string);
      i = j + 1;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
      if (!m) fail();
      path.push(m![0]);
      i += m![0].length;
    }
    if (i < s.length) {
      if (s[i] === '.') {
        i++;
        if (i >= s.length) fail();
      } else if (s[i] !== '[') fail();
    }
  }
  return path;
}

export function searchJmesPath(path: JmesPath, value: unknown): unknown {
  let at: unknown = value;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(at)) return null;
      at = at[step < 0 ? at.length + step : step];
    } else {
      if (at === null || typeof at !== 'object' || Array.isArray(at)) return null;
      at = (at as Record<string, unknown>)[step];
    }
    if (at === undefined) return null;
  }
  return at;
}
