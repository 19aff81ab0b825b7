// Infinities spelled out in CSV text (`inf`, `-inf`, `Infinity`...) are read as float ±Infinity,
// as pandas `read_csv` reads them (pandas/_libs/parsers.pyx `_try_double_nogil`: `strcasecmp`
// against inf, +inf, -inf, Infinity, +Infinity, -Infinity; pandas' own test
// pandas/tests/io/parser/common/test_inf.py reads inf, -inf, +Inf, INF, -INF, inF... as ±inf), on both CSV paths, with a coercion
// entry per column. Expected values are read by hand from the inputs written here; the profile's
// statistics come from numpy 2.4.6 (pandas' describe uses the same quantile rule):
//   a = np.array([1, 2, np.inf, 4.0]); a.mean() -> inf; a.std(ddof=1) -> nan;
//   np.quantile(a, [.25, .5, .75]) -> [1.75, 3., inf]; a.min() -> 1.0; a.max() -> inf
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INFINITY_TEXT_ACTION } from '../../core/data/columns.ts';
import { profileTable } from '../../core/data/profile.ts';
import { parseCsv, readCsvTable } from './csv.ts';
import type { CsvColumn, CsvReadOptions, CsvTable } from './csv.ts';
import { readCsvFast } from './fast.ts';

const ACTION = 'read as ±Infinity (pandas reads them the same way); charts leave them out, the profile counts them';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-inf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function col(table: CsvTable, name: string): CsvColumn {
  const found = table.columns.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no column ${name}`);
  return found;
}

let files = 0;
/** The polars path's table (which must not decline) and the JS path's, of the same file. */
async function both(content: string, options: CsvReadOptions = {}): Promise<{ fast: CsvTable; js: CsvTable }> {
  const path = join(dir, `f${files++}.csv`);
  await writeFile(path, content);
  const fast = await readCsvFast(path, { ...options, source: path });
  if (fast === undefined) throw new Error('the fast path declined');
  return { fast, js: await readCsvTable(path, { ...options, engine: 'js' }) };
}

/** Everything a reader decides, with `values` built. */
function shape(t: CsvTable): unknown {
  return { rowCount: t.rowCount, delimiter: t.delimiter, columns: t.columns.map((c) => ({ ...c, values: [...c.values] })), coercions: t.coercions, notes: t.notes, decimalComma: t.decimalComma };
}

const ints = (n: number): string => Array.from({ length: n }, (_, i) => String(i)).join('\n');

describe('infinities in CSV text (JS path)', () => {
  it('exports the action text the brief and docs give', () => {
    expect(INFINITY_TEXT_ACTION).toBe(ACTION);
  });

  it('reads inf, -Infinity, +INF as ±Infinity in a float column, with one coercion per column', () => {
    const t = parseCsv('a,b\n1.5,1\ninf,2\n-Infinity,NA\n+INF,\n');
    expect(col(t, 'a')).toMatchObject({ kind: 'float', dtype: 'float32', missing: 0, values: [1.5, Infinity, -Infinity, Infinity] });
    expect(col(t, 'b')).toMatchObject({ kind: 'integer', dtype: 'int32', missing: 2, values: [1, 2, null, null] });
    expect(t.coercions).toEqual([
      { column: 'a', count: 3, examples: ['inf', '-Infinity', '+INF'], action: ACTION },
      { column: 'b', count: 1, examples: ['NA'], action: 'read as missing (null)' },
    ]);
  });

  it('makes an integer column float when it holds an infinity (pandas: float64)', () => {
    const t = parseCsv('n\n1\n2\n-inf\n3\n');
    expect(col(t, 'n')).toMatchObject({ kind: 'float', dtype: 'float32', values: [1, 2, -Infinity, 3] });
    expect(t.coercions).toEqual([{ column: 'n', count: 1, examples: ['-inf'], action: ACTION }]);
  });

  it('reads every pandas spelling in any case, quoted or not, spaces trimmed; counts repeats, keeps 3 distinct examples', () => {
    const t = parseCsv('x\ninf\n+inf\n-inf\nInfinity\n+Infinity\n-Infinity\n"INF"\n-iNfInItY\n inf \ninf\n');
    expect(col(t, 'x').kind).toBe('float');
    expect(col(t, 'x').values).toEqual([Infinity, Infinity, -Infinity, Infinity, Infinity, -Infinity, Infinity, -Infinity, Infinity, Infinity]);
    expect(t.coercions).toEqual([{ column: 'x', count: 10, examples: ['inf', '+inf', '-inf'], action: ACTION }]);
  });

  it('keeps NaN a missing token beside infinities; a column of only infinities is float', () => {
    const t = parseCsv('x,y\n1,inf\nNaN,-inf\ninf,\n');
    expect(col(t, 'x')).toMatchObject({ kind: 'float', missing: 1, values: [1, null, Infinity] });
    expect(col(t, 'y')).toMatchObject({ kind: 'float', missing: 1, values: [Infinity, -Infinity, null] });
    expect(t.coercions).toEqual([
      { column: 'x', count: 1, examples: ['NaN'], action: 'read as missing (null)' },
      { column: 'x', count: 1, examples: ['inf'], action: ACTION },
      { column: 'y', count: 2, examples: ['inf', '-inf'], action: ACTION },
    ]);
  });

  it('leaves look-alikes text: infinite, inff, ++inf, in f, Inf. (pandas reads none of them as a number)', () => {
    for (const v of ['infinite', 'inff', '++inf', 'in f', 'Inf.', 'infinityy']) {
      const t = parseCsv(`x\n1\n${v}\n`);
      expect(col(t, 'x')).toMatchObject({ kind: 'string', values: ['1', v] });
      expect(t.coercions).toEqual([]);
    }
  });

  it('counts infinities as numbers in the "mostly numbers" report: only the real stray value is named', () => {
    const rows = Array.from({ length: 20 }, (_, i) => (i === 3 ? 'inf' : i === 10 ? '?' : i === 15 ? '-inf' : String(i)));
    const t = parseCsv(`v\n${rows.join('\n')}\n`);
    expect(col(t, 'v').kind).toBe('string');
    expect(col(t, 'v').note).toMatch(/^mostly numbers, but 1 of 20 values is not: "\?" at data row 11; so the column is text\. If they mean "missing"/);
    // With "?" as missing, the column is float with both infinities.
    const fixed = parseCsv(`v\n${rows.join('\n')}\n`, { missingValues: ['', '?'] });
    expect(col(fixed, 'v')).toMatchObject({ kind: 'float', missing: 1 });
    expect(col(fixed, 'v').values[3]).toBe(Infinity);
    expect(col(fixed, 'v').values[15]).toBe(-Infinity);
  });

  it('keeps a leading-zero code column text, counting its infinities among the numbers kept as text', () => {
    const t = parseCsv('z\n007\ninf\n12\n');
    expect(col(t, 'z')).toMatchObject({ kind: 'string', values: ['007', 'inf', '12'] });
    expect(t.coercions).toEqual([{ column: 'z', count: 3, examples: ['007', 'inf', '12'], action: 'kept as text: a number would not be exact, so the whole column is text' }]);
  });

  it('reads infinities under decimal commas (detected in a ;-file) and thousands separators', () => {
    const t = parseCsv('a;b\n1,5;x\ninf;y\n-0,25;z\n');
    expect(t.decimalComma).toBe(true);
    expect(col(t, 'a')).toMatchObject({ kind: 'float', values: [1.5, Infinity, -0.25] });
    const g = parseCsv('a\n"1,234.5"\n-inf\n', { thousands: ',' });
    expect(col(g, 'a')).toMatchObject({ kind: 'float', values: [1234.5, -Infinity] });
    expect(g.coercions.map((c) => [c.count, c.examples])).toEqual([[1, ['1,234.5']], [1, ['-inf']]]);
  });

  it('profiles the column like pandas describe: min 1, max inf, mean inf, std NaN, quartiles 1.75 / 3 / inf (numpy 2.4.6)', () => {
    const t = parseCsv('v\n1\n2\ninf\n4\nNA\n');
    const p = profileTable(t).columns[0]!;
    expect(p).toMatchObject({ kind: 'float', count: 4, missing: 1, min: 1, max: Infinity, mean: Infinity, q25: 1.75, q50: 3, q75: Infinity, infinite: 1 });
    expect(p.std).toBeNaN();
  });
});

describe('infinities in CSV text: the polars path gives the JS path\'s table', () => {
  const cases: Array<[string, string]> = [
    ['inf and -inf in a float column (polars reads them as floats)', 'x,y\n1.5,a\ninf,b\n-inf,c\n2.5,d\n'],
    ['inf in the first row of an integer column', 'n\ninf\n1\n2\n'],
    ['Infinity spellings polars does not infer as floats, mixed case', 'x\n1\nInfinity\n-INF\n+inf\n2\n'],
    ['inf after polars\' 10,000-row inference window in an integer column', `n\n${ints(10_500)}\ninf\n`],
    ['-Infinity after the inference window in a float column', `x\n${Array.from({ length: 10_500 }, (_, i) => `${i}.5`).join('\n')}\n-Infinity\n`],
    ['quoted "inf" and "-inf" (polars reads a quoted inf in a float column as null)', 'x\n"inf"\n1.5\n"-inf"\n2\n'],
    ['infinities mixed with missing tokens and empty fields', 'x,y\ninf,1\nNA,2\n,NaN\n-inf,inf\n"",null\n3,4\n'],
    ['a column of only infinities', 'x,y\ninf,1\n-inf,2\n'],
    ['few distinct values, infinities and tokens (typed from distinct values, weighted)', `v,n\n${Array.from({ length: 400 }, (_, i) => `${['inf', '1', 'NA', '-inf', '2.5'][i % 5]},${i}`).join('\n')}\n`],
    ['mostly numbers with a stray value and infinities', `v\n${Array.from({ length: 3000 }, (_, i) => (i === 2500 ? 'oops' : i % 100 === 7 ? 'inf' : String(i))).join('\n')}\n`],
    ['decimal commas in a ;-file with infinities', 'a;b\n1,5;x\ninf;y\n-0,25;z\n-Infinity;w\n'],
  ];
  it.each(cases)('%s', async (_name, text) => {
    const { fast, js } = await both(text);
    expect(shape(fast)).toEqual(shape(js));
  });

  it('reads the late inf (row 10,501, after the inference window) as +Infinity on both paths, the column float', async () => {
    const { fast, js } = await both(`n\n${ints(10_500)}\ninf\n`);
    for (const t of [fast, js]) {
      expect(t.columns[0]).toMatchObject({ kind: 'float', dtype: 'float32', missing: 0 });
      expect(t.columns[0]!.values[10_500]).toBe(Infinity);
      expect(t.columns[0]!.values[10_499]).toBe(10_499);
      expect(t.coercions).toEqual([{ column: 'n', count: 1, examples: ['inf'], action: ACTION }]);
    }
  });

  it('counts infinities of a few-values column per row (80 inf + 80 -inf of 400 rows) on both paths', async () => {
    const { fast, js } = await both(`v,n\n${Array.from({ length: 400 }, (_, i) => `${['inf', '1', 'NA', '-inf', '2.5'][i % 5]},${i}`).join('\n')}\n`);
    for (const t of [fast, js]) {
      expect(t.columns[0]).toMatchObject({ kind: 'float', missing: 80 });
      expect([...t.columns[0]!.values.slice(0, 5)]).toEqual([Infinity, 1, null, -Infinity, 2.5]);
      expect(t.coercions).toEqual([
        { column: 'v', count: 80, examples: ['NA'], action: 'read as missing (null)' },
        { column: 'v', count: 160, examples: ['inf', '-inf'], action: ACTION },
      ]);
    }
  });
});
