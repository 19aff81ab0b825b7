/**
 * {@link DataTable} -> Danfo `DataFrame`, cheaply.
 *
 * Danfo keeps every frame twice: row-major (`$data`, used by `values`, `iloc`, `print`,
 * `groupby`...) and column-major (`$dataIncolumnFormat`, used by `column()` / `df['x']`,
 * `describe()`). Its constructor builds the rows, transposes them and checks them (~4 s for 1M x 10).
 * Here the frame is created empty with its columns and dtypes, and its data is built from the
 * table as Danfo reads it:
 * - column-major: each column's JS array (numbers with NaN for missing, shared with the table, see
 *   `columnNumbers`; or the table's `values`) is built the first time Danfo reads that column
 *   (`column()`, `df['x']`, `describe()`...); until then a column from the CSV fast path stays a
 *   typed array (numbers) or dictionary codes (text), see `numericColumn` / `codedColumn`;
 * - row-major (1M small arrays for 1M rows: ~1 s and ~200 MB): built when an operation needs all
 *   rows (`values`, `groupby`, `sortValues`...); until then `head()`, `tail()`, `iloc()`,
 *   `print()` and `toString()` build just the rows they show.
 * `shape`, `columns`, `dtypes`, `index` need no data. Once its rows are built, the frame is an
 * ordinary Danfo frame, except that `column()` / `df['x']` skip the index uniqueness check of
 * Danfo's Series constructor (see below).
 */
import * as dfd from 'danfojs-node';
import { columnBuilt, columnNumbers, columnNumberView, columnReader, danfoDtype, rememberFrameTable } from './columns.ts';
import type { CellValue, DataColumn, DataTable } from './columns.ts';

/** Internal fields of a Danfo frame that {@link dataTableToDataFrame} fills in. */
interface DanfoInternals {
  $data: unknown[];
  $dataIncolumnFormat: unknown[][];
  $index: Array<number | string>;
}

/** Danfo's `DataFrame.$getColumnData` (column name -> Series, or its array). */
type ColumnGetter = (this: dfd.DataFrame, column: string, returnSeries?: boolean) => unknown;

/** Instance members replaced on a frame until its rows are built. */
const LAZY_MEMBERS = ['shape', 'iloc', 'toString'] as const;

/**
 * Builds a Danfo `DataFrame` from a table with the dtypes given explicitly (`int32`, `float32`,
 * `boolean`, `string`) so Danfo does not re-infer them: missing numbers are `NaN`, missing strings
 * and booleans stay `null`. Column arrays are shared with the table (do not mutate them through
 * the table). The row-major copy is made when an operation first needs every row (see the module
 * comment); `df.values` returns it.
 *
 * @example
 * const df = dataTableToDataFrame(parseCsv('a,b\n1,x\n'));
 * df.column('a').values // [1]
 * df.head(1).values     // [[1, 'x']] (only that row is built)
 */
export function dataTableToDataFrame(table: DataTable): dfd.DataFrame {
  const names = table.columns.map((c) => c.name);
  const dtypes = table.columns.map((c) => danfoDtype(c.dtype));
  const df = new dfd.DataFrame([], { columns: names, dtypes });
  const rowCount = table.rowCount;
  if (rowCount === 0 || table.columns.length === 0) return df;
  // Column-major data: a column's JS array is built when Danfo first reads it (`column()`,
  // `df['x']`, `describe()`...); until then it stays in the table's compact form.
  const columnArray = (c: DataColumn): CellValue[] => {
    const values = c.kind === 'integer' || c.kind === 'float' ? columnNumbers(c) : c.values;
    return values.length === rowCount ? values : values.slice(0, rowCount);
  };
  const byColumn: CellValue[][] = [];
  table.columns.forEach((c, i) => {
    if (columnBuilt(c)) {
      byColumn[i] = columnArray(c);
      return;
    }
    const own = (value: CellValue[]): void => {
      Object.defineProperty(byColumn, i, { value, writable: true, enumerable: true, configurable: true });
    };
    Object.defineProperty(byColumn, i, {
      enumerable: true,
      configurable: true,
      get(): CellValue[] {
        const value = columnArray(c);
        own(value);
        return value;
      },
      set: own,
    });
  });
  const index: number[] = new Array<number>(rowCount);
  for (let i = 0; i < rowCount; i++) index[i] = i;
  const internals = df as unknown as DanfoInternals;
  internals.$dataIncolumnFormat = byColumn;
  rememberFrameTable(df, table, byColumn);
  internals.$index = index;
  const width = table.columns.length;
  // Rows are read from the table's columns directly (no column array needs to be built for them):
  // cell by cell for the few rows of a head, from whole arrays when all rows are built.
  const readers = table.columns.map((c) => columnReader(c));
  const row = (r: number): CellValue[] => {
    const out = new Array<CellValue>(width);
    for (let c = 0; c < width; c++) out[c] = readers[c]!(r);
    return out;
  };
  const allRows = (): CellValue[][] => {
    const bulk = table.columns.map((c): ((r: number) => CellValue) => {
      if (c.kind !== 'integer' && c.kind !== 'float') return columnReader(c);
      const numbers = columnNumberView(c);
      return (r) => numbers[r]!;
    });
    const rows: CellValue[][] = new Array<CellValue[]>(rowCount);
    for (let r = 0; r < rowCount; r++) {
      const out = new Array<CellValue>(width);
      for (let c = 0; c < width; c++) out[c] = bulk[c]!(r);
      rows[r] = out;
    }
    return rows;
  };
  const own = df as unknown as Record<string, unknown>;
  const setData = (value: unknown[]): void => {
    Object.defineProperty(df, '$data', { value, writable: true, configurable: true, enumerable: true });
    // From now on the frame is an ordinary Danfo frame.
    for (const member of LAZY_MEMBERS) delete own[member];
  };
  Object.defineProperty(df, '$data', {
    configurable: true,
    enumerable: true,
    get(): unknown[] {
      const rows = allRows();
      setData(rows);
      return rows;
    },
    set(value: unknown[]) {
      setData(value);
    },
  });
  // `shape` reads `$data`; answer it without building the rows.
  Object.defineProperty(df, 'shape', { configurable: true, get: () => [rowCount, width] });
  // iloc (head, tail) and toString (print) read only the rows they show, through `values`: run
  // Danfo's own code on a stand-in whose `values` builds a row when it is read (internal only: the
  // frames they return are built from copies of those rows).
  const rowView = new Proxy<unknown[]>([], {
    get(_target, key): unknown {
      if (key === 'length') return rowCount;
      if (typeof key === 'string') {
        const r = Number(key);
        if (Number.isInteger(r) && r >= 0 && String(r) === key) return r < rowCount ? row(r) : undefined;
      }
      return Reflect.get(internals.$data, key);
    },
  });
  const standIn = Object.create(df, { values: { get: () => rowView } }) as dfd.DataFrame;
  const proto = dfd.DataFrame.prototype;
  // `column()` and `df['x']` build a Series with Danfo's constructor, which checks that the index
  // is unique through a Set of every label (~0.5 s for 1M rows here); this frame's index is
  // unique, so the same Series is built without that check (any other case: Danfo's own code).
  const getColumnData = (proto as unknown as { $getColumnData: ColumnGetter }).$getColumnData;
  Object.defineProperty(df, '$getColumnData', {
    configurable: true,
    writable: true,
    value: function (this: dfd.DataFrame, column: string, returnSeries = true): unknown {
      const self = this as unknown as DanfoInternals & { $columns: string[]; $dtypes: string[]; $config: { isLowMemoryMode: boolean } };
      const at = self.$columns.indexOf(column);
      if (at === -1 || self.$config.isLowMemoryMode || !returnSeries) return getColumnData.call(this, column, returnSeries);
      const data = self.$dataIncolumnFormat[at]!;
      const config = { ...self.$config } as NonNullable<ConstructorParameters<typeof dfd.Series>[1]>['config'];
      const series = new dfd.Series([], { columns: [column], dtypes: [self.$dtypes[at]!], config });
      const internals = series as unknown as DanfoInternals;
      internals.$data = data;
      internals.$dataIncolumnFormat = data as unknown as unknown[][];
      internals.$index = [...self.$index];
      return series;
    },
  });
  Object.defineProperty(df, 'iloc', { configurable: true, writable: true, value: (args: Parameters<dfd.DataFrame['iloc']>[0]) => proto.iloc.call(standIn, args) });
  Object.defineProperty(df, 'toString', { configurable: true, writable: true, value: () => proto.toString.call(standIn) });
  return df;
}
