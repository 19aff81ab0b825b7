import * as dfd from 'danfojs-node';
import { describe, expect, it } from 'vitest';
import { toRecords } from './records.ts';

describe('toRecords', () => {
  it('returns an array of objects as is', () => {
    const rows = [{ a: 1 }, { a: null }];
    expect(toRecords(rows)).toBe(rows);
  });

  it('reads a danfo DataFrame row by row, missing values as null', () => {
    const df = new dfd.DataFrame({ a: [1, Number.NaN, 3], b: ['x', 'y', null] });
    expect(toRecords(df)).toEqual([{ a: 1, b: 'x' }, { a: null, b: 'y' }, { a: 3, b: null }]);
  });

  it('rejects anything else, naming the bad element', () => {
    expect(() => toRecords([{ a: 1 }, 2])).toThrow('records[1]: expected an object, got number');
    expect(() => toRecords('rows')).toThrow('expected a DataFrame or an array of records, got string');
    expect(() => toRecords(new Map())).toThrow('got Map');
  });
});
