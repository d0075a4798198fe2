import type { DuckDBConnection } from '@duckdb/node-api';
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

/** Nanoseconds per Go duration unit, as time.ParseDuration has them. */
const UNIT_NS =
  "CASE m.u WHEN 'ns' THEN 1.0 WHEN 'us' THEN 1e3 WHEN 'µs' THEN 1e3 WHEN 'μs' THEN 1e3 " +
  "WHEN 'ms' THEN 1e6 WHEN 's' THEN 1e9 WHEN 'm' THEN 6e10 ELSE 3.6e12 END";

/**
 * The value SQL for an unwrapped field `v` (with `m`, its split into number
 * and unit), NULL where SQL does not convert it (the query then falls back
 * to the stages). Only shapes converted with the stages' exact float
 * arithmetic: `0`, or one number of up to 15 digits before and after the
 * point with one unit, for duration() (number × unit ns / 1e9, as the stage
 * computes it); a plain decimal number otherwise (DuckDB's and JavaScript's
 * string-to-double are both correctly rounded).
 */
function valueSql(conversion: 'duration' | 'duration_seconds' | undefined): string {
  if (conversion) {
    return (
      `CASE WHEN v = '0' THEN 0.0 WHEN m.n = '' THEN NULL ` +
      `ELSE CAST(m.n AS DOUBLE) * (${UNIT_NS}) / 1e9 END`
    );
  }
  return `CASE WHEN regexp_full_match(v, '-?[0-9]{1,15}(?:\\.[0-9]{1,15})?') THEN CAST(v AS DOUBLE) END`;
}

const DURATION_SPLIT = `regexp_extract(v, '^([0-9]{1,15}(?:\\.[0-9]{1,15})?)(ns|us|µs|μs|ms|s|m|h)$', ['n', 'u']) AS m`;

/** Raw extraction struct → the field's value ('' when unset) and whether it holds an escape. */
function valueOf(x: string): { value: string; escaped: string } {
  return {
    value: `CASE WHEN ${x}.q <> '' THEN substr(${x}.q, 2, length(${x}.q) - 2) ELSE ${x}.u END`,
    escaped: `contains(${x}.q, '\\')`,
  };
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
  if (req.parser !== 'logfmt' || !keys.every((k) => PLAIN_KEY.test(k))) return undefined;
  if (streams.some((s) => keys.some((k) => k in s.labels))) return undefined;
  if (streams.length === 0) return [];
  const where = [
    `stream_id IN (${streams.map((s) => s.id).join(',')})`,
    `ts >= ${req.startNs}`,
    `ts < ${req.endNs}`,
    ...req.filters.map(lineFilterSql),
  ].join(' AND ');
  const extracts = keys.map(
    (k, i) =>
      `CASE WHEN contains(line, ${sqlString(k + '=')}) THEN ` +
      `regexp_extract(' ' || line, ${sqlString(fieldPattern(k))}, ['q', 'u']) END AS x${i}`,
  );
  const values = keys.map((_, i) => valueOf(`x${i}`));
  const fieldCols = req.fields.map((_, i) => `coalesce(${values[i]!.value}, '') AS f${i}`);
  const escaped = values.map((v) => `coalesce(${v.escaped}, false)`).join(' OR ') || 'false';
  const inner =
    `SELECT stream_id, ts, bytes, ${[...fieldCols, `(${escaped}) AS esc`].join(', ')}` +
    (req.unwrap ? `, coalesce(${values[keys.length - 1]!.value}, '') AS v` : '') +
    ` FROM (SELECT stream_id, ts, bytes${extracts.map((e) => ', ' + e).join('')} ` +
    `FROM (${source}) WHERE ${where})`;
  const fieldNames = req.fields.map((_, i) => `f${i}`);
  const byStream = new Map(streams.map((s) => [s.id, s.labels]));
  const out = new Map<string, ExtractedSeries>();
  const seriesOf = (
    sid: number,
    fields: unknown[],
    make: () => ExtractedSeries,
  ): ExtractedSeries => {
    const key = `${sid}\u0000${fields.join('\u0000')}`;
    let s = out.get(key);
    if (!s) {
      s = make();
      const labels: Labels = { ...byStream.get(sid)! };
      fields.forEach((v, i) => {
        if (v !== '') labels[req.fields[i]!] = String(v);
      });
      s.labels = labels;
      out.set(key, s);
    }
    return s;
  };

  if (!req.unwrap) {
    const d = `(ts - ${req.originNs} - 1)`;
    const size = req.bucketNs;
    const k = `CASE WHEN ${d} >= 0 THEN ${d} // ${size} ELSE -((-${d} + ${size} - 1) // ${size}) END`;
    const sql =
      `SELECT stream_id, ${k} AS k, count(*)::DOUBLE, sum(bytes)::DOUBLE, bool_or(esc)` +
      `${fieldNames.map((f) => ', ' + f).join('')} FROM (${inner}) GROUP BY ALL`;
    const rows = (await conn.runAndReadAll(sql)).getRows();
    if (rows.some((r) => r[4] === true)) return undefined;
    for (const r of rows) {
      const s = seriesOf(Number(r[0]), r.slice(5), () => ({ labels: {}, buckets: new Map() }));
      s.buckets!.set(Number(r[1]), { count: r[2] as number, bytes: r[3] as number });
    }
    return [...out.values()];
  }

  const sql =
    `SELECT stream_id, (ts - ${req.originNs})::DOUBLE AS t, ${valueSql(req.unwrap.conversion)} AS val, esc` +
    `${fieldNames.map((f) => ', ' + f).join('')} FROM (SELECT *` +
    `${req.unwrap.conversion ? ', ' + DURATION_SPLIT : ''} FROM (${inner}) WHERE v <> '')`;
  const result = await conn.stream(sql);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const cols = chunk.getColumns();
    const [ids, ts, vals, esc] = cols as [number[], number[], (number | null)[], boolean[]];
    const fields = cols.slice(4) as string[][];
    for (let i = 0; i < ids.length; i++) {
      const v = vals[i];
      if (v === null || v === undefined || esc[i]) return undefined;
      const s = seriesOf(
        ids[i]!,
        fields.map((f) => f[i]!),
        () => ({ labels: {}, offsets: [], values: [] }),
      );
      s.offsets!.push(ts[i]!);
      s.values!.push(v);
    }
  }
  return [...out.values()];
}
