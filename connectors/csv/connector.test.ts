// Tests of the CSV/TSV connectors and of the features added to the CSV reader for issue #5:
// encoding detection, decimal comma, the polars path (same result as the JS path on hand-made
// inputs), streaming batches. Expected values are read by hand from the inputs written here.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StratumError } from '../../core/errors.ts';
import { readCsvTable, tableToDataFrame } from './csv.ts';
import { csvConnector, tsvConnector } from './connector.ts';
import type { DataTable } from '../../core/data/columns.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-csvc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function failure(p: Promise<unknown>): Promise<StratumError> {
  const e = await p.then(() => undefined, (error: unknown) => error);
  if (!(e instanceof StratumError)) throw new Error(`expected a StratumError, got ${String(e)}`);
  return e;
}

describe('encoding detection', () => {
  it('reads UTF-16LE with a BOM and says so', async () => {
    const path = await file('u16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name,n\nZoë,1\n', 'utf16le')]));
    const t = await readCsvTable(path);
    expect(t.encoding).toBe('utf-16le');
    expect(t.columns[0]!.values).toEqual(['Zoë']);
    expect(t.notes?.[0]).toMatch(/UTF-16LE/);
  });

  it('falls back to Latin-1 for bytes that are not UTF-8, and reports it', async () => {
    // "café" in Latin-1: 63 61 66 E9
    const path = await file('latin1.csv', Buffer.from([...Buffer.from('word\ncaf'), 0xe9, 0x0a]));
    const t = await readCsvTable(path);
    expect(t.encoding).toBe('latin1');
    expect(t.columns[0]!.values).toEqual(['café']);
    expect(t.notes?.[0]).toMatch(/not valid UTF-8.*Latin-1/);
  });

  it('rejects bytes that are not valid in a forced UTF-8, naming the file', async () => {
    const path = await file('bad-utf8.csv', Buffer.from([0x61, 0x0a, 0xe9, 0x0a]));
    const e = await failure(readCsvTable(path, { encoding: 'utf-8' }));
    expect(e.code).toBe('CSV_PARSE');
    expect(e.message).toContain(path);
  });
});

describe('decimal comma', () => {
  it('reads 1,5 as 1.5 with a ; delimiter', async () => {
    const path = await file('comma.csv', 'price;qty\n1,5;2\n-0,25;3\n');
    const t = await readCsvTable(path, { decimalComma: true });
    expect(t.delimiter).toBe(';');
    expect(t.columns[0]).toMatchObject({ kind: 'float', values: [1.5, -0.25] });
    expect(t.coercions[0]).toMatchObject({ column: 'price', count: 2 });
  });
});

describe('polars path gives the same table as the JS path', () => {
  const cases: Array<[string, string]> = [
    ['numbers and missing', 'a,b,c\n1,1.5,x\n,2.5,\n3,,z\n'],
    ['late float in an integer column', `n\n${Array.from({ length: 300 }, (_, i) => String(i)).join('\n')}\n3.5\n`],
    ['big integers and leading zeros', 'id,zip,small\n9007199254740993,00123,1\n1,98101,2\n'],
    ['tokens, booleans, dates', 'v,flag,d\nNA,TRUE,2024-01-15\n2,false,2024-02-29\nN/A,True,\n'],
    ['inf and nan text', 'x,y\ninf,1\n-inf,2\nnan,3\n'],
    ['spaces at field edges', 'x,y\n 1,a\n2 ,b\n'],
    ['int32 overflow', 'x\n3000000000\n-1\n'],
    ['all missing', 'x,y\n,1\n,2\n'],
  ];
  it.each(cases)('%s', async (name, text) => {
    const path = await file(`${name.replaceAll(' ', '-')}.csv`, text);
    const js = await readCsvTable(path, { engine: 'js' });
    const fast = await readCsvTable(path, { engine: 'polars' });
    const shape = (t: DataTable) => ({ rowCount: t.rowCount, columns: t.columns, coercions: t.coercions });
    expect(shape(fast)).toEqual(shape(js));
  });

  it('falls back to the JS path (and its exact errors) for quoted or ragged files', async () => {
    const quoted = await file('quoted.csv', 'a,b\n"x,1",2\n');
    expect((await readCsvTable(quoted, { engine: 'polars' })).columns[0]!.values).toEqual(['x,1']);
    const ragged = await file('ragged.csv', 'a,b\n1,2\n3,4,5\n');
    const e = await failure(readCsvTable(ragged, { engine: 'polars' }));
    expect(e.message).toMatch(/line 3: expected 2 fields/);
  });

  it('gives a DataFrame whose rows are built on first use', async () => {
    const path = await file('df.csv', 'a,b\n1,x\n,y\n');
    const df = tableToDataFrame(await readCsvTable(path, { engine: 'polars' }));
    expect(df.shape).toEqual([2, 2]);
    expect(df.column('a').values).toEqual([1, NaN]);
    expect(df.values).toEqual([[1, 'x'], [NaN, 'y']]);
    expect(df.head(1).shape).toEqual([1, 2]);
  });
});

describe('csv connector', () => {
  it('tests, previews and loads a file', async () => {
    const path = await file('c.csv', 'id,name\n1,a\n2,b\n3,NA\n');
    expect((await csvConnector.test({ path })).message).toMatch(/2 columns \(id: integer, name: string\)/);
    const preview = await csvConnector.preview({ path }, 2);
    expect(preview.rowCount).toBe(2);
    expect(preview.columns[1]).toMatchObject({ values: ['a', 'b'], missing: 0 });
    const all = await csvConnector.load({ path });
    expect(all.columns[1]).toMatchObject({ values: ['a', 'b', null], missing: 1 });
  });

  it('streams batches in the first batch\'s schema (see batches.test.ts)', async () => {
    const path = await file('b.csv', 'n,s\n1.5,a\n2,b\n3,c\n4.5,d\n5,e\n');
    const batches: DataTable[] = [];
    for await (const b of csvConnector.batches!({ path }, { batchSize: 2 })) batches.push(b);
    expect(batches.map((b) => b.rowCount)).toEqual([2, 2, 1]);
    expect(batches[1]!.columns[0]).toMatchObject({ kind: 'float', values: [3, 4.5] });
    expect(batches[2]!.columns[0]).toMatchObject({ kind: 'float', dtype: 'float32', values: [5] }); // alone: integer
    expect(batches[2]!.columns[1]!.values).toEqual(['e']);
  });

  it('reads TSV with the tab default', async () => {
    const path = await file('t.tsv', 'a\tb\n1\tx,y\n');
    const t = await tsvConnector.load({ path });
    expect(t.columns[1]!.values).toEqual(['x,y']);
  });

  it('names the file when it is missing, and rejects bad configs naming the field', async () => {
    const missing = join(dir, 'nope.csv');
    const e = await failure(csvConnector.test({ path: missing }));
    expect(e.code).toBe('FILE_NOT_FOUND');
    expect(e.message).toContain(missing);
    const bad = await failure(csvConnector.load({ path: 'x.csv', delimiter: ';;' } as never));
    expect(bad.code).toBe('CONNECTOR_CONFIG');
    expect(bad.message).toMatch(/delimiter/);
  });

  it('names the line of a truncated file (unclosed quote)', async () => {
    const path = await file('trunc.csv', 'a,b\n1,"unfinished\n');
    const e = await failure(csvConnector.load({ path }));
    expect(e.message).toMatch(/line 2: .*never closed/);
  });
});

describe('polars path: values that polars would silently null', () => {
  it('types a column whose first 100+ rows are integers and a later row is text or a float', async () => {
    const ints = Array.from({ length: 300 }, (_, i) => `${i},${i % 2 === 0 ? 'true' : 'false'}`).join('\n');
    const path = await file('late.csv', `n,b\n${ints}\n3.5,maybe\n`);
    const js = await readCsvTable(path, { engine: 'js' });
    const fast = await readCsvTable(path, { engine: 'polars' });
    expect(fast.columns).toEqual(js.columns);
    expect(fast.columns.map((c) => c.kind)).toEqual(['float', 'string']);
    expect(fast.columns[0]!.values[300]).toBe(3.5);
  });

  it('keeps a blank line in a one-column file skipped, like the JS path', async () => {
    const path = await file('one.csv', 'x\n1\n\n2\n');
    expect((await readCsvTable(path, { engine: 'polars' })).columns[0]!.values).toEqual([1, 2]);
  });
});
