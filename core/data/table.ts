/**
 * Table previews for notebook outputs: a Danfo `DataFrame` or a {@link DataTable} -> the
 * `application/vnd.stratum.table+json` payload ({@link TableData}).
 */
import type * as dfd from 'danfojs-node';
import { danfoDtype } from './columns.ts';
import type { DataTable } from './columns.ts';

/** MIME type of a {@link TableData} output. */
export const TABLE_MIME = 'application/vnd.stratum.table+json';

/** A JSON-safe table cell. */
export type TableCell = number | string | boolean | null;

/**
 * Payload of `application/vnd.stratum.table+json`: a row-major preview of a table.
 *
 * @example
 * { columns: [{ name: 'temp_max', dtype: 'float32' }], rows: [[12.8], [10.6]], totalRows: 1461 }
 */
export interface TableData {
  /** Columns in order; `dtype` is Danfo's name (`int32`, `float32`, `boolean`, `string`, ...). */
  columns: Array<{ name: string; dtype: string }>;
  /** At most `maxRows` rows, each with one cell per column; missing values and NaN are `null`. */
  rows: TableCell[][];
  /** Number of rows in the whole table (not just the preview). */
  totalRows: number;
}

/** Options for {@link dataFrameToTable} and {@link csvTableToTable}. */
export interface TableOptions {
  /** Number of leading rows to include; default {@link DEFAULT_MAX_ROWS}. */
  maxRows?: number;
}

/** Rows shown by default in a table preview. */
export const DEFAULT_MAX_ROWS = 50;

/**
 * Preview of a Danfo `DataFrame` as {@link TableData}: its first `maxRows` rows (default 50),
 * `totalRows` = the frame's row count. NaN, `undefined` and `null` become `null`; ±Infinity becomes
 * the string `"Infinity"`/`"-Infinity"` (JSON has no such number); a `Date` becomes its ISO string.
 */
export function dataFrameToTable(df: dfd.DataFrame, options: TableOptions = {}): TableData {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const [totalRows] = df.shape as [number, number];
  const dtypes = df.dtypes;
  const columns = df.columns.map((name, c) => ({ name: String(name), dtype: String(dtypes[c]) }));
  const shown = Math.max(0, Math.min(maxRows, totalRows));
  // `head` reads only the rows it returns (a frame from core/data/frame.ts has not built the
  // others); `values` of the whole frame is read only when it is all shown.
  const values = shown === 0 ? [] : ((shown < totalRows ? df.head(shown) : df).values as unknown[][]);
  const rows = values.slice(0, shown).map((row) => row.map(toCell));
  return { columns, rows, totalRows };
}

/**
 * Preview of a {@link DataTable} (any connector's, e.g. a CSV table) as {@link TableData}, like
 * {@link dataFrameToTable} (dtypes use Danfo's names, so `bool` shows as `boolean`).
 */
export function csvTableToTable(table: DataTable, options: TableOptions = {}): TableData {
  const maxRows = Math.max(0, Math.min(options.maxRows ?? DEFAULT_MAX_ROWS, table.rowCount));
  const columns = table.columns.map((c) => ({ name: c.name, dtype: danfoDtype(c.dtype) }));
  const rows: TableCell[][] = [];
  for (let r = 0; r < maxRows; r++) rows.push(table.columns.map((c) => toCell(c.values[r])));
  return { columns, rows, totalRows: table.rowCount };
}

/** Same as {@link csvTableToTable}, under the connector-neutral name. */
export const dataTableToTable = csvTableToTable;

/**
 * Converts any cell value to a JSON-safe {@link TableCell}. Date/time columns of a loaded table are
 * ISO text and pass through unchanged, so a timestamp without a zone (`2012-01-01 10:00`, a Parquet
 * or PostgreSQL `timestamp`, an Excel time) shows without one, and a zoned one keeps its `Z` or
 * offset (see `isoDate`/`timestampMillis` in core/data/columns.ts). A JS `Date` (made in code) is
 * an instant and shows as `toISOString()`, in UTC with `Z`; to show a naive timestamp parsed under
 * Stratum's convention (wall-clock time read as UTC), format it with `isoDate(d, 'naive')`.
 */
export function toCell(value: unknown): TableCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return null;
    return Number.isFinite(value) ? value : value > 0 ? 'Infinity' : '-Infinity';
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return String(value);
}
