// Tests of the CSV connector. Expected values are read by hand from the inputs written here, and for
// seattle-weather.csv from the file itself (first data row, line 2: 2012-01-01,0.0,12.8,5.0,4.7,drizzle;
// last, line 1462: 2015-12-31,0.0,5.6,-2.1,3.5,sun; 1461 data rows).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStratumError, StratumError } from '../../core/errors.ts';
import { parseCsv, readCsv, readCsvTable, tableToDataFrame, tableToRecords } from './csv.ts';
import type { CsvColumn, CsvTable } from './csv.ts';

const SEATTLE = 'node_modules/vega-datasets/data/seattle-weather.csv';

function col(table: CsvTable, name: string): CsvColumn {
  const found = table.columns.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no column ${name}`);
  return found;
}

function parseError(text: string, source = 'bad.csv'): StratumError {
  try {
    parseCsv(text, { source });
  } catch (error) {
    if (error instanceof StratumError) return error;
    throw error;
  }
  throw new Error('expected a StratumError');
}

describe('type inference from all rows', () => {
  const ints = Array.from({ length: 1000 }, (_, i) => String(i));

  it('keeps a column integer when every row is an integer', () => {
    const c = parseCsv(`x\n${ints.join('\n')}\n`).columns[0]!;
    expect(c).toMatchObject({ kind: 'integer', dtype: 'int32', missing: 0 });
    expect(c.values[999]).toBe(999);
  });

  it('makes a column float when row 1001 is "3.5"', () => {
    const c = parseCsv(`x\n${ints.join('\n')}\n3.5\n`).columns[0]!;
    expect(c).toMatchObject({ kind: 'float', dtype: 'float32' });
    expect(c.values[0]).toBe(0);
    expect(c.values[1000]).toBe(3.5);
  });

  it('makes a column string when the last row is "x", keeping the other values as text', () => {
    const c = parseCsv(`x\n${ints.join('\n')}\n3.5\nx\n`).columns[0]!;
    expect(c).toMatchObject({ kind: 'string', dtype: 'string' });
    expect(c.values.slice(998)).toEqual(['998', '999', '3.5', 'x']);
  });

  it('reads float forms: decimals, exponents, signs', () => {
    const c = parseCsv('x\n1.5\n-2\n.25\n1e3\n+4.0E-1\n').columns[0]!;
    expect(c.kind).toBe('float');
    expect(c.values).toEqual([1.5, -2, 0.25, 1000, 0.4]);
  });

  it('reads true/false in any case as boolean', () => {
    const c = parseCsv('flag\nTrue\nfalse\nTRUE\nFalse\n').columns[0]!;
    expect(c).toMatchObject({ kind: 'boolean', dtype: 'bool' });
    expect(c.values).toEqual([true, false, true, false]);
  });

  it('tags ISO dates as kind date but keeps them as strings', () => {
    const c = parseCsv('d\n2012-01-01\n2012-01-02 13:45:00\n').columns[0]!;
    expect(c).toMatchObject({ kind: 'date', dtype: 'string' });
    expect(c.values).toEqual(['2012-01-01', '2012-01-02 13:45:00']);
  });

  it('keeps integers beyond the int32 range exact with dtype float32', () => {
    const c = parseCsv('x\n3000000000\n1\n').columns[0]!;
    expect(c).toMatchObject({ kind: 'integer', dtype: 'float32' });
    expect(c.values).toEqual([3000000000, 1]);
    expect(c.note).toMatch(/int32/);
  });
});

describe('missing values', () => {
  // pandas read_csv's default na_values (its documentation; 'None' since pandas 2.0).
  it.each(['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null'])('reads %j as missing: null in the table, counted', (token) => {
    const t = parseCsv(`n,s\n1,a\n${token},${token}\n3,c\n`);
    expect(col(t, 'n')).toMatchObject({ kind: 'integer', missing: 1, values: [1, null, 3] });
    expect(col(t, 's')).toMatchObject({ kind: 'string', missing: 1, values: ['a', null, 'c'] });
  });

  it('says which values keep a mostly-numeric column text, with their data rows and the fix', () => {
    // 12 data rows: 11 numbers and "?" at data row 5 (11/12 >= 90%); "n/a" at data row 9 is missing.
    const rows = Array.from({ length: 12 }, (_, i) => (i === 4 ? '?' : i === 8 ? 'n/a' : String(i + 0.5)));
    const t = parseCsv(`v\n${rows.join('\n')}\n`);
    expect(col(t, 'v')).toMatchObject({ kind: 'string', missing: 1 });
    expect(col(t, 'v').note).toMatch(/^mostly numbers, but 1 of 11 values is not: "\?" at data row 5; so the column is text\./);
    expect(t.coercions.map((c) => [c.count, c.examples])).toEqual([[1, ['n/a']], [1, ['?']]]);
    expect(t.coercions[1]!.action).toContain('missingValues');
    // The fix the report gives: list "?" (with the defaults that matter here) as missing.
    expect(col(parseCsv(`v\n${rows.join('\n')}\n`, { missingValues: ['', 'n/a', '?'] }), 'v')).toMatchObject({ kind: 'float', missing: 2 });
  });

  it('reads inf and -inf in a numeric column as ±Infinity (pandas reads them as float), with no "mostly numbers" note', () => {
    const rows = Array.from({ length: 20 }, (_, i) => (i === 10 ? 'inf' : i === 15 ? '-inf' : String(i)));
    const t = parseCsv(`v\n${rows.join('\n')}\n`);
    expect(col(t, 'v')).toMatchObject({ kind: 'float', missing: 0 });
    expect(col(t, 'v').note).toBeUndefined();
    expect([col(t, 'v').values[10], col(t, 'v').values[15]]).toEqual([Infinity, -Infinity]);
    expect(t.coercions.map((c) => [c.count, c.examples])).toEqual([[2, ['inf', '-inf']]]);
  });

  it('uses a configurable token list', () => {
    const t = parseCsv('n\n1\n-\nNA\n', { missingValues: ['-'] });
    expect(col(t, 'n')).toMatchObject({ kind: 'string', missing: 1, values: ['1', null, 'NA'] });
  });

  it('gives NaN for missing numbers and null for missing strings in the DataFrame', () => {
    const df = tableToDataFrame(parseCsv('n,s\n1.5,a\nNA,NA\n'));
    expect(df.dtypes).toEqual(['float32', 'string']);
    expect(df.column('n').values).toEqual([1.5, NaN]);
    expect(df.column('s').values).toEqual(['a', null]);
  });
});

describe('text handling', () => {
  it('strips a UTF-8 BOM from the first header name', () => {
    const t = parseCsv('\uFEFFid,name\n1,a\n');
    expect(t.columns.map((c) => c.name)).toEqual(['id', 'name']);
  });

  it.each([
    [',', 'a,b,c\n1,2,3\n4,5,6\n'],
    [';', 'a;b;c\n1,5;2;3\n4;5,5;6\n'],
    ['\t', 'a\tb\tc\n1\t2\t3\n4\t5\t6\n'],
    ['|', 'a|b|c\n1|2|3\n4|5|6\n'],
  ])('sniffs the delimiter %j', (delimiter, text) => {
    const t = parseCsv(text);
    expect(t.delimiter).toBe(delimiter);
    expect(t.columns.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect(t.rowCount).toBe(2);
  });

  it('lets the caller force the delimiter', () => {
    const t = parseCsv('a;b,c\n1;2,3\n', { delimiter: ';' });
    expect(t.columns.map((c) => c.name)).toEqual(['a', 'b,c']);
  });

  it('keeps quoted fields with newlines, delimiters and doubled quotes', () => {
    const t = parseCsv('id,text\n1,"line one\nline two"\n2,"say ""hi"", then go"\n');
    expect(col(t, 'text').values).toEqual(['line one\nline two', 'say "hi", then go']);
    expect(t.rowCount).toBe(2);
  });

  it('ignores trailing blank lines (also CRLF and lines of spaces)', () => {
    expect(parseCsv('a,b\n1,2\n\n\n').rowCount).toBe(1);
    expect(parseCsv('a,b\r\n1,2\r\n\r\n  \r\n').rowCount).toBe(1);
  });

  it('skips blank lines between rows too (pandas skip_blank_lines)', () => {
    expect(parseCsv('a,b\n1,2\n\n3,4\n').rowCount).toBe(2);
  });
});

describe('exact values', () => {
  it('keeps 9007199254740993 (2^53 + 1) exact as a string, with a note', () => {
    const t = parseCsv('id\n9007199254740993\n1\n');
    const c = col(t, 'id');
    expect(c).toMatchObject({ kind: 'string', dtype: 'string', values: ['9007199254740993', '1'] });
    expect(c.note).toMatch(/9007199254740993.*2\^53/);
    const df = tableToDataFrame(t);
    expect(df.dtypes).toEqual(['string']);
    expect(df.column('id').values).toEqual(['9007199254740993', '1']);
  });

  it('keeps "00123" exact as a string, with a note', () => {
    const c = parseCsv('zip\n00123\n98101\n').columns[0]!;
    expect(c).toMatchObject({ kind: 'string', values: ['00123', '98101'] });
    expect(c.note).toMatch(/leading zeros/);
  });
});

describe('headers', () => {
  it('renames empty and duplicate names like pandas and says so', () => {
    const t = parseCsv('a,,a\n1,2,3\n');
    expect(t.columns.map((c) => c.name)).toEqual(['a', 'Unnamed: 1', 'a.1']);
    expect(t.columns[2]!.note).toMatch(/repeats/);
  });

  it('keeps column order in the DataFrame for integer-like names', () => {
    const df = tableToDataFrame(parseCsv('b,1,a\nx,2,y\n'));
    expect(df.columns).toEqual(['b', '1', 'a']);
    expect(df.column('1').values).toEqual([2]);
    expect(df.column('b').values).toEqual(['x']);
  });

  it('gives empty string columns for a header without rows', () => {
    const t = parseCsv('a,b\n');
    expect(t.rowCount).toBe(0);
    expect(tableToDataFrame(t).shape).toEqual([0, 2]);
  });
});

describe('errors', () => {
  it('names file, line and field for a row with too many fields', () => {
    const e = parseError('a,b\n1,2\n3,4,5\n');
    expect(e.code).toBe('CSV_PARSE');
    expect(e.message).toMatch(/^bad\.csv: line 3: expected 2 fields .* found 3/);
    expect(e.detail).toMatchObject({ path: 'bad.csv', line: 3, column: 3 });
    expect(e.hint).toBeTruthy();
  });

  it('names the missing column for a row with too few fields', () => {
    const e = parseError('a,b\n1,2\n3\n');
    expect(e.message).toMatch(/line 3: .*found 1; field 2 \("b"\)/);
  });

  it('gives the line where a bad multi-line record starts, after blank lines', () => {
    const e = parseError('a,b\n"x\ny",2\n\n3,4,5\n');
    expect(e.detail.line).toBe(5);
  });

  it('names the line and field of an unclosed quote', () => {
    const e = parseError('a,b\n1,2\n3,"4\n5,6\n');
    expect(e.code).toBe('CSV_PARSE');
    expect(e.message).toMatch(/^bad\.csv: line 3: .*field 2 \("b"\).*never closed/);
    expect(e.detail).toMatchObject({ line: 3, column: 2 });
  });

  it('rejects empty text with CSV_EMPTY', () => {
    expect(parseError('').code).toBe('CSV_EMPTY');
    expect(parseError('\uFEFF\n\n').code).toBe('CSV_EMPTY');
  });
});

describe('files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stratum-csv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives FILE_NOT_FOUND naming the path', async () => {
    const path = join(dir, 'missing.csv');
    const error = await readCsvTable(path).catch((e: unknown) => e);
    expect(isStratumError(error, 'FILE_NOT_FOUND')).toBe(true);
    expect((error as StratumError).message).toContain(path);
  });

  it('gives CSV_EMPTY for an empty file and names the file in parse errors', async () => {
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, '');
    expect(isStratumError(await readCsvTable(empty).catch((e: unknown) => e), 'CSV_EMPTY')).toBe(true);
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'a,b\n1,2,3\n');
    const error = await readCsvTable(bad).catch((e: unknown) => e);
    expect((error as StratumError).message).toContain(`${bad}: line 2`);
  });

  it('reads seattle-weather.csv with the right types and values', async () => {
    const t = await readCsvTable(SEATTLE);
    expect(t.rowCount).toBe(1461);
    expect(t.delimiter).toBe(',');
    expect(t.columns.map((c) => [c.name, c.kind, c.dtype, c.missing])).toEqual([
      ['date', 'date', 'string', 0],
      ['precipitation', 'float', 'float32', 0],
      ['temp_max', 'float', 'float32', 0],
      ['temp_min', 'float', 'float32', 0],
      ['wind', 'float', 'float32', 0],
      ['weather', 'string', 'string', 0],
    ]);
    const records = tableToRecords(t);
    expect(records[0]).toEqual({ date: '2012-01-01', precipitation: 0, temp_max: 12.8, temp_min: 5, wind: 4.7, weather: 'drizzle' });
    expect(records[1460]).toEqual({ date: '2015-12-31', precipitation: 0, temp_max: 5.6, temp_min: -2.1, wind: 3.5, weather: 'sun' });
  });

  it('readCsv gives a DataFrame with explicit dtypes', async () => {
    const df = await readCsv(SEATTLE);
    expect(df.shape).toEqual([1461, 6]);
    expect(df.dtypes).toEqual(['string', 'float32', 'float32', 'float32', 'float32', 'string']);
    expect(df.column('temp_max').values.slice(0, 2)).toEqual([12.8, 10.6]);
  });
});
