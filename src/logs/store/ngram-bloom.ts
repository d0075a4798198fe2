import type { LineFilter } from '../reader.js';
import { requiredLiterals } from './sql.js';

/**
 * Trigram blooms for needle searches. A block's bloom holds every indexed
 * trigram of its lines; a line filter whose literal has an indexed trigram
 * missing from a block's bloom cannot match any line of that block.
 *
 * What is indexed (the same rule on both sides, so a bloom never misses):
 * lines are split into words, runs of `[0-9A-Za-z_]` and non-ASCII
 * characters; ASCII letters are lowercased; a trigram counts when it lies
 * inside one word, is all ASCII, and has a character outside `[0-9a-f]`.
 * The last rule leaves out hex ids and numbers, which would fill every bloom
 * with random trigrams; a needle made only of them is not pruned. A needle's
 * own words are substrings of the line's words (the split depends on each
 * character alone), so its trigrams are the line's.
 */

const NGRAM = 3;
/** Bits per distinct trigram and probes per test: about 1% false positives. */
const BITS_PER_KEY = 10;
const PROBES = 7;

/** Words of a lowercased line that have a character outside `[0-9a-f]` (RE2, for DuckDB). */
export const INDEXED_WORD_RE = '[0-9a-z_]*[g-z_\\x{80}-\\x{10FFFF}][0-9a-z_\\x{80}-\\x{10FFFF}]*';

function isWordCode(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128
  );
}

function fold(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/**
 * The indexed trigrams of a text (a word of a line, or a needle), as
 * 21-bit codes. With `caseInsensitive`, trigrams with k or s are left out:
 * RE2's `(?i)` also matches the Kelvin sign and the long s for them, which
 * lowercasing does not turn into k and s.
 */
export function trigramCodes(
  text: string,
  caseInsensitive = false,
  out = new Set<number>(),
): Set<number> {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isWordCode(c)) {
      run = 0;
      continue;
    }
    run++;
    if (run < NGRAM) continue;
    const a = fold(text.charCodeAt(i - 2));
    const b = fold(text.charCodeAt(i - 1));
    const d = fold(c);
    if (a >= 128 || b >= 128 || d >= 128) continue;
    if (isHexCode(a) && isHexCode(b) && isHexCode(d)) continue;
    if (caseInsensitive && [a, b, d].some((x) => x === 107 || x === 115)) continue;
    out.add((a << 14) | (b << 7) | d);
  }
  return out;
}

function probes(code: number, bits: number, visit: (bit: number) => boolean): boolean {
  const h1 = Math.imul(code ^ (code >>> 9), 0x9e3779b1) >>> 0;
  const h2 = (Math.imul(code ^ (code >>> 13), 0x85ebca77) >>> 0) | 1;
  for (let i = 0; i < PROBES; i++) {
    if (!visit(((h1 + Math.imul(i, h2)) >>> 0) % bits)) return false;
  }
  return true;
}

/** A bloom over a set of trigram codes (at least 64 bits). */
export function buildBloom(codes: Set<number>): Uint8Array {
  const bytes = Math.max(8, Math.ceil((codes.size * BITS_PER_KEY) / 8));
  const bloom = new Uint8Array(bytes);
  const bits = bytes * 8;
  for (const code of codes) {
    probes(code, bits, (bit) => {
      bloom[bit >>> 3]! |= 1 << (bit & 7);
      return true;
    });
  }
  return bloom;
}

/** Whether every code may be in the bloom. */
export function bloomHasAll(bloom: Uint8Array, codes: number[]): boolean {
  const bits = bloom.length * 8;
  return codes.every((code) =>
    probes(code, bits, (bit) => (bloom[bit >>> 3]! & (1 << (bit & 7))) !== 0),
  );
}

/**
 * For each filter that blooms can prune with, the alternatives' trigrams: a
 * block can hold a matching line only if, for every filter, the bloom has
 * all trigrams of some alternative. Negative filters, and filters with an
 * alternative that has no indexed trigram, do not prune and are left out.
 */
export function bloomTerms(filters: LineFilter[]): number[][][] {
  const terms: number[][][] = [];
  for (const f of filters) {
    const alternatives: number[][] = [];
    for (const value of f.values) {
      const literal = filterLiteral(f.op, value);
      const codes = new Set<number>();
      for (const text of literal?.texts ?? []) trigramCodes(text, literal!.caseInsensitive, codes);
      if (codes.size === 0) {
        alternatives.length = 0;
        break;
      }
      alternatives.push([...codes]);
    }
    if (alternatives.length > 0) terms.push(alternatives);
  }
  return terms;
}

/** Texts every line matching this positive filter value contains (maybe case-folded). */
function filterLiteral(
  op: LineFilter['op'],
  value: string,
): { texts: string[]; caseInsensitive: boolean } | undefined {
  switch (op) {
    case '|=':
      return { texts: [value], caseInsensitive: false };
    case '|~': {
      const caseInsensitive = value.startsWith('(?i)');
      const texts = requiredLiterals(caseInsensitive ? value.slice(4) : value);
      return { texts, caseInsensitive };
    }
    default:
      return undefined;
  }
}

/** Whether a block's bloom may hold a line passing every filter of `terms`. */
export function bloomMayMatch(bloom: Uint8Array, terms: number[][][]): boolean {
  return terms.every((alternatives) => alternatives.some((codes) => bloomHasAll(bloom, codes)));
}
