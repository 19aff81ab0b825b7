// Tests of the lazy DataTable -> Danfo DataFrame builder: the frame behaves like one built by
// Danfo's own constructor from the same rows (the reference), on the operations code cells use,
// and builds only the data an operation reads. Expected values: the reference frame's results,
// and for the small table below values read by hand.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dfd from 'danfojs-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsvFast } from '../../connectors/csv/fast.ts';
import { columnBuilt, dataFrameTable, danfoDtype } from './columns.ts';
import type { DataTable } from './columns.ts';
import { dataTableToDataFrame } from './frame.ts';
import { dataFrameToTable } from './table.ts';

const table: DataTable = {
  rowCount: 3,
  coercions: [],
  columns: [
    { name: 'n', dtype: 'float32', kind: 'float', missing: 1, values: [1.5, null, 3] },
    { name: 's', dtype: 'string', kind: 'string', missing: 1, values: ['a', null, 'c'] },
    { name: '1', dtype: 'int32', kind: 'integer', missing: 0, values: [7, 8, 9] },
  ],
};

/** The frame Danfo's constructor builds from the table's rows (NaN for missing numbers, null otherwise). */
function eager(t: DataTable): dfd.DataFrame {
  const rows = Array.from({ length: t.rowCount }, (_, r) => t.columns.map((c) => c.values[r] ?? (c.kind === 'integer' || c.kind === 'float' ? NaN : null)));
  return new dfd.DataFrame(rows, { columns: t.columns.map((c) => c.name), dtypes: t.columns.map((c) => danfoDtype(c.dtype)) });
}

/** True while the frame's row-major copy is not built. */
function rowsPending(df: dfd.DataFrame): boolean {
  return Object.getOwnPropertyDescriptor(df, '$data')?.get !== undefined;
}

describe('dataTableToDataFrame', () => {
  it('matches a frame built by the Danfo constructor', () => {
    const lazy = dataTableToDataFrame(table);
    const reference = eager(table);
    expect(lazy.shape).toEqual([3, 3]);
    expect(lazy.dtypes).toEqual(reference.dtypes);
    expect(lazy.columns).toEqual(['n', 's', '1']);
    expect(lazy.column('n').values).toEqual([1.5, NaN, 3]);
    expect(lazy.values).toEqual(reference.values);
    expect(lazy.index).toEqual([0, 1, 2]);
  });

  it('supports selection, row access and in-place changes after lazy construction', () => {
    const df = dataTableToDataFrame(table);
    expect(df.iloc({ rows: [2] }).values).toEqual([[3, 'c', 9]]);
    expect(df.loc({ columns: ['1'] }).values).toEqual([[7], [8], [9]]);
    df.addColumn('t', [1, 2, 3], { inplace: true });
    expect(df.shape).toEqual([3, 4]);
    expect(df.column('t').values).toEqual([1, 2, 3]);
    expect((df.column('1').mean() as number)).toBe(8);
  });

  it('gives an empty frame with columns for a table without rows', () => {
    const df = dataTableToDataFrame({ ...table, rowCount: 0, columns: table.columns.map((c) => ({ ...c, values: [] })) });
    expect(df.shape).toEqual([0, 3]);
  });
});

describe('a DataFrame from the CSV fast path (compact columns)', () => {
  let dir = '';
  let path = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stratum-frame-'));
    path = join(dir, 'mixed.csv');
    // 2,000 rows: floats with missing values, integers, text of few values with a missing token,
    // dates, booleans (a deterministic pattern).
    const cities = ['seattle', 'portland', 'NA', 'boise'];
    const lines = Array.from({ length: 2000 }, (_, i) => `${i % 7 === 0 ? '' : ((i * 37) % 1000) / 8},${(i * 7919) % 2003},${cities[i % 4]},2024-01-${String((i % 28) + 1).padStart(2, '0')},${i % 3 === 0}`);
    await writeFile(path, `f,i,city,day,flag\n${lines.join('\n')}\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function frames(): Promise<{ fast: DataTable; builtAtFirst: boolean[]; lazy: dfd.DataFrame; reference: dfd.DataFrame }> {
    const fast = await readCsvFast(path, { source: path });
    if (fast === undefined) throw new Error('the fast path declined');
    const builtAtFirst = fast.columns.map((c) => columnBuilt(c));
    const lazy = dataTableToDataFrame(fast);
    return { fast, builtAtFirst, lazy, reference: eager(fast) }; // eager() reads every column's values
  }

  it('behaves like the constructor-built frame: head, tail, print, column, describe, groupby, values', async () => {
    const { fast, builtAtFirst, lazy, reference } = await frames();
    expect(fast.columns.map((c) => c.kind)).toEqual(['float', 'integer', 'string', 'date', 'boolean']);
    expect(builtAtFirst).toEqual([false, false, false, false, false]);
    expect(lazy.shape).toEqual(reference.shape);
    expect(lazy.dtypes).toEqual(reference.dtypes);
    expect(lazy.head().values).toEqual(reference.head().values);
    expect(lazy.head(3).index).toEqual([0, 1, 2]);
    expect(lazy.tail(2).values).toEqual(reference.tail(2).values);
    expect(lazy.tail(2).index).toEqual([1998, 1999]);
    expect(lazy.toString()).toBe(reference.toString());
    expect(dataFrameToTable(lazy, { maxRows: 5 })).toEqual(dataFrameToTable(reference, { maxRows: 5 }));
    expect(rowsPending(lazy)).toBe(true); // none of the above built the 2,000 rows
    for (const name of lazy.columns) {
      const [mine, theirs] = [lazy.column(name), reference.column(name)];
      expect(mine.values, name).toEqual(theirs.values);
      expect([mine.index, mine.dtype, mine.columns, mine.shape], name).toEqual([theirs.index, theirs.dtype, theirs.columns, theirs.shape]);
    }
    // (valueCounts only on text: Danfo's own parseInt of its keys merges 12.5 with 12.)
    expect(lazy.column('city').valueCounts().values).toEqual(reference.column('city').valueCounts().values);
    expect((lazy.column('f').mean() as number)).toBe(reference.column('f').mean() as number);
    expect((lazy['i' as keyof dfd.DataFrame] as unknown as dfd.Series).max()).toBe(reference.column('i').max());
    expect(lazy.describe().values).toEqual(reference.describe().values);
    expect(lazy.groupby(['city']).col(['f']).mean().values).toEqual(reference.groupby(['city']).col(['f']).mean().values);
    expect(lazy.values).toEqual(reference.values);
    expect(rowsPending(lazy)).toBe(false);
  });

  it('builds its rows for row operations first (sort, query by a mask)', async () => {
    const { lazy, reference } = await frames();
    expect(lazy.sortValues('i').head(4).values).toEqual(reference.sortValues('i').head(4).values);
    const { lazy: again } = await frames();
    const mask = again.column('i').gt(1000);
    expect(again.loc({ rows: mask }).shape).toEqual(reference.loc({ rows: reference.column('i').gt(1000) }).shape);
  });

  it('builds a column when Danfo first reads it, shared with the table', async () => {
    const fast = (await readCsvFast(path, { source: path }))!;
    const lazy = dataTableToDataFrame(fast);
    const f = fast.columns[0]!;
    lazy.head();
    expect(columnBuilt(f)).toBe(false);
    const values = lazy.column('f').values as number[];
    expect(columnBuilt(f)).toBe(true);
    expect(columnBuilt(fast.columns[1]!)).toBe(false);
    expect(values.filter((v) => Number.isNaN(v))).toHaveLength(f.missing);
    expect(f.values.filter((v) => v === null)).toHaveLength(f.missing);
  });
});

describe('dataFrameTable', () => {
  it('gives the table a frame was built from while the frame holds its columns unchanged', () => {
    const t: DataTable = { ...table, columns: table.columns.map((c) => ({ ...c })) };
    const df = dataTableToDataFrame(t);
    expect(dataFrameTable(df)).toBe(t);
    df.head(2);
    void df.column('n').values;
    void df.values;
    expect(dataFrameTable(df)).toBe(t);
    df.addColumn('t', [1, 2, 3], { inplace: true });
    expect(dataFrameTable(df)).toBeUndefined();
  });

  it('is undefined once a column is replaced or changed in place, and for other frames', () => {
    const t: DataTable = { ...table, columns: table.columns.map((c) => ({ ...c })) };
    const df = dataTableToDataFrame(t);
    df.fillNa(0, { columns: ['n'], inplace: true });
    expect(dataFrameTable(df)).toBeUndefined();
    const other = dataTableToDataFrame(t);
    (other as unknown as Record<string, unknown>)['n'] = [0, 0, 0];
    expect(dataFrameTable(other)).toBeUndefined();
    expect(dataFrameTable(eager(table))).toBeUndefined();
    expect(dataFrameTable(null)).toBeUndefined();
  });
});
