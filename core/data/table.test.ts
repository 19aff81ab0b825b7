// Tests of table previews; expected values are read by hand from the inputs written here.
import * as dfd from 'danfojs-node';
import { describe, expect, it } from 'vitest';
import { parseCsv, tableToDataFrame } from '../../connectors/csv/csv.ts';
import { csvTableToTable, dataFrameToTable, toCell } from './table.ts';

describe('dataFrameToTable', () => {
  it('gives columns with dtypes, NaN as null, and the real row count', () => {
    const df = new dfd.DataFrame({ x: [1.5, NaN, 3], s: ['a', null, 'c'] }, { dtypes: ['float32', 'string'] });
    expect(dataFrameToTable(df)).toEqual({
      columns: [{ name: 'x', dtype: 'float32' }, { name: 's', dtype: 'string' }],
      rows: [[1.5, 'a'], [null, null], [3, 'c']],
      totalRows: 3,
    });
  });

  it('keeps at most maxRows rows (default 50)', () => {
    const df = new dfd.DataFrame({ i: Array.from({ length: 120 }, (_, i) => i) }, { dtypes: ['int32'] });
    const table = dataFrameToTable(df);
    expect(table.rows).toHaveLength(50);
    expect(table.rows[49]).toEqual([49]);
    expect(table.totalRows).toBe(120);
    expect(dataFrameToTable(df, { maxRows: 2 }).rows).toEqual([[0], [1]]);
  });

  it('handles a frame without rows', () => {
    const t = dataFrameToTable(tableToDataFrame(parseCsv('a,b\n')));
    expect(t).toEqual({ columns: [{ name: 'a', dtype: 'string' }, { name: 'b', dtype: 'string' }], rows: [], totalRows: 0 });
  });
});

describe('csvTableToTable', () => {
  it('previews a CSV table with Danfo dtype names', () => {
    const t = csvTableToTable(parseCsv('n,f,b,s\n1,NA,true,x\n2,2.5,false,NA\n3,1,true,z\n'), { maxRows: 2 });
    expect(t).toEqual({
      columns: [
        { name: 'n', dtype: 'int32' },
        { name: 'f', dtype: 'float32' },
        { name: 'b', dtype: 'boolean' },
        { name: 's', dtype: 'string' },
      ],
      rows: [[1, null, true, 'x'], [2, 2.5, false, null]],
      totalRows: 3,
    });
  });
});

describe('toCell', () => {
  it('makes values JSON-safe', () => {
    expect([NaN, undefined, Infinity, -Infinity, 10n, new Date(Date.UTC(2012, 0, 1))].map(toCell)).toEqual([
      null, null, 'Infinity', '-Infinity', '10', '2012-01-01T00:00:00.000Z',
    ]);
  });
});
