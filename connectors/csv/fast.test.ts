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
  ];
  it.each(cases)('%s', async (_name, text) => {
    const { fast, js } = await both(text);
    expect(shape(fast)).toEqual(shape(js));
  });

  it('keeps -0 in an integer column as -0, like Number("-0")', async () => {
    const { fast, js } = await both('n\n-0\n5\n');
    expect(Object.is(fast.columns[0]!.values[0], -0)).toBe(true);
    expect(shape(fast)).toEqual(shape(js));
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
    ['quotes', 'a,b\n"x,1",2\n'],
    ['too many fields', 'a,b\n1,2\n3,4,5\n'],
    ['too few fields', 'a,b,c\n1,2,3\n4,5\n'],
    ['a blank line between rows', 'a,b\n1,2\n\n3,4\n'],
    ['a CR alone', 'a,b\n1,2\r3,4\n'],
    ['LF lines in a CRLF file', 'a,b\r\n1,2\n3,4\r\n'],
    ['repeated header names', 'a,a\n1,2\n'],
    ['an empty header name', 'a,\n1,2\n'],
    ['a header only', 'a,b\n'],
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
    expect(scan).toEqual({ header: ['a', 'b', 'c', 'd'], asText: [true, false, true, true], rows: 2, empty: [1, 0, 0, 0], trailingBlank: 0 });
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
    expect(taken).toEqual(expect.arrayContaining(['seattle-weather.csv', 'stocks.csv', 'zipcodes.csv', 'birdstrikes.csv', 'unemployment.tsv']));
  }, 60_000);
});
