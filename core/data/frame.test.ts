// Tests of the lazy DataTable -> Danfo DataFrame builder: the frame behaves like one built by
// Danfo's constructor (expected values read by hand from the table below).
import * as dfd from 'danfojs-node';
import { describe, expect, it } from 'vitest';
import { dataTableToDataFrame } from './frame.ts';
import type { DataTable } from './columns.ts';

const table: DataTable = {
  rowCount: 3,
  coercions: [],
  columns: [
    { name: 'n', dtype: 'float32', kind: 'float', missing: 1, values: [1.5, null, 3] },
    { name: 's', dtype: 'string', kind: 'string', missing: 1, values: ['a', null, 'c'] },
    { name: '1', dtype: 'int32', kind: 'integer', missing: 0, values: [7, 8, 9] },
  ],
};

describe('dataTableToDataFrame', () => {
  it('matches a frame built by the Danfo constructor', () => {
    const lazy = dataTableToDataFrame(table);
    const eager = new dfd.DataFrame([[1.5, 'a', 7], [NaN, null, 8], [3, 'c', 9]], { columns: ['n', 's', '1'], dtypes: ['float32', 'string', 'int32'] });
    expect(lazy.shape).toEqual([3, 3]);
    expect(lazy.dtypes).toEqual(eager.dtypes);
    expect(lazy.columns).toEqual(['n', 's', '1']);
    expect(lazy.column('n').values).toEqual([1.5, NaN, 3]);
    expect(lazy.values).toEqual(eager.values);
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
