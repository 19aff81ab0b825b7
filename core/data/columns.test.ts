// Tests of the shared type rules. Expected values are read by hand from the inputs written here.
import { describe, expect, it } from 'vitest';
import { inferTextColumn, inferValueColumn, isoDate, recordsToColumns, tableFromValueColumns, tableToRecords } from './columns.ts';

const missing = new Set(['', 'NA', 'N/A', 'null', 'NaN']);

describe('inferTextColumn coercion report', () => {
  it('counts missing tokens other than empty fields, with examples', () => {
    const { column, coercions } = inferTextColumn('x', ['1', 'NA', '', 'N/A', 'NA'], { missing });
    expect(column).toMatchObject({ kind: 'integer', missing: 4, values: [1, null, null, null, null] });
    expect(coercions).toEqual([{ column: 'x', count: 3, examples: ['NA', 'N/A'], action: 'read as missing (null)' }]);
  });

  it('reports numbers kept as text to stay exact', () => {
    const { column, coercions } = inferTextColumn('zip', ['00123', '98101', '02134'], { missing });
    expect(column.kind).toBe('string');
    expect(coercions[0]).toMatchObject({ column: 'zip', count: 3, examples: ['00123', '98101', '02134'] });
    expect(coercions[0]!.action).toMatch(/exact/);
  });

  it('reads decimal commas when asked and reports them', () => {
    const { column, coercions } = inferTextColumn('p', ['1,5', '2', '-0,25'], { missing, decimalComma: true });
    expect(column).toMatchObject({ kind: 'float', values: [1.5, 2, -0.25] });
    expect(coercions).toEqual([{ column: 'p', count: 2, examples: ['1,5', '-0,25'], action: 'decimal comma read as a decimal point' }]);
    expect(inferTextColumn('p', ['1,5'], { missing }).column.kind).toBe('string');
  });

  it('reports booleans written in another case', () => {
    const { column, coercions } = inferTextColumn('b', ['TRUE', 'false', 'False'], { missing });
    expect(column.values).toEqual([true, false, false]);
    expect(coercions[0]).toMatchObject({ count: 2, examples: ['TRUE', 'False'] });
  });
});

describe('inferValueColumn (typed sources)', () => {
  it('keeps integers, floats, booleans and missing values', () => {
    expect(inferValueColumn('i', [1, null, 3]).column).toMatchObject({ kind: 'integer', dtype: 'int32', missing: 1, values: [1, null, 3] });
    expect(inferValueColumn('f', [1, 2.5, undefined, NaN]).column).toMatchObject({ kind: 'float', dtype: 'float32', missing: 2, values: [1, 2.5, null, null] });
    expect(inferValueColumn('b', [true, false, null]).column).toMatchObject({ kind: 'boolean', dtype: 'bool', values: [true, false, null] });
    expect(inferValueColumn('big', [3_000_000_000, 1]).column).toMatchObject({ kind: 'integer', dtype: 'float32' });
  });

  it('never re-types JSON strings as numbers', () => {
    expect(inferValueColumn('s', ['12', '00123']).column).toMatchObject({ kind: 'string', values: ['12', '00123'] });
  });

  it('keeps bigints exact: numbers within 2^53, exact text beyond, reported', () => {
    const small = inferValueColumn('id', [1n, 2n]);
    expect(small.column).toMatchObject({ kind: 'integer', values: [1, 2] });
    // 2^63 - 1 = 9223372036854775807
    const big = inferValueColumn('id', [9223372036854775807n, null]);
    expect(big.column).toMatchObject({ kind: 'string', values: ['9223372036854775807', null] });
    expect(big.column.note).toMatch(/exact/);
    expect(big.coercions[0]).toMatchObject({ column: 'id', count: 1, examples: ['9223372036854775807'] });
  });

  it('writes mixed kinds as text and reports it', () => {
    const { column, coercions } = inferValueColumn('m', [1, 'a', true]);
    expect(column).toMatchObject({ kind: 'string', values: ['1', 'a', 'true'] });
    expect(coercions[0]).toMatchObject({ count: 2, examples: ['1', 'true'] });
  });

  it('turns Dates into ISO text (calendar day when midnight UTC) and ISO strings into kind date', () => {
    const { column, coercions } = inferValueColumn('d', [new Date(Date.UTC(2024, 0, 15)), new Date(Date.UTC(2024, 0, 15, 13, 45))]);
    expect(column).toMatchObject({ kind: 'date', values: ['2024-01-15', '2024-01-15T13:45:00.000Z'] });
    expect(coercions[0]!.count).toBe(2);
    expect(inferValueColumn('d', ['2024-01-15', null]).column.kind).toBe('date');
  });

  it('writes nested values as JSON text, reported', () => {
    const { column, coercions } = inferValueColumn('o', [{ a: 1 }, [1, 2]]);
    expect(column.values).toEqual(['{"a":1}', '[1,2]']);
    expect(coercions[0]!.action).toMatch(/JSON/);
  });

  it('isoDate gives null for an invalid date', () => {
    expect(isoDate(new Date(NaN))).toBeNull();
  });
});

describe('records', () => {
  it('unions keys in order of first appearance; an absent key is missing', () => {
    const table = tableFromValueColumns(recordsToColumns([{ a: 1 }, { b: 'x', a: 2 }]));
    expect(table.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(tableToRecords(table)).toEqual([{ a: 1, b: null }, { a: 2, b: 'x' }]);
  });
});
