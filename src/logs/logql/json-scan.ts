/**
 * A JSON reader that keeps each value's source text, as buger/jsonparser (the
 * library Loki's json stage uses) hands values over: numbers keep their
 * spelling, strings come raw (still escaped), errors carry its messages.
 */
export type JsonNode =
  | { type: 'object'; raw: string; entries: [string, JsonNode][] }
  | { type: 'array'; raw: string; items: JsonNode[] }
  | { type: 'string'; raw: string }
  | { type: 'number' | 'boolean' | 'null'; raw: string };

export class JsonScanError extends Error {}

const MALFORMED_OBJECT = "Value looks like object, but can't find closing '}' symbol";
const MALFORMED_ARRAY = "Value is array, but can't find closing ']' symbol";
const MALFORMED_STRING = "Value is string, but can't find closing '\"' symbol";
const MALFORMED_VALUE =
  "Value looks like Number/Boolean/None, but can't find its end: ',' or '}' symbol";
const MALFORMED_JSON = 'Malformed JSON error';
const UNKNOWN_TYPE = 'Unknown value type';

/** Parses a JSON object at the start of `text` (trailing text is ignored, as jsonparser does). */
export function scanJsonObject(text: string): JsonNode & { type: 'object' } {
  const s = new Scanner(text);
  s.ws();
  if (text[s.pos] !== '{') throw new JsonScanError(MALFORMED_OBJECT);
  return s.object();
}

/** Parses any JSON value at the start of `text`. */
export function scanJsonValue(text: string): JsonNode {
  const s = new Scanner(text);
  s.ws();
  return s.value();
}

/** A JSON string's content (between the quotes) unescaped; "" when it does not unescape. */
export function unescapeJson(raw: string): string {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return '';
  }
}

class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return;
      this.pos++;
    }
  }

  value(): JsonNode {
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"': {
        const start = this.pos + 1;
        const end = this.stringEnd(start);
        if (end < 0) throw new JsonScanError(MALFORMED_STRING);
        this.pos = end + 1;
        return { type: 'string', raw: this.text.slice(start, end) };
      }
      case undefined:
        throw new JsonScanError(MALFORMED_JSON);
      default: {
        const start = this.pos;
        while (this.pos < this.text.length && !/[\s,}\]]/.test(this.text[this.pos]!)) this.pos++;
        const raw = this.text.slice(start, this.pos);
        if (raw === 'true' || raw === 'false') return { type: 'boolean', raw };
        if (raw === 'null') return { type: 'null', raw };
        if (/^-?[0-9]/.test(raw)) return { type: 'number', raw };
        if (this.pos >= this.text.length) throw new JsonScanError(MALFORMED_VALUE);
        throw new JsonScanError(UNKNOWN_TYPE);
      }
    }
  }

  private stringEnd(from: number): number {
    const t = this.text;
    for (let i = from; i < t.length; i++) {
      const c = t[i];
      if (c === '\\') i++;
      else if (c === '"') return i;
    }
    return -1;
  }

  object(): JsonNode & { type: 'object' } {
    const start = this.pos;
    this.pos++;
    const entries: [string, JsonNode][] = [];
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { type: 'object', raw: this.text.slice(start, this.pos), entries };
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') throw new JsonScanError(MALFORMED_JSON);
      const kStart = this.pos + 1;
      const kEnd = this.stringEnd(kStart);
      if (kEnd < 0) throw new JsonScanError(MALFORMED_JSON);
      const key = unescapeJson(this.text.slice(kStart, kEnd));
      this.pos = kEnd + 1;
      this.ws();
      if (this.text[this.pos] !== ':') throw new JsonScanError(MALFORMED_JSON);
      this.pos++;
      this.ws();
      entries.push([key, this.value()]);
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return { type: 'object', raw: this.text.slice(start, this.pos), entries };
      }
      throw new JsonScanError(c === undefined ? MALFORMED_OBJECT : MALFORMED_JSON);
    }
  }

  array(): JsonNode {
    const start = this.pos;
    this.pos++;
    const items: JsonNode[] = [];
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { type: 'array', raw: this.text.slice(start, this.pos), items };
    }
    for (;;) {
      this.ws();
      items.push(this.value());
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return { type: 'array', raw: this.text.slice(start, this.pos), items };
      }
      throw new JsonScanError(MALFORMED_ARRAY);
    }
  }
}
