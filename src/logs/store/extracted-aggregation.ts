import type { DuckDBConnection, DuckDBListValue } from '@duckdb/node-api';
import type { Labels } from '../../common/labels.js';
import type { ExtractedRequest, ExtractedSeries } from '../reader.js';
import type { StreamInfo } from './catalog.js';
import {
  LEVEL_COLUMN,
  LEVEL_KEY,
  levelSources,
  type ScanSource,
  tableSources,
} from './level-column.js';
import { layered, logfmtFieldsSql, PLAIN_KEY } from './logfmt-sql.js';
import { isOutOfMemory } from './memory-budget.js';
import { HOUR_NS } from './partitions.js';
import { streamIdRanges, streamIdsSql } from './queries.js';
import { lineFilterSql, sqlString } from './sql.js';
import { unwrappedSamples, VALUE_SEPARATOR } from './unwrapped-samples.js';

/**
 * The entries of `ids` from these sources: from a sorted one, one scan per
 * run of consecutive stream ids (queries.ts's ranges), so that DuckDB skips
 * the blocks of other streams; from one in arrival order (a day still being
 * written), one scan, since each range would read all of it (a filtered
 * rate over 15 of 45 streams of 2 M lines: ~1.9 s by ranges).
 */
function streamScans(sources: ScanSource[], ids: number[], where: string, columns: string): string {
  return sources
    .flatMap((source) =>
      (source.sorted ? streamIdRanges(ids) : [streamIdsSql(ids)]).map(
        (streams) => `SELECT ${columns} FROM (${source.sql}) WHERE ${streams} AND ${where}`,
      ),
    )
    .join(' UNION ALL ');
}

/**
 * `selector | logfmt` aggregated inside DuckDB: fields extracted by regular
 * expressions, grouped by stream, field values and bucket (or, with unwrap,
 * returned as compact (series, time, value) rows). Resolves undefined when a
 * line could extract differently from the stage — a field named like a
 * stream label, a quoted value with escapes, an unwrapped value SQL does not
 * convert — so the caller runs the stages over the lines instead.
 * `afterSlice` runs after each slice of unwrapped values is converted (the
 * store trims the V8 heap there).
 */
export async function extractedAggregation(
  conn: DuckDBConnection,
  days: number[],
  streams: StreamInfo[],
  req: ExtractedRequest,
  afterSlice: () => void = () => undefined,
): Promise<ExtractedSeries[] | undefined> {
  const keys = req.unwrap ? [...req.fields, req.unwrap.field] : req.fields;
  if (!keys.every((k) => PLAIN_KEY.test(k))) return undefined;
  if (streams.some((s) => keys.some((k) => k in s.labels))) return undefined;
  if (req.parser === 'none' ? keys.length > 0 : keys.length === 0) return undefined;
  if (streams.length === 0) return [];
  const filters = req.filters.map(lineFilterSql);
  const scans = (from: ScanSource[], columns: string, lo = req.startNs, hi = req.endNs): string =>
    streamScans(
      from,
      streams.map((s) => s.id),
      [`ts >= ${lo}`, `ts < ${hi}`, ...filters].join(' AND '),
      columns,
    );
  const escaped = keys.length > 0 ? keys.map((_, i) => `e${i}`).join(' OR ') : 'false';
  const u = keys.length - 1;
  const fromLines = (from: ScanSource[], lo?: bigint, hi?: bigint): string =>
    layered(
      logfmtFieldsSql(`SELECT * FROM (${scans(from, 'stream_id, ts, bytes, line', lo, hi)})`, keys),
      [[`(${escaped}) AS esc`, ...(req.unwrap ? [`f${u} AS v`] : [])]],
    );
  const dayTables = await tableSources(conn, days);
  const tables = dayTables.map((t) => ({
    sql: `SELECT stream_id, ts, bytes, line, metadata FROM ${t.table}`,
    sorted: t.sorted,
  }));
  const inner = fromLines(tables);
  const split =
    !req.unwrap && keys.length === 1 && keys[0] === LEVEL_KEY ? levelSources(dayTables) : undefined;
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
    !split &&
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
    const head =
      `SELECT ${req.fieldsOnly ? '0' : 'stream_id'}::INTEGER AS sid, (${k})::DOUBLE AS k, ` +
      `count(*)::DOUBLE, sum(bytes)::DOUBLE`;
    let sql = `${head}, bool_or(esc)${fields} FROM (${inner}) GROUP BY ALL`;
    if (split) {
      // Settled lines are grouped by the column as the ENUM it is, table by
      // table (one key and a bucket: ~40% less CPU than strings and
      // evaluation windows); a bucket may then come once per part. Line
      // filters still read lines.
      const columns = `stream_id, ts, bytes, ${LEVEL_COLUMN}${req.filters.length > 0 ? ', line' : ''}`;
      sql = [
        ...split.known.map(
          (source) =>
            `${head}, false, ${LEVEL_COLUMN}::VARCHAR FROM (${scans([source], columns)}) ` +
            `GROUP BY sid, k, ${LEVEL_COLUMN}`,
        ),
        `${head}, bool_or(esc), f0 FROM (${fromLines(split.unknown)}) GROUP BY ALL`,
      ].join(' UNION ALL ');
    }
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
      const b = s.buckets!.get(ks[i]!);
      if (b) {
        b.count += counts[i]!;
        b.bytes += sizes[i]!;
      } else s.buckets!.set(ks[i]!, { count: counts[i]!, bytes: sizes[i]! });
    }
    return [...out.values()];
  }

  // One row per series with its samples as lists: converting lists costs far
  // less than converting a row (with its label strings) per sample. Values
  // come as text and are converted by the unwrap stage's own functions. A
  // slice of the range at a time (timeSlices).
  const slices = timeSlices(streams, req.startNs, req.endNs);
  while (slices.length > 0) {
    const [lo, hi] = slices.shift()!;
    const samples =
      `SELECT stream_id, (ts - ${req.originNs})::DOUBLE AS t, v, esc${fields} ` +
      `FROM (SELECT * FROM (${fromLines(tables, lo, hi)}) WHERE v <> '')`;
    const sql =
      `SELECT sid, bad, list_transform(pairs, p -> p.t), ` +
      `array_to_string(list_transform(pairs, p -> p.v), ${sqlString(VALUE_SEPARATOR)})${fields} ` +
      `FROM (SELECT ${req.fieldsOnly ? '0' : 'stream_id'} AS sid, ` +
      `bool_or(esc) AS bad, list({'t': t, 'v': v}) AS pairs${fields} ` +
      `FROM (${samples}) GROUP BY ALL)`;
    let rows: unknown[][];
    try {
      rows = (await conn.runAndReadAll(sql)).getRows();
    } catch (err) {
      // Lists cannot spill: while loads or other queries hold DuckDB's
      // memory, the two halves of a slice may fit where the whole did not.
      if (!isOutOfMemory(err) || hi - lo < MIN_SLICE_NS) throw err;
      const mid = lo + (hi - lo) / 2n;
      slices.unshift([lo, mid], [mid, hi]);
      continue;
    }
    if (rows.some((r) => r[1] === true)) return undefined;
    for (const r of rows) {
      const converted = unwrappedSamples(
        (r[2] as DuckDBListValue).items as number[],
        r[3] as string,
        req.unwrap.conversion,
      );
      if (!converted) return undefined;
      // Each series is one group of a slice's query; slices follow each other in time.
      const s = seriesOf(Number(r[0]), r.slice(4), () => ({ labels: {}, offsets: [], values: [] }));
      for (let i = 0; i < converted.offsets.length; i++) {
        s.offsets!.push(converted.offsets[i]!);
        s.values!.push(converted.values[i]!);
      }
    }
    afterSlice();
  }
  return [...out.values()];
}

/**
 * Entries per slice of unwrapped values: 400k of the bench's samples as
 * DuckDB lists took 64 MB, 200k ~38 MB, which the store's 40 MB could not
 * hold beside the blocks being scanned; 100k take ~19 MB.
 */
const SLICE_ENTRIES = 100_000;

/** The narrowest slice halved again when DuckDB runs out of memory. */
const MIN_SLICE_NS = 60_000_000_000n;

/**
 * [start, end) cut at hours into slices of about SLICE_ENTRIES entries of
 * these streams (the catalog's hourly counts), in time order.
 */
export function timeSlices(
  streams: Pick<StreamInfo, 'hours'>[],
  startNs: bigint,
  endNs: bigint,
  sliceEntries = SLICE_ENTRIES,
): [bigint, bigint][] {
  const perHour = new Map<number, number>();
  for (const s of streams) {
    for (const [hour, n] of s.hours) perHour.set(hour, (perHour.get(hour) ?? 0) + n);
  }
  const out: [bigint, bigint][] = [];
  let from = startNs;
  let held = 0;
  for (const hour of [...perHour.keys()].sort((a, b) => a - b)) {
    const start = BigInt(hour) * HOUR_NS;
    if (start + HOUR_NS <= startNs || start >= endNs) continue;
    if (held > 0 && held + perHour.get(hour)! > sliceEntries && start > from) {
      out.push([from, start]);
      from = start;
      held = 0;
    }
    held += perHour.get(hour)!;
  }
  out.push([from, endNs]);
  return out;
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
