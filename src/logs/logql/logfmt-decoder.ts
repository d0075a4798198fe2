/**
 * A logfmt key/value scanner with the rules and error texts of the decoder
 * Loki forked from go-logfmt: a bare key has no value, `=` and `"` are not
 * allowed inside keys or unquoted values, quoted values use Go escapes.
 */
/**
 * Calls `onPair` for every pair as it is scanned (no intermediate objects);
 * returns the first syntax error, if any.
 */
export function forEachLogfmtPair(
  line: string,
  stopOnError: boolean,
  onPair: (key: string, value: string | undefined) => void,
): string | undefined {
  let error: string | undefined;
  let pos = 0;
  const n = line.length;
  const fail = (at: number, msg: string): void => {
    error ??= `logfmt syntax error at pos ${at + 1} on line 1: ${msg}`;
  };
  while (pos < n) {
    while (pos < n && line.charCodeAt(pos) <= 32) pos++;
    if (pos >= n) break;
    const start = pos;
    let bad = false;
    while (pos < n) {
      const c = line[pos]!;
      if (c === '=' || c === '"' || line.charCodeAt(pos) <= 32) break;
      pos++;
    }
    const key = line.slice(start, pos);
    const c = line[pos];
    if (c === '"' || (c === '=' && key === '')) {
      fail(pos, `unexpected '${c}'`);
      bad = true;
    } else if (c !== '=') {
      onPair(key, undefined);
      continue;
    } else {
      pos++;
      if (pos >= n || line.charCodeAt(pos) <= 32) {
        onPair(key, '');
        continue;
      }
      if (line[pos] === '"') {
        const q = scanQuoted(line, pos);
        if (typeof q === 'string') {
          fail(q === 'unterminated quoted value' ? n : pos, q);
          bad = true;
          pos = n;
        } else {
          onPair(key, q.value);
          pos = q.end;
          continue;
        }
      } else {
        const vStart = pos;
        while (pos < n && line.charCodeAt(pos) > 32) {
          const ch = line[pos];
          if (ch === '=' || ch === '"') break;
          pos++;
        }
        const ch = line[pos];
        if (ch === '=' || ch === '"') {
          fail(pos, `unexpected '${ch}'`);
          bad = true;
        } else {
          onPair(key, line.slice(vStart, pos));
          continue;
        }
      }
    }
    if (bad) {
      if (stopOnError) break;
      while (pos < n && line.charCodeAt(pos) > 32) pos++;
    }
  }
  return error;
}

function scanQuoted(line: string, open: number): { value: string; end: number } | string {
  let esc = false;
  let hasEsc = false;
  for (let i = open + 1; i < line.length; i++) {
    const c = line[i];
    if (esc) esc = false;
    else if (c === '\\') {
      esc = true;
      hasEsc = true;
    } else if (c === '"') {
      const body = line.slice(open, i + 1);
      if (!hasEsc) return { value: body.slice(1, -1), end: i + 1 };
      try {
        return { value: JSON.parse(body) as string, end: i + 1 };
      } catch {
        return 'invalid quoted value';
      }
    }
  }
  return 'unterminated quoted value';
}
