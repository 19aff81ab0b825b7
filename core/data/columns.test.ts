// Tests of the shared type rules. Expected values are read by hand from the inputs written here.
import { describe, expect, it } from 'vitest';
import { codedColumn, columnBuilt, columnLength, columnNumbers, columnNumberView, columnReader, DEFAULT_MISSING_VALUES, detectDecimalComma, inferTextColumn, inferValueColumn, isNaiveTimestamp, isoDate, numericColumn, recordsToColumns, tableFromValueColumns, tableToRecords, timestampMillis } from './columns.ts';
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

describe('default missing tokens and mostly-numeric columns', () => {
  it('reads pandas\' default na_values as missing (pandas.read_csv docs: 18 tokens plus "" )', () => {
    // The list of the pandas read_csv documentation (2.x; 1.5 without 'None'), written here by hand.
    const pandas = ['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null'];
    expect([...DEFAULT_MISSING_VALUES].sort()).toEqual([...pandas].sort());
    const raw = ['1.5', ...pandas.slice(1), '2.5'];
    const { column, coercions } = inferTextColumn('x', raw, { missing: new Set(DEFAULT_MISSING_VALUES) });
    expect(column).toMatchObject({ kind: 'float', missing: 18 });
    expect(column.values[0]).toBe(1.5);
    expect(column.values[19]).toBe(2.5);
    expect(coercions).toEqual([{ column: 'x', count: 18, examples: ['#N/A', '#N/A N/A', '#NA'], action: 'read as missing (null)' }]);
    // Case-sensitive, as in pandas: 'Null' and 'NONE' are values, not missing.
    expect(inferTextColumn('x', ['1', 'Null'], { missing: new Set(DEFAULT_MISSING_VALUES) }).column.kind).toBe('string');
  });

  it('names the values that keep a mostly-numeric column text, with their data rows and the fix', () => {
    // 20 values: 18 numbers, "?" at data row 4 and "--" at data row 12 (18/20 = 90%).
    const raw = Array.from({ length: 20 }, (_, i) => (i === 3 ? '?' : i === 11 ? '--' : String(i * 0.5)));
    const { column, coercions } = inferTextColumn('y', raw, { missing });
    expect(column.kind).toBe('string');
    expect(column.note).toMatch(/^mostly numbers, but 2 of 20 values are not: "\?" at data row 4, "--" at data row 12; so the column is text\. /);
    expect(column.note).toContain('missingValues');
    expect(coercions).toHaveLength(1);
    expect(coercions[0]).toMatchObject({ column: 'y', count: 2, examples: ['?', '--'] });
    expect(coercions[0]!.action).toContain('kept as text: the column is mostly numbers, but 2 of 20 values are not ("?" at data row 4, "--" at data row 12)');
    // Missing tokens do not count: 18 numbers + 1 stray of 19 present values is still >= 90%.
    const withNa = inferTextColumn('y', [...raw.slice(0, 11), 'NA', ...raw.slice(12)], { missing });
    expect(withNa.coercions.map((c) => c.count)).toEqual([1, 1]);
  });

  it('says nothing below the 90% share, for plain text, or for a column of dates with one stray', () => {
    // 17 of 20 numbers (85%): an ordinary text column.
    const raw = Array.from({ length: 20 }, (_, i) => (i < 3 ? `x${i}` : String(i)));
    expect(inferTextColumn('y', raw, { missing })).toEqual({ column: { name: 'y', dtype: 'string', kind: 'string', missing: 0, values: raw }, coercions: [] });
    expect(inferTextColumn('c', ['a', 'b', 'c'], { missing }).coercions).toEqual([]);
    const dates = Array.from({ length: 10 }, (_, i) => (i === 9 ? 'soon' : `2024-01-0${i + 1}`));
    const d = inferTextColumn('d', dates, { missing });
    expect(d.column.kind).toBe('string');
    expect(d.column.note).toMatch(/^mostly dates, but 1 of 10 values is not: "soon" at data row 10;/);
  });

  it('weighted by distinct values, counts rows (the CSV fast path re-types such columns row by row for the data rows)', () => {
    const weighted = inferTextColumn('y', ['1', '2', 'n.a.'], { missing, weights: [10, 9, 1] });
    expect(weighted.coercions[0]).toMatchObject({ count: 1, examples: ['n.a.'] });
    expect(weighted.column.note).toContain('1 of 20 values is not');
  });

  it('typed sources: a number column with a stray string names it and its data row', () => {
    const input: unknown[] = Array.from({ length: 10 }, (_, i) => (i === 6 ? 'n.a.' : i));
    const { column, coercions } = inferValueColumn('v', input);
    expect(column.kind).toBe('string');
    expect(column.note).toMatch(/^mostly numbers, but 1 of 10 values is not: "n\.a\." at data row 7;/);
    expect(coercions.map((c) => c.count)).toEqual([9, 1]);
  });
});

describe('timestamps: naive ones stay without a zone', () => {
  it('isoDate writes a naive Date as wall-clock time without Z, an instant with Z', () => {
    const d = new Date(Date.UTC(2012, 0, 1, 10, 0));
    expect(isoDate(d, 'naive')).toBe('2012-01-01T10:00:00');
    expect(isoDate(new Date(Date.UTC(2012, 0, 1, 10, 0, 5, 250)), 'naive')).toBe('2012-01-01T10:00:05.250');
    expect(isoDate(d)).toBe('2012-01-01T10:00:00.000Z');
    expect(isoDate(new Date(Date.UTC(2012, 0, 1)), 'naive')).toBe('2012-01-01');
  });

  it('timestampMillis reads naive text as UTC wall time, zoned text as its instant', () => {
    expect(timestampMillis('2012-01-01 10:00')).toBe(Date.UTC(2012, 0, 1, 10));
    expect(timestampMillis('2012-01-01T10:00:00')).toBe(Date.UTC(2012, 0, 1, 10));
    expect(timestampMillis('2012-01-01T10:00:00+02:00')).toBe(Date.UTC(2012, 0, 1, 8));
    expect(timestampMillis('2012-01-01T10:00:00Z')).toBe(Date.UTC(2012, 0, 1, 10));
    expect(timestampMillis('2012-01-01')).toBe(Date.UTC(2012, 0, 1));
    expect(timestampMillis('soon')).toBeNaN();
    // Round trip: text -> millis -> naive text.
    expect(isoDate(new Date(timestampMillis('2012-03-25 02:30:00')), 'naive')).toBe('2012-03-25T02:30:00');
    expect([isNaiveTimestamp('2012-01-01 10:00'), isNaiveTimestamp('2012-01-01T10:00Z'), isNaiveTimestamp('2012-01-01')]).toEqual([true, false, false]);
  });

  it('inferValueColumn writes Dates by the timestamps option', () => {
    const dates = [new Date(Date.UTC(2012, 0, 1, 10)), new Date(Date.UTC(2012, 0, 2))];
    expect(inferValueColumn('t', dates).column.values).toEqual(['2012-01-01T10:00:00.000Z', '2012-01-02']);
    expect(inferValueColumn('t', dates, { timestamps: 'naive' }).column).toMatchObject({ kind: 'date', values: ['2012-01-01T10:00:00', '2012-01-02'] });
    const table = tableFromValueColumns([{ name: 'a', values: dates, timestamps: 'naive' }, { name: 'b', values: dates }]);
    expect(table.columns.map((c) => c.values[0])).toEqual(['2012-01-01T10:00:00', '2012-01-01T10:00:00.000Z']);
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
