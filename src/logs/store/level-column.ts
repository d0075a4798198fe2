import type { DuckDBConnection } from '@duckdb/node-api';
import { logfmtFieldsSql } from './logfmt-sql.js';
import { PARTITION_KINDS, partitionDb, partitionTable } from './partitions.js';
import { sqlString } from './sql.js';

/**
 * Settled days keep, beside each line, what `| logfmt` extracts for
 * `level` when the query reads only that label (the stage's hinted lookup,
 * by the same SQL that extracted-aggregation uses): Grafana's log-volume
 * query is `sum by (level) (count_over_time({...} | logfmt [$__interval]))`,
 * and with this column it never reads a line (Loki likewise derives
 * `detected_level` at ingest). '' where the stage sets nothing; NULL where
 * SQL cannot tell (escaped quoted values) or the value is not among the
 * day's most common ones: those lines, and lines loaded after the day
 * settled, are extracted from the line at query time as before.
 */
export const LEVEL_COLUMN = 'logfmt_level';
export const LEVEL_KEY = 'level';

/**
 * An ENUM of the day's values: bit-packed codes, ~0.2 bytes per line for a
 * handful of levels, where DuckDB's string dictionary took ~0.5.
 */
const MAX_LEVELS = 250;
const MAX_LEVEL_CHARS = 64;
/**
 * Lines the ENUM's values are chosen from: the common values show in any
 * sample, and a value outside the ENUM is only NULL (read from its line), so
 * settling extracts each line's level once, for the column, not twice.
 */
const TYPE_SAMPLE_ROWS = 100_000;

/** `table`'s entry columns with the level; a settled table's own level column is not read. */
function levelSql(table: string, sample = ''): string {
  const entries = `SELECT stream_id, ts, bytes, line, metadata FROM ${table}${sample}`;
  return (
    `SELECT *, CASE WHEN NOT e0 THEN f0 END AS ${LEVEL_COLUMN} ` +
    `FROM (${logfmtFieldsSql(entries, [LEVEL_KEY])})`
  );
}

/** The column's type for `table`'s rows: an ENUM of its most common short values. */
export async function levelColumnType(conn: DuckDBConnection, table: string): Promise<string> {
  const r = await conn.runAndReadAll(
    `SELECT ${LEVEL_COLUMN} FROM (${levelSql(table, ` USING SAMPLE ${TYPE_SAMPLE_ROWS} ROWS`)}) ` +
      `WHERE strlen(${LEVEL_COLUMN}) <= ${MAX_LEVEL_CHARS} ` +
      `GROUP BY ALL ORDER BY count(*) DESC, 1 LIMIT ${MAX_LEVELS}`,
  );
  // Control characters stay out of the SQL text (those lines read their line).
  const values = new Set(['', ...r.getRows().map((row) => String(row[0]))]);
  for (const v of values) if (/[\u0000-\u001f]/.test(v)) values.delete(v);
  return `ENUM(${[...values].map(sqlString).join(', ')})`;
}

/** The rows of `table` (an entries table) with the level column, of `type`, after its own columns. */
export function withLevelSql(table: string, type: string): string {
  return (
    `SELECT stream_id, ts, bytes, line, metadata, TRY_CAST(${LEVEL_COLUMN} AS ${type}) ` +
    `FROM (${levelSql(table)})`
  );
}

/** A table of a day to scan, as SQL, and whether its rows are sorted by stream (a settled day's). */
export interface ScanSource {
  sql: string;
  sorted: boolean;
}

/** A table of a day, with its level column's type if it has one. */
export interface DayTable {
  table: string;
  levelType: string | undefined;
  /** A table whose level column is an ENUM was rewritten when its day settled, sorted by hour and stream. */
  sorted: boolean;
}

/** These days' tables; a day still being written has no level column or a VARCHAR one. */
export async function tableSources(conn: DuckDBConnection, days: number[]): Promise<DayTable[]> {
  const tables = days.flatMap((day) =>
    PARTITION_KINDS.map((kind) => ({ db: partitionDb(day), name: partitionTable(day, kind) })),
  );
  if (tables.length === 0) return [];
  const r = await conn.runAndReadAll(
    `SELECT database_name || '.' || table_name, data_type FROM duckdb_columns() ` +
      `WHERE column_name = ${sqlString(LEVEL_COLUMN)} ` +
      `AND database_name IN (${[...new Set(tables.map((t) => sqlString(t.db)))].join(', ')})`,
  );
  const types = new Map(r.getRows().map(([t, type]) => [String(t), String(type)]));
  return tables.map((t) => {
    const levelType = types.get(t.name);
    return { table: t.name, levelType, sorted: levelType?.startsWith('ENUM') === true };
  });
}

/**
 * The entries of these tables split by whether the level column knows a
 * line's value: `known`, one source per table with the column (each settled
 * day has its own ENUM, and a union of two is a string column), and
 * `unknown` (lines of tables without it and NULLs of those with it), all with
 * the columns of an entries table. Undefined when no table there has the
 * column. Callers scan both parts with the request's own time range and line
 * filters.
 */
export function levelSources(
  tables: DayTable[],
): { known: ScanSource[]; unknown: ScanSource[] } | undefined {
  if (!tables.some((t) => t.levelType !== undefined)) return undefined;
  const columns = 'stream_id, ts, bytes, line, metadata';
  const known = tables
    .filter((t) => t.levelType !== undefined)
    .map((t) => ({
      sql: `SELECT ${columns}, ${LEVEL_COLUMN} FROM ${t.table} WHERE ${LEVEL_COLUMN} IS NOT NULL`,
      sorted: t.sorted,
    }));
  const unknown = tables.map((t) => ({
    sql:
      t.levelType !== undefined
        ? `SELECT ${columns} FROM ${t.table} WHERE ${LEVEL_COLUMN} IS NULL`
        : `SELECT ${columns} FROM ${t.table}`,
    sorted: t.sorted,
  }));
  return { known, unknown };
}

/**
 * Fills the level column of `db`'s short-line table for the rows inside
 * `where` that have no value yet: rows loaded into a settled day since, or
 * those of a day still being written, whose table first gets the column (as
 * VARCHAR: its ENUM is chosen when the day settles). Values outside a
 * settled day's ENUM stay NULL, read from their line as before.
 */
export async function fillLevelColumn(
  conn: DuckDBConnection,
  db: string,
  where: string,
): Promise<void> {
  const table = `${db}.entries`;
  const r = await conn.runAndReadAll(
    `SELECT data_type FROM duckdb_columns() WHERE database_name = ${sqlString(db)} ` +
      `AND table_name = 'entries' AND column_name = ${sqlString(LEVEL_COLUMN)}`,
  );
  const type = r.getRows()[0]?.[0] as string | undefined;
  if (type === undefined) await conn.run(`ALTER TABLE ${table} ADD COLUMN ${LEVEL_COLUMN} VARCHAR`);
  const value =
    type === undefined || type === 'VARCHAR'
      ? 'u.level'
      : `CASE WHEN list_contains(enum_range(t.${LEVEL_COLUMN}), u.level) THEN u.level END`;
  const rows = `SELECT rowid AS r, line FROM ${table} WHERE (${where}) AND ${LEVEL_COLUMN} IS NULL`;
  await conn.run(
    `UPDATE ${table} AS t SET ${LEVEL_COLUMN} = ${value} ` +
      `FROM (SELECT r, CASE WHEN NOT e0 THEN f0 END AS level FROM (${logfmtFieldsSql(rows, [LEVEL_KEY])})) u ` +
      `WHERE t.rowid = u.r AND u.level IS NOT NULL`,
  );
}
