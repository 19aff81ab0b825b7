// Tests of column profiles. References: hand computation for small inputs; for seattle-weather.csv
// pandas (precipitation mean 3.029431895961671, max 55.9) and numpy 2.4.6, which pandas `describe`
// uses (std ddof=1, np.percentile linear, np.histogram bins=10), run on the file read with Python's
// csv module.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, readCsvTable } from '../../connectors/csv/csv.ts';
import { readCsvFast } from '../../connectors/csv/fast.ts';
import { isStratumError } from '../errors.ts';
import { columnCodes, columnNumberView, numericColumn, tableFromValueColumns } from './columns.ts';
import type { DataColumn, DataTable } from './columns.ts';
import { SortWorker } from './profile-sort-worker.ts';
import { histogramFigure, profileCorrelations, profileTable, profileToTableData } from './profile.ts';
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

/**
 * The statistics of a numeric column computed the plain way (the previous implementation's
 * method): a comparison sort, adjacent distinct values, order statistics by index, numpy's
 * histogram rule. The reference the radix-sort and counting paths must equal.
 */
function reference(values: ReadonlyArray<number | null>, bins = 10): Partial<ColumnProfile> {
  const x = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const n = x.length;
  if (n === 0) return { distinct: 0 };
  const q = (p: number): number => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, n - 1);
    return x[lo]! + (h - lo) * (x[hi]! - x[lo]!);
  };
  let lo = x[0]!;
  let hi = x[n - 1]!;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (const v of x) {
    let b = edges.findIndex((e, i) => i < bins && v >= e && (i === bins - 1 ? v <= edges[bins]! : v < edges[i + 1]!));
    if (b === -1) b = bins - 1;
    counts[b]!++;
  }
  const mean = x.reduce((a, b) => a + b, 0) / n;
  const std = n < 2 ? NaN : Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { distinct: x.filter((v, i) => i === 0 || v !== x[i - 1]).length, min: x[0]!, max: x[n - 1]!, mean, std, q25: q(0.25), q50: q(0.5), q75: q(0.75), histogram: { edges, counts } };
}

function expectLikeReference(p: ColumnProfile, values: ReadonlyArray<number | null>, label: string): void {
  const ref = reference(values);
  const { mean, std, ...exact } = ref;
  expect(p, label).toMatchObject(exact);
  if (mean !== undefined) expect(Math.abs(p.mean! - mean), label).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(mean)));
  if (std !== undefined && !Number.isNaN(std)) expect(Math.abs(p.std! - std), label).toBeLessThanOrEqual(1e-12 * Math.max(1, std));
}

describe('numeric statistics equal a comparison sort', () => {
  it('on every numeric column of the vega-datasets CSV files', async () => {
    const data = 'node_modules/vega-datasets/data';
    const names = (await readdir(data)).filter((f) => /\.(csv|tsv)$/.test(f));
    let checked = 0;
    for (const name of names) {
      const table = await readCsvTable(join(data, name));
      const profile = profileTable(table);
      table.columns.forEach((c, i) => {
        if (c.kind !== 'integer' && c.kind !== 'float') return;
        expectLikeReference(profile.columns[i]!, c.values as Array<number | null>, `${name} ${c.name}`);
        checked++;
      });
    }
    expect(checked).toBeGreaterThan(40);
  }, 60_000);

  it('on values the radix sort finds hard: signs, -0 and 0, duplicates, subnormals, magnitudes up to 1e150', () => {
    const values: Array<number | null> = [];
    for (let i = 0; i < 3000; i++) {
      const m = [1e-310, 1e-5, 0.5, 3, 1e6, 1e150][i % 6]!;
      values.push(((i * 7919) % 201 - 100) * m, i % 50 === 0 ? null : -0, 0, i % 3 === 0 ? 1e150 : -1e-300, i % 7 === 0 ? -2e-308 : 2e-308);
    }
    const column: DataColumn = { name: 'x', dtype: 'float32', kind: 'float', missing: values.filter((v) => v === null).length, values };
    const p = profileTable({ columns: [column], rowCount: values.length, coercions: [] }).columns[0]!;
    expect(p.distinct).toBe(reference(values).distinct); // -0 and 0 are one value, as in pandas nunique
    expectLikeReference(p, values, 'hard values');
  });

  it('reads a compact (typed) column without building its values', () => {
    const numbers = Float64Array.from({ length: 5000 }, (_, i) => (i % 11 === 0 ? NaN : Math.sin(i) * 100));
    const column = numericColumn({ name: 'x', dtype: 'float32', kind: 'float', missing: numbers.filter((v) => Number.isNaN(v)).length }, numbers);
    const p = profileTable({ columns: [column], rowCount: numbers.length, coercions: [] }).columns[0]!;
    expect(Object.getOwnPropertyDescriptor(column, 'values')?.get).toBeDefined(); // still not built
    expectLikeReference(p, Array.from(numbers, (v) => (Number.isNaN(v) ? null : v)), 'typed');
  });
});

describe('typed columns and reused buffers', () => {
  it('profiles an Int32Array column (the CSV reader keeps int32 columns so) like its values', () => {
    // Range beyond the counting limit (sorting path), with the int32 extremes; and a small range (counting path).
    const wide = Int32Array.from({ length: 4000 }, (_, i) => (i % 97 === 0 ? [-(2 ** 31), 2 ** 31 - 1][i % 2]! : ((i * 7919) % 200_003) * 10_007 - 1e9));
    const narrow = Int32Array.from({ length: 4000 }, (_, i) => ((i * 31) % 41) - 20);
    for (const [label, numbers] of [['wide', wide], ['narrow', narrow]] as const) {
      const column = numericColumn({ name: label, dtype: 'int32', kind: 'integer', missing: 0 }, numbers);
      const p = profileTable({ columns: [column], rowCount: numbers.length, coercions: [] }).columns[0]!;
      expectLikeReference(p, Array.from(numbers), label);
    }
  });

  it('gives the same profile again, and a smaller table after a larger one (buffers kept between profiles)', () => {
    const big = Float64Array.from({ length: 20_000 }, (_, i) => Math.cos(i) * 1e3);
    const small = [3.5, -1, 3.5, 0, -0, 2];
    const bigTable: DataTable = { columns: [numericColumn({ name: 'b', dtype: 'float32', kind: 'float', missing: 0 }, big)], rowCount: big.length, coercions: [] };
    const first = profileTable(bigTable);
    const smallTable: DataTable = { columns: [{ name: 's', dtype: 'float32', kind: 'float', missing: 0, values: small }], rowCount: small.length, coercions: [] };
    // 0 and -0 are one value: distinct 4 (pandas nunique); sorted -1, -0, 0, 2, 3.5, 3.5: quartiles
    // at positions 5p = 1.25, 2.5, 3.75: -0 + 0.25 (0 - -0) = 0, 0 + 0.5 * 2 = 1, 2 + 0.75 * 1.5 = 3.125.
    expect(profileTable(smallTable).columns[0]).toMatchObject({ distinct: 4, min: -1, max: 3.5, q25: 0, q50: 1, q75: 3.125 });
    expectLikeReference(profileTable(smallTable).columns[0]!, small, 'small after big');
    expect(profileTable(bigTable)).toEqual(first);
    expectLikeReference(first.columns[0]!, Array.from(big), 'big');
  });
});

describe('profile correlations', () => {
  it('are the same from typed arrays (Int32Array, Float64Array with NaN) as from JS arrays', () => {
    const ints = Int32Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 1009) - 500);
    const floats = Float64Array.from({ length: 5000 }, (_, i) => (i % 13 === 0 ? NaN : Math.sin(i) * 50 + i / 100));
    const full = Float64Array.from({ length: 5000 }, (_, i) => Math.cos(i * 0.37) * 9);
    const missing = floats.filter((v) => Number.isNaN(v)).length;
    const typed = [
      numericColumn({ name: 'i', dtype: 'int32', kind: 'integer', missing: 0 }, ints),
      numericColumn({ name: 'f', dtype: 'float32', kind: 'float', missing }, floats),
      numericColumn({ name: 'g', dtype: 'float32', kind: 'float', missing: 0 }, full),
    ];
    const plain: DataColumn[] = [
      { name: 'i', dtype: 'int32', kind: 'integer', missing: 0, values: Array.from(ints) },
      { name: 'f', dtype: 'float32', kind: 'float', missing, values: Array.from(floats, (v) => (Number.isNaN(v) ? null : v)) },
      { name: 'g', dtype: 'float32', kind: 'float', missing: 0, values: Array.from(full) },
    ];
    const a = profileCorrelations(typed);
    expect(a).toEqual(profileCorrelations(plain));
    expect(a.n[0]![1]).toBe(5000 - missing);
    // Against a direct two-pass Pearson r of the complete pair (i, g).
    const mi = ints.reduce((s, v) => s + v, 0) / 5000;
    const mg = full.reduce((s, v) => s + v, 0) / 5000;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let r = 0; r < 5000; r++) {
      sxy += (ints[r]! - mi) * (full[r]! - mg);
      sxx += (ints[r]! - mi) ** 2;
      syy += (full[r]! - mg) ** 2;
    }
    expect(a.r[0]![2]).toBeCloseTo(sxy / Math.sqrt(sxx * syy), 12);
  });


  it('match pandas DataFrame.corr() on seattle-weather.csv', async () => {
    // pandas 1.5.3: pd.read_csv('seattle-weather.csv').select_dtypes('number').corr()
    const { correlations } = profileTable(await readCsvTable(SEATTLE));
    expect(correlations?.columns).toEqual(['precipitation', 'temp_max', 'temp_min', 'wind']);
    const pandas = [
      [1.0, -0.22855481643297076, -0.07268403986408038, 0.32804508993529125],
      [-0.22855481643297076, 1.0, 0.8756866637108158, -0.16485663487495453],
      [-0.07268403986408038, 0.8756866637108158, 1.0, -0.07418522537325267],
      [0.32804508993529125, -0.16485663487495453, -0.07418522537325267, 1.0],
    ];
    pandas.forEach((row, i) => row.forEach((r, j) => expect(correlations!.r[i]![j]!).toBeCloseTo(r, 13)));
    expect(correlations!.n[0]![1]).toBe(1461);
  });

  it('use the rows where both columns have a value, like pandas, on birdstrikes.csv', async () => {
    // pandas 1.5.3 on birdstrikes.csv: 'Speed IAS in knots' has 2,836 missing values;
    // corr() of it with 'Cost Total $' is 0.00198500166426445 over 7,164 rows, of
    // 'Cost Repair' with 'Cost Total $' 0.9841620479345426 over 10,000.
    const table = await readCsvTable('node_modules/vega-datasets/data/birdstrikes.csv');
    const { correlations } = profileTable(table);
    const at = (a: string, b: string): [number | null, number] => {
      const i = correlations!.columns.indexOf(a);
      const j = correlations!.columns.indexOf(b);
      return [correlations!.r[i]![j]!, correlations!.n[i]![j]!];
    };
    const [speedCost, pairs] = at('Speed IAS in knots', 'Cost Total $');
    expect(speedCost).toBeCloseTo(0.00198500166426445, 13);
    expect(pairs).toBe(7164);
    // Sums of squares near 1e17 here: two passes and pandas' Welford updates differ by ~1e-13.
    expect(at('Cost Repair', 'Cost Total $')[0]).toBeCloseTo(0.9841620479345426, 12);
    expect(at('Cost Other', 'Speed IAS in knots')[0]).toBeCloseTo(-0.014049282943261132, 13);
    // describe() of the speed column, pandas 1.5.3: count 7164, mean 153.53517587939697,
    // std 43.51850334534335, quartiles 130, 140, 170, nunique 122; np.histogram bins of 35 knots.
    const speed = column(profileTable(table), 'Speed IAS in knots');
    expect(speed).toMatchObject({ count: 7164, missing: 2836, distinct: 122, min: 0, max: 350, q25: 130, q50: 140, q75: 170 });
    expect(speed.mean).toBeCloseTo(153.53517587939697, 11);
    expect(speed.std).toBeCloseTo(43.51850334534335, 11);
    expect(speed.histogram?.counts).toEqual([33, 47, 516, 2177, 2638, 758, 524, 419, 37, 15]);
  });

  it('are null for a constant column and absent with fewer than 2 numeric columns', () => {
    const table: DataTable = parseCsv('a,b,s\n1,5,x\n2,5,y\n3,5,z\n');
    const { correlations } = profileTable(table);
    expect(correlations).toEqual({ columns: ['a', 'b'], r: [[1, null], [null, null]], n: [[3, 3], [3, 3]] });
    expect(profileTable(parseCsv('a,s\n1,x\n')).correlations).toBeUndefined();
  });
});

describe('compact columns of the CSV fast path', () => {
  it('profile like the same table read by the JS path (plain values)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stratum-profile-'));
    try {
      const path = join(dir, 'mixed.csv');
      const flags = ['TRUE', 'false', 'true', 'NA', 'False'];
      const lines = Array.from({ length: 3000 }, (_, i) => `${i % 9 === 0 ? '' : ((i * 7919) % 1000) / 4},${(i * 31) % 97},${['b', 'a', 'NA', 'c', 'a'][i % 5]},${flags[i % 5]},2024-03-${String((i % 30) + 1).padStart(2, '0')}`);
      await writeFile(path, `f,i,s,flag,day\n${lines.join('\n')}\n`);
      const fast = await readCsvFast(path, { source: path });
      expect(fast?.columns.map((c) => columnCodes(c) !== undefined)).toEqual([false, false, true, true, true]);
      // The integer column without missing values comes out of polars as 32-bit integers.
      expect(columnNumberView(fast!.columns[1]!)).toBeInstanceOf(Int32Array);
      expect(columnNumberView(fast!.columns[0]!)).toBeInstanceOf(Float64Array);
      const js = await readCsvTable(path, { engine: 'js' });
      expect(profileTable(fast!)).toEqual(profileTable(js));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('sorting in a worker thread', () => {
  // The same table profiled with its numeric columns sorted in a worker and in this thread must
  // give the same bits (toEqual tells -0 from 0): both run sortedColumnStats on the same values.
  // More sorted columns than the session's 3 slots, so slots are reused and this thread also
  // profiles the text column and the correlations while the worker sorts.
  const rows = 3000;
  const floats = (f: (i: number) => number): Float64Array => Float64Array.from({ length: rows }, (_, i) => f(i));
  const specs: Array<[string, 'float' | 'integer', Float64Array | Int32Array]> = [
    ['signs', 'float', floats((i) => [-0, 0, 1e-310, -2.5, 1e150, -1e150, 7][i % 7]! * (i % 5 === 0 ? 1 : (i % 31) - 15))],
    ['duplicates', 'float', floats((i) => (i % 17 === 0 ? NaN : ((i * 7919) % 13) / 4))],
    ['wide ints', 'integer', Int32Array.from({ length: rows }, (_, i) => ((i * 7919) % 200_003) * 10_007 - 1e9)],
    ['narrow ints', 'integer', Int32Array.from({ length: rows }, (_, i) => (i % 9) - 4)],
    ['one', 'float', floats((i) => (i === 5 ? -0 : NaN))],
    ['two', 'float', floats((i) => (i === 1 ? 3.5 : i === 2999 ? -1 : NaN))],
    ['three', 'float', floats((i) => (i < 3 ? [2, 0, 2][i]! : NaN))],
    ['none', 'float', floats(() => NaN)],
    ['sines', 'float', floats((i) => Math.sin(i) * 1e3)],
    ['two ints', 'integer', floats((i) => (i === 7 ? 5 : i === 8 ? -3 : NaN))],
  ];
  const table: DataTable = {
    columns: [
      ...specs.map(([name, kind, numbers]) => numericColumn({ name, dtype: kind === 'integer' ? 'int32' : 'float32', kind, missing: Array.from(numbers).filter((v) => Number.isNaN(v)).length }, numbers)),
      { name: 'text', dtype: 'string', kind: 'string', missing: 0, values: Array.from({ length: rows }, (_, i) => ['a', 'b', 'c'][i % 3]!) },
    ],
    rowCount: rows,
    coercions: [],
  };

  it('gives the same profile as sorting in this thread, with the worker doing the sorting', () => {
    const worker = new SortWorker({ steal: false, stealAfterMs: 30_000 });
    try {
      expect(worker.waitReady(30_000)).toBe(true);
      const inThread = profileTable(table, { sortWorker: 'off' });
      const withWorker = profileTable(table, { sortWorker: worker });
      // Every numeric column with a value goes to the worker (9: all but 'none'), sorted or
      // counted (narrow ints, two ints).
      expect(worker.counts).toEqual({ worker: 9, main: 0, lost: 0 });
      expect(withWorker).toEqual(inThread);
      // A second profile reuses the worker and its slots.
      expect(profileTable(table, { sortWorker: worker })).toEqual(inThread);
      expect(worker.counts.worker).toBe(18);
      // Spot checks by hand: [-0] -> distinct 1, q25 = -0 + 0 * (-0 - -0) = -0 + 0 = 0 (as in this thread before; numpy gives -0.0);
      // [3.5, -1] -> q50 1.25; [2, 0, 2] -> distinct 2, q25 1, q50 2, q75 2.
      expect(withWorker.columns[4]).toMatchObject({ count: 1, distinct: 1, q25: 0, q75: 0, min: -0, max: -0 });
      expect(withWorker.columns[5]).toMatchObject({ count: 2, distinct: 2, q50: 1.25, min: -1, max: 3.5 });
      expect(withWorker.columns[6]).toMatchObject({ count: 3, distinct: 2, q25: 1, q50: 2, q75: 2 });
      expect(withWorker.columns[7]).toMatchObject({ count: 0, missing: rows, distinct: 0 });
      // Counted: [5, -3] -> sorted -3, 5: quartiles -3 + 8 p = -1, 1, 3.
      expect(withWorker.columns[9]).toMatchObject({ count: 2, distinct: 2, q25: -1, q50: 1, q75: 3 });
      expectLikeReference(withWorker.columns[0]!, Array.from(specs[0]![2]), 'signs');
    } finally {
      worker.dispose();
    }
  });

  it('sorts here what the worker has not started, and gives the same results', () => {
    const worker = new SortWorker();
    try {
      const inThread = profileTable(table, { sortWorker: 'off' });
      expect(profileTable(table, { sortWorker: worker })).toEqual(inThread);
      expect(worker.counts.worker + worker.counts.main).toBe(9);
      // The process's worker ('always': whatever the size and load) gives them too.
      expect(profileTable(table, { sortWorker: 'always' })).toEqual(inThread);
    } finally {
      worker.dispose();
    }
  });

  for (const fault of ['start', 'throw', 'exit'] as const) {
    it(`falls back to this thread when the worker ${fault === 'start' ? 'cannot start' : fault === 'throw' ? 'fails a job' : 'dies during a job'}`, () => {
      const worker = new SortWorker({ fault, steal: false, stealAfterMs: fault === 'start' ? 50 : 2000, jobTimeoutMs: () => 500 });
      try {
        if (fault !== 'start') expect(worker.waitReady(30_000)).toBe(true);
        const inThread = profileTable(table, { sortWorker: 'off' });
        expect(profileTable(table, { sortWorker: worker })).toEqual(inThread);
        // A worker that cannot start never takes a column; one that fails or dies loses the
        // columns it took (sorted here again) and is not used again.
        if (fault === 'start') expect(worker.counts).toEqual({ worker: 0, main: 9, lost: 0 });
        else {
          expect(worker.counts.worker).toBe(0);
          expect(worker.counts.lost).toBeGreaterThan(0);
          expect(worker.failed).toBe(true);
        }
        expect(profileTable(table, { sortWorker: worker })).toEqual(inThread);
      } finally {
        worker.dispose();
      }
    });
  }
});

describe('infinite values', () => {
  it('counts ±Infinity like pandas describe in min/max/mean/std, bins the finite values, and shows inf as text', () => {
    // pandas 1.5: Series([1, 2, 5, inf, 7]).describe(): mean inf, std NaN, min 1, 25% 2, 50% 5, 75% NaN (numpy's
    // linear interpolation 7 + (inf - 7) * 0), max inf. numpy.histogram of the finite values [1, 2, 5, 7], 10 bins
    // over [1, 7] (width 0.6): 1 -> bin 0, 2 -> bin 1 (2 >= 1.6), 5 -> bin 6 (4.6 <= 5 < 5.2), 7 -> last bin.
    const t = tableFromValueColumns([{ name: 'x', values: [1, 2, 5, Infinity, 7] }, { name: 'y', values: [1, Infinity, -Infinity, 2, null] }]);
    const p = profileTable(t);
    const x = p.columns[0]!;
    expect(x).toMatchObject({ count: 5, min: 1, max: Infinity, mean: Infinity, q25: 2, q50: 5, infinite: 1 });
    expect(x.std).toBeNaN();
    expect(x.histogram).toEqual({ edges: [1, 1.6, 2.2, 2.8, 3.4, 4, 4.6, 5.2, 5.8, 6.3999999999999995, 7], counts: [1, 1, 0, 0, 0, 0, 1, 0, 0, 1] });
    // Both signs: mean NaN (inf - inf), min -inf.
    const y = p.columns[1]!;
    expect(y).toMatchObject({ count: 4, missing: 1, min: -Infinity, max: Infinity, infinite: 2 });
    expect(y.mean).toBeNaN();
    const rows = profileToTableData(p).rows;
    expect(rows[0]!.slice(5, 12)).toEqual(['inf', null, 1, 2, 5, null, 'inf']);
    expect(rows[1]![7]).toBe('-inf');
  });
});
