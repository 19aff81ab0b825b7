// Tests of the polars fast path (fast.ts): on every input it takes, it must give exactly the table
// of the csv-parse path (columns, values, coercions, notes); on layouts it cannot read the same way
// it must decline (`undefined`), leaving the JS path and its exact errors. Expected values come from
// the JS path itself (the reference, tested in csv.test.ts) and, for the decimal-comma and -0
// cases, from reading the inputs by hand.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsvTable } from './csv.ts';
import type { CsvReadOptions, CsvTable } from './csv.ts';
import { readCsvFast, scanCsv } from './fast.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-fast-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let files = 0;
async function file(content: string | Buffer): Promise<string> {
  const path = join(dir, `f${files++}.csv`);
  await writeFile(path, content);
  return path;
}

/** Everything a reader decides (the delimiter too), with `values` built. */
function shape(t: CsvTable): unknown {
  return { rowCount: t.rowCount, delimiter: t.delimiter, columns: t.columns.map((c) => ({ ...c })), coercions: t.coercions, notes: t.notes, decimalComma: t.decimalComma };
}

/** The fast path's table, which must exist, and the JS path's. */
async function both(content: string | Buffer, options: CsvReadOptions = {}): Promise<{ fast: CsvTable; js: CsvTable }> {
  const path = await file(content);
  const fast = await readCsvFast(path, { ...options, source: path });
  if (fast === undefined) throw new Error('the fast path declined');
  return { fast, js: await readCsvTable(path, { ...options, engine: 'js' }) };
}

const ints = (n: number): string => Array.from({ length: n }, (_, i) => String(i)).join('\n');

describe('the polars path gives the JS path\'s table', () => {
  const cases: Array<[string, string]> = [
    ['numbers and missing', 'a,b,c\n1,1.5,x\n,2.5,\n3,,z\n'],
    ['CRLF line ends', 'a,b\r\nx,1\r\ny,\r\n'],
    ['a UTF-8 BOM', '\uFEFFid,v\n1,2\n3,4\n'],
    ['no line break at the end', 'a,b\n1,2\n3,4'],
    ['blank lines at the end', 'a,b\n1,2\n3,4\n\n\n'],
    ['a float after polars\' 10,000-row inference window', `n\n${ints(10_500)}\n3.5\n`],
    ['text after the inference window', `n\n${ints(10_500)}\nabc\n`],
    ['an integer beyond 2^53 without leading zeros', 'id,v\n9007199254740993,1\n12,2\n'],
    ['a float of magnitude 2^53 or more', 'x\n1.5\n1e20\n'],
    ['NaN and inf text in a float column', 'x,y\n1.5,inf\nNaN,2\n2.5,-inf\n'],
    ['integers with a missing value', 'a,b\n1,x\n,y\n3,z\n'],
    ['integers beyond the int32 range', 'x\n3000000000\n-1\n'],
    ['leading zeros', 'zip,n\n00123,1\n98101,2\n'],
    ['spaces at field edges', 'x,y\n 1,a\n2 ,b \n'],
    ['tokens in a text column of few values', `s\n${Array.from({ length: 300 }, (_, i) => ['a', 'b', 'NA', 'N/A'][i % 4]).join('\n')}\n`],
    ['dates, booleans, signs', 'd,flag,s\n2024-01-15,TRUE,+1\n2024-02-29,false,-2\n,True,+3\n'],
    ['a column of only missing values', 'x,y\n,1\nNA,2\n'],
    ['tab-delimited', 'a\tb\n1\tx,y\n2\tz\n'],
    ['semicolons without decimal commas', 'a;b\n1;2.5\n3;4\n'],
    ['a tab before a number after the inference window (polars reads 7, our rules text)', `n\n${ints(10_500)}\n\t7\n`],
    ['a line of spaces inside a one-column file', 'a\n1\n   \n2\n'],
    ['columns named like DataFrame members (nodejs-polars answers df.height with a column "height")', 'height,width,filter,columns,slice\n1,2.5,x,007,a\n3,4.5,y,8,b\n'],
  ];
  it.each(cases)('%s', async (_name, text) => {
    const { fast, js } = await both(text);
    expect(shape(fast)).toEqual(shape(js));
  });

  // RFC 4180 quoting, which csv-parse (relax_quotes) and polars read alike.
  const quoted: Array<[string, string]> = [
    ['the delimiter in quoted text', 'name,n\n"Smith, J",1\n"Doe, A",2\nplain,3\n'],
    ['doubled quotes', 'q,n\n"say ""hi""",1\n"""",2\n"a""",3\n"""b""",4\n'],
    ['a quoted empty string and an empty field (both missing)', 'a,b,c\n"",1,x\n,2,""\n"x",3,y\n'],
    ['a quoted empty field in a numeric column', 'a,b\n1,""\n2,3\n"",4\n'],
    ['quoted LF, CRLF and CR in an LF file', 'note,n\n"line1\nline2",1\n"a\r\nb",2\n"c\rd",3\n"\n",4\n'],
    ['quoted CRLF and LF in a CRLF file', 'note,n\r\n"a\r\nb",1\r\n"c\nd",2\r\n"e",3\r\n'],
    ['quoted header names', '"id","full name","a,b"\n1,x,2\n3,y,4\n'],
    ['a header with a quoted newline and a CRLF line end', '"a, x","b\nc"\r\n1,2\r\n'],
    ['every field quoted (pandas QUOTE_ALL)', '"a","b","c","d"\n"1","x","2.5","true"\n"2","","3.5","FALSE"\n'],
    ['quoted numbers polars reads otherwise: leading zeros, -0, spaces, a tab', 'z,m,s,t,u\n"007","-0"," 1","1 ","\t1"\n"012","5","2","2","2"\n'],
    ['quoted signs, exponents, decimal points', 'a,b,c,d\n"+1","1e5",".5","1."\n"-2","-1.5E-3","2","-.25"\n'],
    ['quoted missing tokens', 'a,b,c\n"NA",1,"null"\n"N/A","NaN",x\n"x","",""\n'],
    ['quoted NaN and inf in a float column', 'x\n"NaN"\n1.5\n"inf"\n"-inf"\n'],
    ['quoted booleans and dates', 'flag,d\n"TRUE","2024-01-15"\nfalse,2024-02-29\n"True",""\n'],
    ['quoted text in a tab-delimited file', 'a\tb\n"x\ty"\t1\n"z"\t"2"\n'],
    ['non-ASCII text in quotes', 'a,b\n"é, ü",1\n"日本\n語",2\n'],
    ['a quoted last field without a final line break', 'a,b\n1,x\n2,"y, z"'],
    ['a quoted empty last field without a final line break', 'a,b\n1,x\n2,""'],
    ['a one-column file with a quoted empty line', 'a\n1\n""\n2\n'],
    ['quoted fields and blank lines at the end', 'a,b\n"x",1\n"y",2\n\n\n'],
    ['a quoted float after the inference window', `n\n${ints(10_500)}\n"3.5"\n`],
    ['a quoted missing token after the inference window', `n\n${ints(10_500)}\n"NA"\n`],
    ['a quoted leading-zero code after the inference window', `n\n${ints(10_500)}\n"007"\n`],
    ['quoted text in a ;-file with decimal commas', 'price;qty;name\n"1,5";2;"a;b"\n"-0,25";"3";"c, d"\n'],
    ['quoted text of few distinct values, with tokens', `s,n\n${Array.from({ length: 400 }, (_, i) => `${['"a, b"', '"NA"', 'c', '""'][i % 4]},${i}`).join('\n')}\n`],
  ];
  it.each(quoted)('%s', async (_name, text) => {
    const { fast, js } = await both(text);
    expect(shape(fast)).toEqual(shape(js));
  });

  it('keeps -0 in an integer column as -0, like Number("-0")', async () => {
    const { fast, js } = await both('n\n-0\n5\n');
    expect(Object.is(fast.columns[0]!.values[0], -0)).toBe(true);
    expect(shape(fast)).toEqual(shape(js));
  });
});

describe('text columns of mostly distinct values (typed row by row, without dictionary codes)', () => {
  /** A CSV of `id` and `s`, `s` given per row. */
  const csv = (rows: number, s: (i: number) => string): string => `id,s\n${Array.from({ length: rows }, (_, i) => `${i},${s(i)}`).join('\n')}\n`;
  const cases: Array<[string, string]> = [
    ['names with missing tokens, empty and quoted empty fields', csv(3000, (i) => (i % 7 === 3 ? 'NA' : i % 11 === 5 ? '' : i % 13 === 6 ? '"N/A"' : i % 17 === 0 ? '""' : `"Name ${i}, X"`))],
    ['timestamps with missing tokens (kind date)', csv(3000, (i) => (i % 9 === 4 ? 'null' : `2024-01-${String(1 + (i % 28)).padStart(2, '0')}T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`))],
    ['dates but one text value', csv(3000, (i) => (i === 2500 ? 'unknown' : `2024-02-${String(1 + (i % 28)).padStart(2, '0')} 0${i % 10}:${String(i % 60).padStart(2, '0')}`))],
    ['40% numbers, 60% text', csv(3000, (i) => (i % 5 < 2 ? String(i * 3) : `t${i}`))],
    ['60% numbers, 40% text', csv(3000, (i) => (i % 5 < 3 ? `${i}.5` : `t${i}`))],
    ['numbers but one text value', csv(3000, (i) => (i === 10 ? 'n/a' : String(i * 7)))],
    ['distinct codes with leading zeros', csv(3000, (i) => String(i).padStart(6, '0'))],
    ['values with spaces at an edge', csv(3000, (i) => (i % 100 === 0 ? ` x${i}` : `x${i}`))],
    ['quoted text with delimiters and line breaks', csv(3000, (i) => `"line ${i}, a\nline two"`)],
    ['booleans among distinct text', csv(3000, (i) => (i % 3 === 0 ? ['true', 'FALSE', 'True'][i % 3] ?? 'true' : `w${i}`))],
    ['non-ASCII digits (not numbers in JS or Rust regex)', csv(3000, (i) => `٣${i}`)],
  ];
  it.each(cases)('%s', async (_name, text) => {
    const { fast, js } = await both(text);
    expect(shape(fast)).toEqual(shape(js));
  });

  it('reports the missing tokens of a names column per row, as the JS path does (read by hand)', async () => {
    const { fast, js } = await both(csv(1000, (i) => (i % 10 === 0 ? 'NA' : i % 10 === 5 ? '"N/A"' : `"Doe, ${i}"`)));
    expect(shape(fast)).toEqual(shape(js));
    expect(fast.columns[1]).toMatchObject({ kind: 'string', missing: 200 });
    expect(fast.columns[1]!.values.slice(0, 6)).toEqual([null, 'Doe, 1', 'Doe, 2', 'Doe, 3', 'Doe, 4', null]);
    expect(fast.coercions).toEqual([{ column: 's', count: 200, examples: ['NA', 'N/A'], action: 'read as missing (null)' }]);
  });
});

describe('decimal commas (both paths)', () => {
  it('detects them in a ;-delimited file, reads 1,5 as 1.5 and reports it', async () => {
    const { fast, js } = await both('price;qty;name\n1,5;2;a\n-0,25;3;b\n');
    expect(shape(fast)).toEqual(shape(js));
    expect(fast.decimalComma).toBe(true);
    expect(fast.columns[0]).toMatchObject({ kind: 'float', values: [1.5, -0.25] });
    expect(fast.coercions).toEqual([{ column: 'price', count: 2, examples: ['1,5', '-0,25'], action: 'decimal comma read as a decimal point' }]);
    expect(fast.notes?.[0]).toMatch(/decimal comma detected \(e\.g\. "1,5"\)/);
  });

  it('leaves ambiguous 1,234 values as text, with a note', async () => {
    const { fast, js } = await both('amount;n\n1,234;1\n12,500;2\n');
    expect(shape(fast)).toEqual(shape(js));
    expect(fast.columns[0]).toMatchObject({ kind: 'string', values: ['1,234', '12,500'] });
    expect(fast.notes?.[0]).toMatch(/thousands separator/);
  });

  it('does not switch when another column has decimal points', async () => {
    const { fast, js } = await both('a;b\n1,5;2.5\n2,5;3.5\n');
    expect(shape(fast)).toEqual(shape(js));
    expect(fast.columns.map((c) => c.kind)).toEqual(['string', 'float']);
  });

  it('reads floats with a point as text when decimal commas are used', async () => {
    const { fast, js } = await both('a;b\n1,5;2.5\n2,5;3\n', { decimalComma: true });
    expect(shape(fast)).toEqual(shape(js));
    expect(fast.columns.map((c) => c.kind)).toEqual(['float', 'string']);
  });

  it('detects nothing when told decimalComma: false', async () => {
    const { fast, js } = await both('price;qty\n1,5;2\n', { decimalComma: false });
    expect(shape(fast)).toEqual(shape(js));
    expect(fast.columns[0]!.kind).toBe('string');
    expect(fast.notes).toBeUndefined();
  });
});

describe('layouts the polars path declines (the JS path reads them, or names the error)', () => {
  it.each([
    // csv-parse keeps a quote inside an unquoted field; polars may split the file at the wrong lines.
    ['a quote inside an unquoted field', 'a,b\nx"y,2\n3,4\n'],
    ['a quote at the end of an unquoted field', 'a,b\nx",2\n3,4\n'],
    ['a space before an opening quote', 'a,b\n "x",2\n'],
    // csv-parse keeps the text after a closing quote; polars fails.
    ['text after a closing quote', 'a,b\n"x"y,2\n'],
    ['a space after a closing quote', 'a,b\n"x" ,2\n'],
    ['a quote never closed', 'a,b\n1,"x\n2,3\n'],
    ['a quote in an unquoted header name', 'a"b,c\n1,2\n'],
    ['a doubled quote in a quoted header name (polars keeps both quotes)', '"a ""x""",b\n1,2\n'],
    ['a line of spaces at the end of a one-column file (the JS path drops it)', 'a\n1\n2\n   \n'],
    ['a CR after a closing quote in an LF file', 'a,b\n"x"\r\n"y",2\n'],
    ['too many fields', 'a,b\n1,2\n3,4,5\n'],
    ['too few fields', 'a,b,c\n1,2,3\n4,5\n'],
    ['a blank line between rows', 'a,b\n1,2\n\n3,4\n'],
    ['a CR alone', 'a,b\n1,2\r3,4\n'],
    ['LF lines in a CRLF file', 'a,b\r\n1,2\n3,4\r\n'],
    ['repeated header names', 'a,a\n1,2\n'],
    ['an empty header name', 'a,\n1,2\n'],
    ['a header only', 'a,b\n'],
    ['header names polars reads as patterns', '*,^a$\n1,2\n'],
  ])('%s', async (_name, text) => {
    const path = await file(text);
    expect(await readCsvFast(path, { source: path })).toBeUndefined();
  });

  it('declines a path polars would read as a glob pattern', async () => {
    const path = join(dir, 'data[1].csv');
    await writeFile(path, 'a,b\n1,2\n');
    expect(await readCsvFast(path, { source: path })).toBeUndefined();
    expect((await readCsvTable(path, { engine: 'polars' })).columns[0]!.values).toEqual([1]);
  });

  it('declines bytes that are not UTF-8, and UTF-16', async () => {
    const latin1 = await file(Buffer.from([...Buffer.from('word\ncaf'), 0xe9, 0x0a]));
    expect(await readCsvFast(latin1, { source: latin1 })).toBeUndefined();
    const utf16 = await file(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n1,2\n', 'utf16le')]));
    expect(await readCsvFast(utf16, { source: utf16 })).toBeUndefined();
  });
});

describe('scanCsv', () => {
  it('counts rows and empty fields and marks the columns polars would read differently', () => {
    const scan = scanCsv(Buffer.from('a,b,c,d\n007,1, x,-0\n,2,y,1\n'), ','.charCodeAt(0));
    expect(scan).toEqual({ header: ['a', 'b', 'c', 'd'], asText: [true, false, true, true], rows: 2, empty: [1, 0, 0, 0], trailingBlank: 0, quoted: false });
  });

  it('reads quoted fields: header names unquoted, "" empty, number checks on the text inside the quotes', () => {
    const scan = scanCsv(Buffer.from('"a","b, c",d\n"007","x,\ny",""\n"1","",2\n'), ','.charCodeAt(0));
    expect(scan).toEqual({ header: ['a', 'b, c', 'd'], asText: [true, false, false], rows: 2, empty: [0, 1, 1], trailingBlank: 0, quoted: true });
  });
});

describe('quoted files larger than the scan buffer', () => {
  // Records whose quoted fields hold line breaks, delimiters and text shaped like records cross the
  // scan's 1 MiB pieces and polars' per-thread chunks.
  it('a 3 MB file of quoted multi-line fields gives the JS path\'s table', async () => {
    const lines = ['id,note,v'];
    for (let i = 0; i < 60_000; i++) {
      const note = [`"${i},""x"",${i}\n${i + 1},y,${i}\n"`, `"plain ${i}"`, `"a, b\r\n${i},c,3"`, '""', `text${i}`][i % 5];
      lines.push(`${i},${note},${(i * 0.25).toFixed(2)}`);
    }
    const { fast, js } = await both(`${lines.join('\n')}\n`);
    expect(fast.rowCount).toBe(60_000);
    expect(fast.columns[1]!.values.slice(0, 4)).toEqual(['0,"x",0\n1,y,0\n', 'plain 1', 'a, b\r\n2,c,3', null]);
    expect(shape(fast)).toEqual(shape(js));
  }, 30_000);

  it('sniffs the delimiter when the first 50 records span more than the 64 KiB head', async () => {
    const long = 'word; '.repeat(400); // 2.4 KB of text with the other candidate delimiter
    const lines = ['id,text'];
    for (let i = 0; i < 80; i++) lines.push(`${i},"${long}\n${i}"`);
    const { fast, js } = await both(`${lines.join('\n')}\n`);
    expect(fast.delimiter).toBe(',');
    expect(shape(fast)).toEqual(shape(js));
  });
});

describe('vega-datasets files', () => {
  // Every CSV/TSV of vega-datasets: the fast path either declines or gives the JS path's table.
  it('give the same table on both paths, and the fast path takes the plain ones', async () => {
    const data = 'node_modules/vega-datasets/data';
    const names = (await readdir(data)).filter((f) => /\.(csv|tsv)$/.test(f));
    const taken: string[] = [];
    for (const name of names) {
      const path = join(data, name);
      const fast = await readCsvFast(path, { source: path });
      if (fast === undefined) continue;
      taken.push(name);
      expect(shape(fast), name).toEqual(shape(await readCsvTable(path, { engine: 'js' })));
    }
    expect(taken).toEqual(expect.arrayContaining(['seattle-weather.csv', 'stocks.csv', 'zipcodes.csv', 'birdstrikes.csv', 'unemployment.tsv', 'lookup_people.csv', 'airports.csv', 'gapminder-health-income.csv']));
  }, 60_000);
});

describe('missing tokens and stray values (both paths)', () => {
  it('reads pandas\' default tokens as missing, and names a stray value with its data row', async () => {
    // p: floats with lower-case and pandas tokens; q: few distinct integers (typed from distinct
    // values) with one "?" at data row 38; r: many distinct floats with one "x" at data row 200.
    const lines = ['p,q,r'];
    const tokens = ['n/a', 'nan', '-nan', 'None', 'NULL', '#N/A', '<NA>'];
    for (let i = 0; i < 400; i++) lines.push(`${i % 20 === 3 ? tokens[i % tokens.length] : i / 4},${i === 37 ? '?' : i % 10},${i === 199 ? 'x' : i * 1.25}`);
    const { fast, js } = await both(`${lines.join('\n')}\n`);
    expect(shape(fast)).toEqual(shape(js));
    expect(fast.columns.map((c) => [c.kind, c.missing])).toEqual([['float', 20], ['string', 0], ['string', 0]]);
    expect(fast.columns[1]!.note).toMatch(/^mostly numbers, but 1 of 400 values is not: "\?" at data row 38;/);
    expect(fast.columns[2]!.note).toMatch(/^mostly numbers, but 1 of 400 values is not: "x" at data row 200;/);
  });
});
