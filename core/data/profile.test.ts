// Tests of column profiles. References: hand computation for small inputs; for seattle-weather.csv
// pandas (precipitation mean 3.029431895961671, max 55.9) and numpy 2.4.6, which pandas `describe`
// uses (std ddof=1, np.percentile linear, np.histogram bins=10), run on the file read with Python's
// csv module.
import { describe, expect, it } from 'vitest';
import { parseCsv, readCsvTable } from '../../connectors/csv/csv.ts';
import { isStratumError } from '../errors.ts';
import { histogramFigure, profileTable, profileToTableData } from './profile.ts';
import type { ColumnProfile } from './profile.ts';

const SEATTLE = 'node_modules/vega-datasets/data/seattle-weather.csv';

function column(profile: { columns: ColumnProfile[] }, name: string): ColumnProfile {
  const found = profile.columns.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no column ${name}`);
  return found;
}

describe('profileTable', () => {
  it('matches pandas describe on [1, 2, 3, 4]', () => {
    // mean = 10/4 = 2.5; std = sqrt(((1.5^2 + 0.5^2) * 2) / 3) = sqrt(5/3) = 1.2909944487358056;
    // linear quantiles at positions (n-1)p = 0.75, 1.5, 2.25: 1.75, 2.5, 3.25.
    const p = column(profileTable(parseCsv('x\n1\n2\n3\n4\n')), 'x');
    expect(p).toMatchObject({ kind: 'integer', count: 4, missing: 0, distinct: 4, min: 1, max: 4, mean: 2.5, q25: 1.75, q50: 2.5, q75: 3.25 });
    expect(p.std).toBeCloseTo(1.2909944487358056, 14);
  });

  it('ignores missing values and counts them', () => {
    // non-missing: 2, 4, 4 -> mean 10/3, distinct 2, std sqrt(((4/3)^2 + 2 (2/3)^2) / 2) = sqrt(4/3)
    const p = column(profileTable(parseCsv('x\n2\nNA\n4\nnull\n4\n')), 'x');
    expect(p).toMatchObject({ count: 3, missing: 2, distinct: 2, min: 2, max: 4, q50: 4 });
    expect(p.mean).toBeCloseTo(10 / 3, 14);
    expect(p.std).toBeCloseTo(Math.sqrt(4 / 3), 14);
  });

  it('gives NaN std for a single value (pandas) and a centred bin for a constant', () => {
    const p = column(profileTable(parseCsv('x\n7\n')), 'x');
    expect(p.std).toBeNaN();
    expect(p.histogram?.edges[0]).toBe(6.5);
    expect(p.histogram?.edges[10]).toBe(7.5);
    expect(p.histogram?.counts.reduce((a, b) => a + b)).toBe(1);
  });

  it('gives the top values of string columns, most frequent first', () => {
    const p = column(profileTable(parseCsv('s\nb\na\nb\nNA\nc\nb\na\n')), 's');
    expect(p).toMatchObject({ kind: 'string', count: 6, missing: 1, distinct: 3 });
    expect(p.top).toEqual([{ value: 'b', count: 3 }, { value: 'a', count: 2 }, { value: 'c', count: 1 }]);
    expect(p.mean).toBeUndefined();
  });

  it('profiles seattle-weather.csv like pandas/numpy', async () => {
    const profile = profileTable(await readCsvTable(SEATTLE));
    expect(profile.rowCount).toBe(1461);
    const precipitation = column(profile, 'precipitation');
    expect(precipitation).toMatchObject({ count: 1461, missing: 0, distinct: 111, min: 0, max: 55.9, q25: 0, q50: 0, q75: 2.8 });
    expect(precipitation.mean).toBeCloseTo(3.029431895961671, 12);
    expect(precipitation.std).toBeCloseTo(6.680194322314738, 12);
    expect(precipitation.histogram?.counts).toEqual([1213, 116, 57, 36, 17, 11, 5, 1, 2, 3]);
    const tempMin = column(profile, 'temp_min');
    expect(tempMin).toMatchObject({ min: -7.1, max: 18.3, q25: 4.4, q50: 8.3, q75: 12.2, distinct: 55 });
    expect(tempMin.mean).toBeCloseTo(8.234770704996578, 12);
    expect(tempMin.std).toBeCloseTo(5.023004179961266, 12);
    expect(tempMin.histogram?.counts).toEqual([8, 30, 50, 154, 184, 269, 257, 206, 236, 67]);
    expect(column(profile, 'wind').histogram?.counts).toEqual([87, 289, 456, 265, 172, 102, 60, 18, 9, 3]);
    const weather = column(profile, 'weather');
    expect(weather).toMatchObject({ kind: 'string', distinct: 5 });
    expect(weather.top).toEqual([
      { value: 'rain', count: 641 },
      { value: 'sun', count: 640 },
      { value: 'fog', count: 101 },
      { value: 'drizzle', count: 53 },
      { value: 'snow', count: 26 },
    ]);
  });
});

describe('profileToTableData', () => {
  it('gives one describe-like row per column', () => {
    const t = profileToTableData(profileTable(parseCsv('x,s\n1,a\n2,a\n3,b\n4,NA\n')));
    expect(t.columns.map((c) => c.name)).toEqual(['column', 'kind', 'count', 'missing', 'distinct', 'mean', 'std', 'min', '25%', '50%', '75%', 'max', 'top', 'freq']);
    expect(t.totalRows).toBe(2);
    expect(t.rows[0]!.slice(0, 6)).toEqual(['x', 'integer', 4, 0, 4, 2.5]);
    expect(t.rows[0]!.slice(7, 14)).toEqual([1, 1.75, 2.5, 3.25, 4, null, null]);
    expect(t.rows[1]).toEqual(['s', 'string', 3, 1, 2, null, null, null, null, null, null, null, 'a', 2]);
  });
});

describe('histogramFigure', () => {
  it('draws a numeric column as histogram bars at bin centres', () => {
    // values 0..9, 10 bins of width 0.9 over [0, 9]: one value per bin
    const fig = histogramFigure(parseCsv(`v\n${[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].join('\n')}\n`), 'v');
    const trace = fig.data[0]!;
    expect(trace['type']).toBe('bar');
    expect(trace['y']).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect((trace['x'] as number[])[0]).toBeCloseTo(0.45, 12);
    expect(JSON.parse(JSON.stringify(fig))).toEqual(fig);
  });

  it('draws a string column as counts of its values', () => {
    const fig = histogramFigure(parseCsv('s\nb\na\nb\n'), 's');
    expect(fig.data[0]).toMatchObject({ type: 'bar', x: ['b', 'a'], y: [2, 1] });
  });

  it('names the unknown column', () => {
    let error: unknown;
    try {
      histogramFigure(parseCsv('a\n1\n'), 'nope');
    } catch (e) {
      error = e;
    }
    expect(isStratumError(error, 'DATA_INVALID')).toBe(true);
    expect((error as Error).message).toContain('"nope"');
  });
});

describe('small-range integer counting path', () => {
  it('gives the same statistics as the sorting path', () => {
    // Same values typed once as integer (counting path) and once as float (sorting path).
    const values = Array.from({ length: 2001 }, (_, i) => ((i * 7919) % 101) - 50);
    values[5] = null as unknown as number;
    const column = { name: 'x', dtype: 'int32' as const, missing: 1, values };
    const asInt = profileTable({ columns: [{ ...column, kind: 'integer' }], rowCount: values.length, coercions: [] }).columns[0]!;
    const asFloat = profileTable({ columns: [{ ...column, kind: 'float' }], rowCount: values.length, coercions: [] }).columns[0]!;
    expect({ ...asInt, kind: 'float', mean: 0, std: 0 }).toEqual({ ...asFloat, mean: 0, std: 0 });
    expect(asInt.mean).toBeCloseTo(asFloat.mean!, 12);
    expect(asInt.std).toBeCloseTo(asFloat.std!, 12);
  });
});
