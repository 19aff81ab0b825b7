// Thousands separators in CSV numbers (the `thousands` option and the `1.234,56` detection).
// Expected values are read by hand from the inputs written here; pandas 1.5.3
// `read_csv(io.StringIO(text), sep=';', decimal=',', thousands='.')` gives the same numbers for
// the first example (1234.56, 12.5, 999.0).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectDecimalComma } from '../../core/data/columns.ts';
import { rejection, thrown } from '../../core/testing.ts';
import { csvConnector } from './connector.ts';
import { parseCsv, readCsvTable } from './csv.ts';

const dir = mkdtempSync(join(tmpdir(), 'stratum-thousands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const missing = new Set(['', 'NA']);

describe('European numbers (1.234,56) in a ;-delimited file', () => {
  it('detects "." thousands with decimal commas and reports both coercions', () => {
    const t = parseCsv('name;amount\nA;1.234,56\nB;12,5\nC;999,00\n');
    const amount = t.columns[1]!;
    expect(amount).toMatchObject({ kind: 'float', values: [1234.56, 12.5, 999] });
    expect(t.decimalComma).toBe(true);
    expect(t.thousands).toBe('.');
    expect(t.notes).toEqual(['decimal comma with "." thousands separators detected (e.g. "1.234,56"): numbers read with a comma as the decimal separator and the points removed; pass decimalComma: false to keep them as text']);
    expect(t.coercions).toEqual([
      { column: 'amount', count: 1, examples: ['1.234,56'], action: 'thousands separator "." removed' },
      { column: 'amount', count: 3, examples: ['1.234,56', '12,5', '999,00'], action: 'decimal comma read as a decimal point' },
    ]);
  });

  it('reads 1.234 as 1234 in another column once the file proves the grouping', () => {
    const t = parseCsv('a;b\n1.234,5;1.234\n2,5;7\n');
    expect(t.columns.map((c) => c.values)).toEqual([[1234.5, 2.5], [1234, 7]]);
    expect(t.columns[1]!.kind).toBe('integer');
  });

  it('stays text when it is not unambiguous: "1.234" alone, or another column proves decimal points', () => {
    expect(detectDecimalComma([['1.234', '12,5']], missing)).toEqual({ decimalComma: false }); // as before: the column is in no one number form
    expect(detectDecimalComma([['1.234', '2.000']], missing)).toEqual({ decimalComma: false });
    const mixed = parseCsv('a;b\n1.234,5;2.5\n3;4\n');
    expect(mixed.decimalComma).toBeUndefined();
    expect(mixed.thousands).toBeUndefined();
    expect(mixed.columns[0]!.kind).toBe('string');
    expect(mixed.notes![0]).toBe('numbers use both a decimal comma ("1.234,5") and a decimal point ("2.5"): the comma ones are kept as text; pass decimalComma: true to read them');
    // A first group starting with 0 is no grouping.
    expect(detectDecimalComma([['0.123,5', '1,5']], missing).thousands).toBeUndefined();
  });
});

describe('the thousands option', () => {
  const quoted = 'name,amount\nA,"1,234"\nB,"12,345.67"\nC,5\n';

  it('without it, grouped numbers in a comma file are text with a note naming the option', () => {
    const t = parseCsv(quoted);
    expect(t.columns[1]).toMatchObject({ kind: 'string', values: ['1,234', '12,345.67', '5'] });
    expect(t.columns[1]!.note).toBe('numbers with "," as a thousands separator (e.g. "1,234"): kept as text; pass thousands: "," to read them as numbers');
    expect(parseCsv('a;b\nx;1.234,5\ny;2\n', { decimalComma: false }).columns[1]!.note).toBe('numbers with "." as a thousands separator (e.g. "1.234,5"): kept as text; pass thousands: "." (it implies decimalComma: true) to read them as numbers');
  });

  it('thousands: "," reads them (integers stay integers) and reports each value', () => {
    const t = parseCsv(quoted, { thousands: ',' });
    expect(t.columns[1]).toMatchObject({ kind: 'float', dtype: 'float32', values: [1234, 12345.67, 5] });
    expect(t.coercions).toEqual([{ column: 'amount', count: 2, examples: ['1,234', '12,345.67'], action: 'thousands separator "," removed' }]);
    const ints = parseCsv('n\n"1,234"\n"-2,000,000"\n7\n', { thousands: ',' });
    expect(ints.columns[0]).toMatchObject({ kind: 'integer', dtype: 'int32', values: [1234, -2000000, 7] });
  });

  it('only whole 3-digit groups: 1,2,3 and 12,34 stay text', () => {
    expect(parseCsv('n\n"1,2,3"\n5\n', { thousands: ',' }).columns[0]!.kind).toBe('string');
    expect(parseCsv('n\n"12,34"\n5\n', { thousands: ',' }).columns[0]!.kind).toBe('string');
  });

  it('keeps an integer beyond 2^53 exact as text', () => {
    const t = parseCsv('n\n"9,007,199,254,740,993"\n1\n', { thousands: ',' });
    expect(t.columns[0]).toMatchObject({ kind: 'string', values: ['9,007,199,254,740,993', '1'] });
    expect(t.columns[0]!.note).toMatch(/beyond ±\(2\^53-1\)/);
  });

  it('" " and "\'" separators; with ";" the decimal comma is still detected', () => {
    expect(parseCsv('a;b\nx;1 234,5\ny;2\n', { thousands: ' ' }).columns[1]!.values).toEqual([1234.5, 2]);
    expect(parseCsv("a,b\nx,1'234.5\ny,2\n", { thousands: "'" }).columns[1]!.values).toEqual([1234.5, 2]);
    expect(parseCsv('a;b\nx;1.234,5\ny;2\n', { thousands: '.' }).columns[1]!.values).toEqual([1234.5, 2]);
  });

  it('refuses a separator that is also the decimal separator, or an unknown one', () => {
    const same = thrown(() => parseCsv('a;b\n1;2\n', { thousands: ',', decimalComma: true }));
    expect(same.code).toBe('CONNECTOR_CONFIG');
    expect(same.message).toBe('thousands: "," is also the decimal separator with decimalComma: true');
    expect(thrown(() => parseCsv('a;b\n1;2\n', { thousands: '.', decimalComma: false })).code).toBe('CONNECTOR_CONFIG');
    expect(thrown(() => parseCsv('a\n1\n', { thousands: '_' as ',' })).message).toBe('thousands must be one of ",", ".", " ", "\'", got "_"');
  });

  it('through the connector (schema) and the polars engine (which declines: same result as js)', async () => {
    const path = join(dir, 'amounts.csv');
    writeFileSync(path, quoted);
    const loaded = await csvConnector.load({ path, thousands: ',' });
    expect(loaded.columns[1]!.values).toEqual([1234, 12345.67, 5]);
    const bad = await rejection(csvConnector.load({ path, thousands: ';' as ',' }));
    expect(bad.message).toMatch(/thousands/);
    const js = await readCsvTable(path, { engine: 'js', thousands: ',' });
    expect(await readCsvTable(path, { engine: 'polars', thousands: ',' })).toEqual(js);
    const euro = join(dir, 'euro.csv');
    writeFileSync(euro, 'name;amount\nA;1.234,56\nB;12,5\nC;999,00\n');
    const euroJs = await readCsvTable(euro, { engine: 'js' });
    expect(euroJs.thousands).toBe('.');
    expect(await readCsvTable(euro, { engine: 'polars' })).toEqual(euroJs);
  });
});
