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

/** Keys the hinted fast path can look up directly: no character that sanitising would change. */
export function isPlainLogfmtKey(name: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9]*$/.test(name);
}

/**
 * The values of a few plain keys, found by searching for `key=` instead of
 * scanning every pair: what `forEachLogfmtPair` would report for them
 * (the last occurrence wins; occurrences inside quoted values are not keys).
 * Returns undefined where a key is absent or its pair is malformed.
 */
export function findLogfmtValues(line: string, keys: readonly string[]): (string | undefined)[] {
  const out = new Array<string | undefined>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const needle = keys[i] + '=';
    for (let at = line.indexOf(needle); at >= 0; at = line.indexOf(needle, at + 1)) {
      if (at > 0 && line.charCodeAt(at - 1) > 32) continue;
      if (insideQuotes(line, at)) continue;
      const v = valueAt(line, at + needle.length);
      if (v !== null) out[i] = v;
    }
  }
  return out;
}

/** Whether `pos` lies inside a quoted value: quotes before it, escapes honoured. */
function insideQuotes(line: string, pos: number): boolean {
  let inside = false;
  for (let q = line.indexOf('"'); q >= 0 && q < pos; q = line.indexOf('"', q + 1)) {
    if (inside) {
      let backslashes = 0;
      while (line.charCodeAt(q - 1 - backslashes) === 92) backslashes++;
      if (backslashes % 2 === 1) continue;
    }
    inside = !inside;
  }
  return inside;
}

/** The value starting at `pos` (just after `=`), "" for none, null when the pair is malformed. */
function valueAt(line: string, pos: number): string | null {
  if (pos >= line.length || line.charCodeAt(pos) <= 32) return '';
  if (line[pos] === '"') {
    const q = scanQuoted(line, pos);
    return typeof q === 'string' ? null : q.value;
  }
  let end = pos;
  while (end < line.length && line.charCodeAt(end) > 32) {
    const c = line.charCodeAt(end);
    if (c === 61 || c === 34) return null;
    end++;
  }
  return line.slice(pos, end);
}
