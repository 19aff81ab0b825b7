/**
 * {@link DataTable} -> Danfo `DataFrame`, cheaply.
 *
 * Danfo keeps every frame twice: row-major (`$data`, used by `head`, `print`, `values`, `iloc`...)
 * and column-major (`$dataIncolumnFormat`, used by `column()` / `df['x']`). Its constructor builds
 * the rows, transposes them and checks them, which took ~4 s for 1M x 10. Here the frame is created
 * empty with its columns and dtypes, the column arrays are put in place directly, and the row-major
 * copy is built only when some Danfo operation first reads it (then it is an ordinary frame).
 */
import * as dfd from 'danfojs-node';
import { danfoDtype } from './columns.ts';
import type { CellValue, DataTable } from './columns.ts';

/** Internal fields of a Danfo frame that {@link dataTableToDataFrame} fills in. */
interface DanfoInternals {
  $data: unknown[];
  $dataIncolumnFormat: unknown[][];
  $index: Array<number | string>;
}

/**
 * Builds a Danfo `DataFrame` from a table with the dtypes given explicitly (`int32`, `float32`,
 * `boolean`, `string`) so Danfo does not re-infer them: missing numbers become `NaN`, missing
 * strings and booleans stay `null`. Column arrays are shared with the table when a numeric column
 * has no missing value (do not mutate them). The row-major copy is made on first use.
 *
 * @example
 * const df = dataTableToDataFrame(parseCsv('a,b\n1,x\n'));
 * df.column('a').values // [1]
 */
export function dataTableToDataFrame(table: DataTable): dfd.DataFrame {
  const names = table.columns.map((c) => c.name);
  const dtypes = table.columns.map((c) => danfoDtype(c.dtype));
  const df = new dfd.DataFrame([], { columns: names, dtypes });
  if (table.rowCount === 0 || table.columns.length === 0) return df;
  const columns: CellValue[][] = table.columns.map((c) => {
    if ((c.dtype === 'int32' || c.dtype === 'float32') && c.missing > 0) return c.values.map((v) => (v === null ? NaN : v));
    return c.values.length === table.rowCount ? c.values : c.values.slice(0, table.rowCount);
  });
  const index: number[] = new Array<number>(table.rowCount);
  for (let i = 0; i < table.rowCount; i++) index[i] = i;
  const internals = df as unknown as DanfoInternals;
  internals.$dataIncolumnFormat = columns;
  internals.$index = index;
  const rowCount = table.rowCount;
  const width = columns.length;
  const setData = (value: unknown[]): void => {
    Object.defineProperty(df, '$data', { value, writable: true, configurable: true, enumerable: true });
    // From now on the frame is an ordinary Danfo frame: drop the shape shortcut.
    delete (df as unknown as Record<string, unknown>)['shape'];
  };
  Object.defineProperty(df, '$data', {
    configurable: true,
    enumerable: true,
    get(): unknown[] {
      const rows: CellValue[][] = new Array<CellValue[]>(rowCount);
      for (let r = 0; r < rowCount; r++) {
        const row = new Array<CellValue>(width);
        for (let c = 0; c < width; c++) row[c] = columns[c]![r]!;
        rows[r] = row;
      }
      setData(rows);
      return rows;
    },
    set(value: unknown[]) {
      setData(value);
    },
  });
  // `shape` reads `$data`; answer it without building the rows.
  Object.defineProperty(df, 'shape', { configurable: true, get: () => [rowCount, width] });
  return df;
}
