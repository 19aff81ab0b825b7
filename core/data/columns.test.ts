// Tests of the shared type rules. Expected values are read by hand from the inputs written here.
import { describe, expect, it } from 'vitest';
import { codedColumn, columnBuilt, columnLength, columnNumbers, columnNumberView, columnReader, detectDecimalComma, inferTextColumn, inferValueColumn, isoDate, numericColumn, recordsToColumns, tableFromValueColumns, tableToRecords } from './columns.ts';
import type { NumberSource } from './columns.ts';

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

  it('types distinct values weighted by their rows like the rows themselves', () => {
    // rows: NA, 1,5, 1,5, 2, NA, NA -> distinct values with their row counts
    const rows = inferTextColumn('p', ['NA', '1,5', '1,5', '2', 'NA', 'NA'], { missing, decimalComma: true });
    const weighted = inferTextColumn('p', ['NA', '1,5', '2'], { missing, decimalComma: true, weights: [3, 2, 1] });
    expect(weighted.coercions).toEqual(rows.coercions);
    expect(weighted.coercions.map((c) => c.count)).toEqual([3, 2]);
    expect(weighted.column).toMatchObject({ kind: 'float', missing: 3, values: [null, 1.5, 2] });
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

describe('numericColumn and codedColumn (compact columns, values built on first read)', () => {
  it('keeps numbers with NaN for missing, and gives values with null', () => {
    const c = numericColumn({ name: 'x', dtype: 'float32', kind: 'float', missing: 1 }, new Float64Array([1.5, NaN, -2]));
    expect(columnBuilt(c)).toBe(false);
    expect(columnLength(c)).toBe(3);
    expect(columnReader(c)(1)).toBeNaN();
    expect(Array.from(columnNumberView(c))).toEqual([1.5, NaN, -2]);
    expect(c.values).toEqual([1.5, null, -2]);
    expect(columnNumbers(c)).toEqual([1.5, NaN, -2]);
    expect(Array.isArray(columnNumbers(c))).toBe(true);
    expect(columnBuilt(c)).toBe(true);
    expect({ ...c }).toEqual({ name: 'x', dtype: 'float32', kind: 'float', missing: 1, values: [1.5, null, -2] });
  });

  it('shares one JS array between values and the numbers when nothing is missing', () => {
    const c = numericColumn({ name: 'i', dtype: 'int32', kind: 'integer', missing: 0 }, new Int32Array([3, 1, 2]));
    expect(c.values).toEqual([3, 1, 2]);
    expect(columnNumbers(c)).toBe(c.values);
  });

  it('reads a number source cell by cell for a few rows, then all at once, once', () => {
    let reads = 0;
    let cells = 0;
    const data = Float64Array.from({ length: 2000 }, (_, i) => i / 2);
    const source: NumberSource = { length: data.length, read: () => (reads++, data), at: (r) => (cells++, data[r]!) };
    const c = numericColumn({ name: 'x', dtype: 'float32', kind: 'float', missing: 0 }, source);
    const at = columnReader(c);
    expect([at(0), at(1), at(1999)]).toEqual([0, 0.5, 999.5]);
    expect([reads, cells]).toEqual([0, 3]);
    for (let r = 0; r < 2000; r++) at(r);
    expect(reads).toBe(1); // past 1024 cells, the whole column was read
    expect(columnNumbers(c)[1999]).toBe(999.5);
    expect(reads).toBe(1);
  });

  it('expands dictionary codes on first read', () => {
    const c = codedColumn({ name: 's', dtype: 'string', kind: 'string', missing: 1 }, new Int32Array([1, 0, 2, 1]), ['a', 'b', null]);
    expect(columnLength(c)).toBe(4);
    expect(columnReader(c)(2)).toBeNull();
    expect(columnBuilt(c)).toBe(false);
    expect(c.values).toEqual(['b', 'a', null, 'b']);
    expect(columnBuilt(c)).toBe(true);
  });

  it('columnNumbers of an ordinary column maps null to NaN and refuses text', () => {
    expect(columnNumbers({ name: 'x', dtype: 'int32', kind: 'integer', missing: 1, values: [1, null] })).toEqual([1, NaN]);
    expect(() => columnNumbers({ name: 's', dtype: 'string', kind: 'string', missing: 0, values: ['a'] })).toThrow(TypeError);
  });
});

describe('detectDecimalComma', () => {
  it('detects decimal commas proved by a value that is no thousands group', () => {
    const d = detectDecimalComma([['1,5', '2', 'NA'], ['x', 'y', 'z'], ['10', '20', '30']], missing);
    expect(d.decimalComma).toBe(true);
    expect(d.note).toMatch(/decimal comma detected \(e\.g\. "1,5"\)/);
  });

  it('keeps 1,234-like values ambiguous (thousands separator or decimal comma) and says so', () => {
    const d = detectDecimalComma([['1,234', '12,500']], missing);
    expect(d.decimalComma).toBe(false);
    expect(d.note).toMatch(/"1,234" may hold a decimal comma or a thousands separator/);
  });

  it('does not switch when another column proves decimal points', () => {
    const d = detectDecimalComma([['1,5', '2,25'], ['2.5', '3']], missing);
    expect(d.decimalComma).toBe(false);
    expect(d.note).toMatch(/both a decimal comma \("1,5"\) and a decimal point \("2\.5"\)/);
  });

  it('needs every value of the column to be a number: text or dates prove nothing', () => {
    expect(detectDecimalComma([['1,5', 'abc'], ['2024-01-01', '2024-01-02']], missing)).toEqual({ decimalComma: false });
    expect(detectDecimalComma([['1.234', '2.500']], missing)).toEqual({ decimalComma: false }); // thousands-dot groups prove nothing either
  });
});
