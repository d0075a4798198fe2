import { sqlString } from './sql.js';

/** Keys the SQL extraction handles: those the logfmt stage looks up directly. */
export const PLAIN_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

/** A byte that ends a logfmt token: the decoder treats every char code <= 32 as space. */
const SPACE = '[\\x00-\\x20]';

/**
 * The last well-formed `key=value` pair outside quoted values, as the logfmt
 * stage's hinted lookup finds it. The greedy prefix only crosses quotes as
 * whole quoted values (backslash escapes honoured), so the key it stops
 * before is outside quotes; being greedy, it stops before the last pair that
 * parses. A quoted value is captured with its quotes (`q`), an unquoted one
 * without (`u`); an unquoted value must end at a space or the line's end,
 * and neither `=` nor `"` may occur in it. The line is matched with a space
 * in front, so a key at the start is preceded by one too.
 */
function fieldPattern(key: string): string {
  return (
    `(?s)^(?:[^"]|"(?:[^"\\\\]|\\\\.)*")*${SPACE}${key}=` +
    `(?:("(?:[^"\\\\]|\\\\.)*")|([^\\x00-\\x20="]*)(?:${SPACE}|$))`
  );
}

/**
 * Columns, layer after layer, that extract field `k` as `f{i}` ('' when
 * unset) and flag `e{i}` when its value is quoted with escapes (which SQL
 * does not decode). Most lines take string functions only: no `k=` at all,
 * or a single `k=`, at the start or after a space, outside quotes, and its
 * value, up to the next space, holding no other char <= 32, `=` or `"`.
 * Outside quotes: no quote before it, or no backslash and an even number of
 * quotes before it. Every other line takes the regular expression.
 *
 * Only contains and split_part touch the whole line: they compare bytes,
 * where strpos and substr count characters from the line's start (a third
 * of the CPU of the query on the bench corpus). The tests then look at the
 * text before `k=` (`p{i}`) and the text after it up to a next `k=`
 * (`r{i}`): `k=` occurs once exactly when both and `k=` make up the line,
 * lengths DuckDB keeps with each string.
 */
function fieldLayers(k: string, i: number): string[][] {
  const eq = sqlString(k + '=');
  const pre = `p${i}`;
  // A CASE chain, so that each test runs only on the lines the ones before it left open.
  const fast =
    `CASE WHEN NOT a${i} THEN true ` +
    `WHEN strlen(${pre}) + ${k.length + 1} + strlen(r${i}) <> strlen(line) THEN false ` +
    `WHEN NOT (${pre} = '' OR ends_with(${pre}, ' ')) THEN false ` +
    `WHEN t${i} GLOB '*[' || chr(1) || '-' || chr(31) || '="]*' OR contains(t${i}, chr(0)) THEN false ` +
    `WHEN NOT contains(${pre}, '"') THEN true ` +
    `WHEN contains(${pre}, '\\') THEN false ` +
    // Plain keys hold no LIKE wildcard; DuckDB's LIKE has no escape character.
    `WHEN ${pre} LIKE '%"%"%' AND ${pre} NOT LIKE '%"%"%"%' THEN true ` +
    `ELSE (strlen(${pre}) - strlen(replace(${pre}, '"', ''))) % 2 = 0 END`;
  const x = `regexp_extract(' ' || line, ${sqlString(fieldPattern(k))}, ['q', 'u'])`;
  return [
    [`contains(line, ${eq}) AS a${i}`],
    [
      `CASE WHEN a${i} THEN split_part(line, ${eq}, 1) END AS p${i}`,
      `CASE WHEN a${i} THEN split_part(line, ${eq}, 2) END AS r${i}`,
    ],
    [`strpos(r${i}, ' ') AS s${i}`],
    [`CASE WHEN s${i} = 0 THEN r${i} ELSE left(r${i}, s${i} - 1) END AS t${i}`],
    [`${fast} AS ok${i}`],
    [`CASE WHEN NOT ok${i} THEN ${x} END AS x${i}`],
    [
      `CASE WHEN ok${i} THEN coalesce(t${i}, '') WHEN x${i}.q <> '' ` +
        `THEN substr(x${i}.q, 2, length(x${i}.q) - 2) ELSE x${i}.u END AS f${i}`,
      `coalesce(NOT ok${i} AND contains(x${i}.q, '\\'), false) AS e${i}`,
    ],
  ];
}

/** Nested selects adding each layer's columns to everything before. */
export function layered(from: string, layers: string[][]): string {
  return layers.reduce((sql, cols) => `SELECT *, ${cols.join(', ')} FROM (${sql})`, from);
}

/**
 * `from` with, for each key `keys[i]`, the logfmt stage's hinted lookup of
 * it as `f{i}` ('' when the stage sets nothing) and `e{i}`, true where the
 * value is quoted with escapes, which SQL does not decode (`f{i}` is then
 * not the stage's value). `from` must have a `line` column.
 */
export function logfmtFieldsSql(from: string, keys: readonly string[]): string {
  const layers = keys.map(fieldLayers);
  const depth = Math.max(0, ...layers.map((l) => l.length));
  const merged: string[][] = [];
  for (let d = 0; d < depth; d++) merged.push(layers.flatMap((l) => l[d] ?? []));
  return layered(from, merged);
}
