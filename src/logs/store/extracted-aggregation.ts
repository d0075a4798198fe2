import type { DuckDBConnection, DuckDBListValue } from '@duckdb/node-api';
import type { Labels } from '../../common/labels.js';
import type { ExtractedRequest, ExtractedSeries } from '../reader.js';
import type { StreamInfo } from './catalog.js';
import { lineFilterSql, sqlString } from './sql.js';

const PLAIN_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

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
 * Go duration units: two-letter ones before `s` so that `ms` is not taken
 * for `s`; `ms` first, being the usual one.
 */
const UNITS: [string, string][] = [
  ['ms', '1e6'],
  ['ns', '1.0'],
  ['us', '1e3'],
  ['µs', '1e3'],
  ['μs', '1e3'],
  ['s', '1e9'],
  ['m', '6e10'],
  ['h', '3.6e12'],
];

/** `n` is 1 to 15 digits with at most one point inside: the numbers converted here. */
function plainNumber(n: string): string {
  return (
    `(length(${n}) BETWEEN 1 AND 15 AND ltrim(${n}, '0123456789.') = '' AND ` +
    `length(${n}) - length(replace(${n}, '.', '')) <= 1 AND ` +
    `NOT starts_with(${n}, '.') AND NOT suffix(${n}, '.'))`
  );
}

/**
 * The value of the unwrapped field `v`, NULL where SQL does not convert it
 * (the query then falls back to the stages): `0`, or a plain number with one
 * unit, for duration() (number × unit ns / 1e9, the stage's own float
 * arithmetic); an optionally negative plain number otherwise. DuckDB's and
 * JavaScript's string-to-double are both correctly rounded.
 */
function valueLayers(conversion: 'duration' | 'duration_seconds' | undefined): string[][] {
  if (!conversion) {
    const n = `CASE WHEN starts_with(v, '-') THEN substr(v, 2) ELSE v END`;
    return [[`CASE WHEN ${plainNumber(`(${n})`)} THEN CAST(v AS DOUBLE) END AS val`]];
  }
  const unit = `CASE ${UNITS.map(([u]) => `WHEN suffix(v, '${u}') THEN '${u}'`).join(' ')} END`;
  const ns = `CASE u ${UNITS.map(([u, f]) => `WHEN '${u}' THEN ${f}`).join(' ')} END`;
  return [
    [`${unit} AS u`],
    [`left(v, length(v) - coalesce(length(u), 0)) AS n`],
    [
      `CASE WHEN v = '0' THEN 0.0 WHEN u IS NOT NULL AND ${plainNumber('n')} ` +
        `THEN CAST(n AS DOUBLE) * (${ns}) / 1e9 END AS val`,
    ],
  ];
}

/**
 * Per line, once for every field: where its first quote and first backslash
 * are (0 when absent), and whether it holds exactly two quotes — so that most
 * keys are known to be outside quoted values without copying the text before
 * them (LIKE and single-byte strpos only scan; substr copies). Only lines
 * holding some `k=` (`a{i}`, the fields' first layer) need them.
 */
function quoteLayer(fields: number): string[] {
  const any = Array.from({ length: fields }, (_, i) => `a${i} > 0`).join(' OR ');
  return [
    `CASE WHEN ${any} THEN strpos(line, '"') END AS q1`,
    `CASE WHEN ${any} THEN strpos(line, '\\') END AS bs`,
    `CASE WHEN ${any} THEN line LIKE '%"%"%' AND line NOT LIKE '%"%"%"%' END AS two`,
  ];
}

/**
 * Columns, layer after layer, that extract field `k` as `f{i}` ('' when
 * unset) and flag `e{i}` when its value is quoted with escapes (which SQL
 * does not decode). Most lines take string functions only: no `k=` at all,
 * or the first `k=` at the start or after a space, outside quotes, no `k=`
 * following it, and its value, up to the next space, holding no other char
 * <= 32, `=` or `"`. Outside quotes: no quote before it, or no backslash before
 * it and both quotes of a two-quote line before it (`msg="..." k=v`), or an
 * even number of quotes before it. Every other line takes the regular expression.
 */
function fieldLayers(k: string, i: number): string[][] {
  const eq = sqlString(k + '=');
  // The first `k=` when it starts the line or follows a space (one scan of the line).
  const pos = `CASE WHEN a${i} = 1 OR (a${i} > 1 AND substr(line, a${i} - 1, 1) = ' ') THEN a${i} END`;
  const pre = `substr(line, 1, p${i} - 1)`;
  // A CASE chain, so that each test runs only on the lines the ones before it left open.
  const fast =
    `CASE WHEN a${i} = 0 THEN true WHEN p${i} IS NULL THEN false ` +
    `WHEN t${i} GLOB '*[' || chr(1) || '-' || chr(31) || '="]*' OR contains(t${i}, chr(0)) THEN false ` +
    `WHEN strpos(r${i}, ${eq}) <> 0 THEN false ` +
    `WHEN q1 = 0 OR q1 > p${i} THEN true ` +
    `WHEN bs > 0 AND bs < p${i} THEN false ` +
    `WHEN two AND strpos(r${i}, '"') = 0 THEN true ` +
    `ELSE (length(${pre}) - length(replace(${pre}, '"', ''))) % 2 = 0 END`;
  const x = `regexp_extract(' ' || line, ${sqlString(fieldPattern(k))}, ['q', 'u'])`;
  return [
    [`strpos(line, ${eq}) AS a${i}`],
    [`${pos} AS p${i}`],
    [`substr(line, p${i} + ${k.length + 1}) AS r${i}`],
    // strpos and substr: split_part builds a list of every part.
    [`strpos(r${i}, ' ') AS s${i}`],
    [`CASE WHEN s${i} = 0 THEN r${i} ELSE substr(r${i}, 1, s${i} - 1) END AS t${i}`],
    [`${fast} AS ok${i}`],
    [`CASE WHEN NOT ok${i} THEN ${x} END AS x${i}`],
    [
      `CASE WHEN ok${i} THEN coalesce(t${i}, '') WHEN x${i}.q <> '' ` +
        `THEN substr(x${i}.q, 2, length(x${i}.q) - 2) ELSE x${i}.u END AS f${i}`,
      `coalesce(NOT ok${i} AND contains(x${i}.q, '\\'), false) AS e${i}`,
    ],
  ];
}

/**
 * The entries of `ids` from `source`, one scan per run of consecutive stream
 * ids: a day's rows are clustered by stream, and DuckDB skips the blocks of
 * other streams for a range predicate but reads every line for an IN list
 * (9 of 45 streams: ~280 ms by IN, ~90 ms by ranges).
 */
function streamScans(source: string, ids: number[], where: string): string {
  const sorted = [...ids].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const id of sorted) {
    const last = runs[runs.length - 1];
    if (last && id === last[1] + 1) last[1] = id;
    else runs.push([id, id]);
  }
  return runs
    .map(([a, b]) => {
      const ids = a === b ? `stream_id = ${a}` : `stream_id BETWEEN ${a} AND ${b}`;
      return `SELECT stream_id, ts, bytes, line FROM (${source}) WHERE ${ids} AND ${where}`;
    })
    .join(' UNION ALL ');
}

/** Nested selects adding each layer's columns to everything before. */
function layered(from: string, layers: string[][]): string {
  return layers.reduce((sql, cols) => `SELECT *, ${cols.join(', ')} FROM (${sql})`, from);
}

/**
 * `selector | logfmt` aggregated inside DuckDB: fields extracted by regular
 * expressions, grouped by stream, field values and bucket (or, with unwrap,
 * returned as compact (series, time, value) rows). Resolves undefined when a
 * line could extract differently from the stage — a field named like a
 * stream label, a quoted value with escapes, an unwrapped value SQL does not
 * convert — so the caller runs the stages over the lines instead.
 */
export async function extractedAggregation(
  conn: DuckDBConnection,
  source: string,
  streams: StreamInfo[],
  req: ExtractedRequest,
): Promise<ExtractedSeries[] | undefined> {
  const keys = req.unwrap ? [...req.fields, req.unwrap.field] : req.fields;
  if (!keys.every((k) => PLAIN_KEY.test(k))) return undefined;
  if (streams.some((s) => keys.some((k) => k in s.labels))) return undefined;
  if (req.parser === 'none' ? keys.length > 0 : keys.length === 0) return undefined;
  if (streams.length === 0) return [];
  const where = [`ts >= ${req.startNs}`, `ts < ${req.endNs}`, ...req.filters.map(lineFilterSql)];
  const scans = streamScans(
    source,
    streams.map((s) => s.id),
    where.join(' AND '),
  );
  const layers = keys.map(fieldLayers);
  const depth = Math.max(0, ...layers.map((l) => l.length));
  const merged: string[][] = [];
  for (let d = 0; d < depth; d++) merged.push(layers.flatMap((l) => l[d] ?? []));
  // After the first layer, which finds each key.
  if (keys.length > 0) merged.splice(1, 0, quoteLayer(keys.length));
  const escaped = keys.length > 0 ? keys.map((_, i) => `e${i}`).join(' OR ') : 'false';
  const u = keys.length - 1;
  const inner = layered(`SELECT * FROM (${scans})`, [
    ...merged,
    [`(${escaped}) AS esc`, ...(req.unwrap ? [`f${u} AS v`] : [])],
  ]);
  // The field columns as they follow others in a SELECT list: `, f0, f1`.
  const fields = req.fields.map((_, i) => `, f${i}`).join('');
  const byStream = new Map(streams.map((s) => [s.id, s.labels]));
  const out = new Map<string | number, ExtractedSeries>();
  const seriesOf = (
    sid: number,
    fields: unknown[],
    make: () => ExtractedSeries,
  ): ExtractedSeries => {
    const key = fields.length === 0 ? sid : `${sid}\u0000${fields.join('\u0000')}`;
    let s = out.get(key);
    if (!s) {
      s = make();
      const labels: Labels = { ...byStream.get(sid) };
      fields.forEach((v, i) => {
        if (v !== '') labels[req.fields[i]!] = String(v);
      });
      s.labels = labels;
      out.set(key, s);
    }
    return s;
  };

  const windows = req.windows;
  if (
    !req.unwrap &&
    windows &&
    windows.count > 0 &&
    req.startNs > windows.firstEndNs - windows.rangeNs
  ) {
    return windowTotals(conn, inner, fields, req.fieldsOnly === true, windows, seriesOf);
  }

  if (!req.unwrap) {
    const d = `(ts - ${req.originNs} - 1)`;
    const size = req.bucketNs;
    // Floor division; entries after the origin (the engine's spans) need no sign test.
    const k =
      req.startNs > req.originNs
        ? `${d} // ${size}`
        : `CASE WHEN ${d} >= 0 THEN ${d} // ${size} ELSE -((-${d} + ${size} - 1) // ${size}) END`;
    // Numbers as DOUBLE and INTEGER, read column by column: no BigInt and no row
    // arrays for what can be ~10^5 buckets (gcd(step, range) may be small).
    const sql =
      `SELECT ${req.fieldsOnly ? '0' : 'stream_id'}::INTEGER, (${k})::DOUBLE AS k, ` +
      `count(*)::DOUBLE, sum(bytes)::DOUBLE, bool_or(esc)` +
      `${fields} FROM (${inner}) GROUP BY ALL`;
    const columns = (await conn.runAndReadAll(sql)).getColumns();
    // No rows come back as no columns at all.
    if (columns.length === 0) return [];
    const [sids, ks, counts, sizes, escs, ...fieldCols] = columns as [
      number[],
      number[],
      number[],
      number[],
      boolean[],
      ...unknown[][],
    ];
    if (escs.includes(true)) return undefined;
    for (let i = 0; i < sids.length; i++) {
      const s = seriesOf(
        sids[i]!,
        fieldCols.map((c) => c[i]),
        () => ({ labels: {}, buckets: new Map() }),
      );
      s.buckets!.set(ks[i]!, { count: counts[i]!, bytes: sizes[i]! });
    }
    return [...out.values()];
  }

  // One row per series with its samples as lists: converting lists costs far
  // less than converting a row (with its label strings) per sample.
  const samples =
    `SELECT stream_id, (ts - ${req.originNs})::DOUBLE AS t, val, esc` +
    `${fields} FROM (` +
    layered(`SELECT * FROM (${inner}) WHERE v <> ''`, valueLayers(req.unwrap.conversion)) +
    ')';
  // Both lists in (t, val) order, so ties in t cannot pair values differently:
  // one list of (t, val) pairs sorted once, then split (two ordered
  // aggregates would each buffer and sort every sample: ~15% more CPU).
  const sql =
    `SELECT sid, bad, list_transform(pairs, p -> p.t), list_transform(pairs, p -> p.v)${fields} ` +
    `FROM (SELECT ${req.fieldsOnly ? '0' : 'stream_id'} AS sid, ` +
    `bool_or(esc OR val IS NULL) AS bad, list_sort(list({'t': t, 'v': val})) AS pairs${fields} ` +
    `FROM (${samples}) GROUP BY ALL)`;
  const rows = (await conn.runAndReadAll(sql)).getRows();
  if (rows.some((r) => r[1] === true)) return undefined;
  for (const r of rows) {
    // Each series is one group of the query, so one row: its lists are taken as they are.
    seriesOf(Number(r[0]), r.slice(4), () => ({
      labels: {},
      offsets: (r[2] as DuckDBListValue).items as number[],
      values: (r[3] as DuckDBListValue).items as number[],
    }));
  }
  return [...out.values()];
}

/**
 * Counts per evaluation window: each entry lies in the windows e..s (those
 * ending at or after it and starting before it), so grouping by (e, s) gives
 * a handful of rows per step, which difference arrays turn into window totals
 * (integers, exact in doubles). Entries are after the first window's start.
 */
async function windowTotals(
  conn: DuckDBConnection,
  inner: string,
  fields: string,
  fieldsOnly: boolean,
  w: NonNullable<ExtractedRequest['windows']>,
  seriesOf: (sid: number, fields: unknown[], make: () => ExtractedSeries) => ExtractedSeries,
): Promise<ExtractedSeries[] | undefined> {
  const x = `(ts - ${w.firstEndNs - w.rangeNs})`;
  // x >= 1; shifted by whole steps so that the dividend of the first index stays positive.
  const shift = (w.rangeNs / w.stepNs + 1n) * w.stepNs;
  const e = `(${x} - ${w.rangeNs} + ${shift + w.stepNs - 1n}) // ${w.stepNs} - ${shift / w.stepNs}`;
  const last = `(${x} + ${w.stepNs - 1n}) // ${w.stepNs} - 1`;
  const sql =
    `SELECT ${fieldsOnly ? '0' : 'stream_id'}::INTEGER, (${e})::INTEGER AS e, ` +
    `(${last})::INTEGER AS s, count(*)::DOUBLE, sum(bytes)::DOUBLE, bool_or(esc)` +
    `${fields} FROM (${inner}) GROUP BY ALL`;
  const columns = (await conn.runAndReadAll(sql)).getColumns();
  if (columns.length === 0) return [];
  const [sids, es, ss, counts, sizes, escs, ...fieldCols] = columns as [
    number[],
    number[],
    number[],
    number[],
    number[],
    boolean[],
    ...unknown[][],
  ];
  if (escs.includes(true)) return undefined;
  const diffs = new Map<ExtractedSeries, { count: Float64Array; bytes: Float64Array }>();
  for (let i = 0; i < sids.length; i++) {
    const lo = Math.max(es[i]!, 0);
    const hi = Math.min(ss[i]!, w.count - 1);
    if (lo > hi) continue;
    const series = seriesOf(
      sids[i]!,
      fieldCols.map((c) => c[i]),
      () => ({ labels: {}, windows: { count: [], bytes: [] } }),
    );
    let d = diffs.get(series);
    if (!d) {
      d = { count: new Float64Array(w.count + 1), bytes: new Float64Array(w.count + 1) };
      diffs.set(series, d);
    }
    d.count[lo] += counts[i]!;
    d.count[hi + 1] -= counts[i]!;
    d.bytes[lo] += sizes[i]!;
    d.bytes[hi + 1] -= sizes[i]!;
  }
  for (const [series, d] of diffs) {
    let count = 0;
    let bytes = 0;
    for (let i = 0; i < w.count; i++) {
      count += d.count[i]!;
      bytes += d.bytes[i]!;
      series.windows!.count.push(count);
      series.windows!.bytes.push(bytes);
    }
  }
  return [...diffs.keys()];
}
