// Tests of the chart builders on hand-made data (expected values computed by hand in the comments)
// and on vega-datasets files with reference numbers from pandas 1.5.3 / numpy 1.24 (Debian's
// /usr/bin/python3), pasted with the code that produced them.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readCsvTable } from '../../connectors/csv/csv.ts';
import { vegaDataset } from '../datasets/vega.ts';
import { thrown } from '../testing.ts';
import {
  barChart, boxChart, boxStatistics, CORRELATION_CHART_COLUMNS, correlationChart, correlationFigure, correlationMatrix, histogramChart, lineChart, lttbIndexes, plotlyQuantile, profileHistograms, sampleIndexes, scatterChart, toDataTable,
} from './charts.ts';
import { tableFromValueColumns } from './columns.ts';
import type { DataTable } from './columns.ts';
import { dataTableToDataFrame } from './frame.ts';
import { profileTable } from './profile.ts';

const table = (columns: Record<string, unknown[]>): DataTable => tableFromValueColumns(Object.entries(columns).map(([name, values]) => ({ name, values })));
type Trace = Record<string, unknown> & { x: unknown[]; y: unknown[] };
const traces = (f: { data: Array<Record<string, unknown>> }): Trace[] => f.data as Trace[];
const titleText = (f: { layout?: Record<string, unknown> }): string => String((f.layout?.title as { text: string }).text);

describe('inputs and column errors', () => {
  const t = table({ temp_max: [1, 2, 3], weather: ['rain', 'sun', 'rain'] });

  it('accepts a DataTable, a Danfo DataFrame and row records alike', () => {
    const records = [{ a: 1, b: 'x' }, { a: 2, b: 'y' }, { a: 3, b: 'x' }];
    const fromRecords = barChart(records, { column: 'b' });
    const fromFrame = barChart(dataTableToDataFrame(table({ a: [1, 2, 3], b: ['x', 'y', 'x'] })), { column: 'b' });
    expect(traces(fromRecords)[0]).toMatchObject({ x: ['x', 'y'], y: [2, 1] });
    expect(traces(fromFrame)[0]).toMatchObject({ x: ['x', 'y'], y: [2, 1] });
    expect(thrown(() => toDataTable(42)).code).toBe('DATA_INVALID');
  });

  it('names a missing column and lists the real ones', () => {
    const e = thrown(() => scatterChart(t, { x: 'temp', y: 'temp_max' }));
    expect(e.code).toBe('DATA_INVALID');
    expect(e.message).toBe("no column 'temp' in the data; a scatter plot needs it. Columns: temp_max, weather");
    expect(e.detail?.field).toBe('temp');
  });

  it('names a column of the wrong kind and what the chart needs', () => {
    expect(thrown(() => boxChart(t, { y: 'weather' })).message).toBe("column 'weather' is text; a box plot needs a numeric column");
    expect(thrown(() => scatterChart(t, { x: 'temp_max', y: 'weather' })).message).toBe("column 'weather' is text; a scatter plot needs a numeric column");
    expect(thrown(() => lineChart(t, { x: 'weather', y: 'temp_max' })).message).toBe("column 'weather' is text; a line chart needs a date/time or numeric x column");
    expect(thrown(() => correlationMatrix(t)).message).toBe('a correlation heatmap needs at least 2 numeric columns; the data has 1 (temp_max)');
    expect(thrown(() => correlationMatrix(t, { columns: ['temp_max', 'weather'] })).message).toBe("column 'weather' is text; a correlation heatmap needs a numeric column");
    expect(thrown(() => barChart(t, { column: 'weather', top: 0 })).message).toBe('top must be a positive whole number, got 0');
  });
});

describe('histogramChart', () => {
  it('counts values per equal-width bin (numpy rules: last bin closed)', () => {
    // 1 | 2 2 | 3 3 3 4 4 4 4 over edges [1, 2, 3, 4]
    const f = histogramChart(table({ v: [1, 2, 2, 3, 3, 3, 4, 4, 4, 4] }), { column: 'v', bins: 3 });
    expect(traces(f)[0]).toMatchObject({ type: 'bar', x: [1.5, 2.5, 3.5], y: [1, 2, 7], width: [1, 1, 1] });
    expect(thrown(() => histogramChart(table({ v: [1] }), { column: 'w' })).message).toMatch(/^no column 'w'/);
  });
});

describe('infinite values', () => {
  const inf = table({ x: [1, 2, 2, 3, Infinity, -Infinity], y: [1, 2, 3, 4, 5, Infinity], t: [0, 1, 2, 3, 4, 5] });

  it('histogram: bins the finite values and says how many infinite ones were left out', () => {
    // finite 1 2 2 3 over edges [1, 2, 3]: [1, 2) holds 1, [2, 3] holds 2 2 3
    const f = histogramChart(inf, { column: 'x', bins: 2 });
    expect(traces(f)[0]).toMatchObject({ x: [1.5, 2.5], y: [1, 3], width: [1, 1] });
    expect(titleText(f)).toBe('Distribution of x<br><sup>2 infinite values of x left out</sup>');
    expect(JSON.stringify(f)).not.toContain('null');
  });

  it('scatter, line and box leave them out and say so', () => {
    expect(titleText(scatterChart(inf, { x: 'x', y: 'y' }))).toBe('y vs x<br><sup>2 rows with an infinite x or y left out</sup>');
    const line = lineChart(inf, { x: 't', y: 'y' });
    expect(traces(line)[0]!.y).toEqual([1, 2, 3, 4, 5, null]);
    expect(titleText(line)).toBe('y over t<br><sup>1 infinite value of y left out (gaps)</sup>');
    expect(titleText(lineChart(inf, { x: 'x', y: 't' }))).toBe('t over x<br><sup>2 infinite values of x left out</sup>');
    const box = boxChart(inf, { y: 'x' });
    expect(traces(box)[0]).toMatchObject({ q1: [1.5], median: [2], q3: [2.5], mean: [2] }); // plotly linear quartiles of 1 2 2 3: ranks 0.5, 1.5, 2.5
    expect(titleText(box)).toBe('Distribution of x<br><sup>2 infinite values of x left out</sup>');
  });
});

describe('line chart time zones', () => {
  it('draws date/times that mix zones at their UTC instant (Plotly ignores zones) and says so', () => {
    // 12:00+05:30 is 06:30Z; the naive 07:00 is UTC wall-clock time: order 06:00Z, 06:30Z, 07:00.
    const t = table({ t: ['2024-01-02T12:00:00+05:30', '2024-01-02T06:00:00Z', '2024-01-02T07:00:00'], v: [2, 1, 3] });
    const f = lineChart(t, { x: 't', y: 'v' });
    expect(traces(f)[0]).toMatchObject({ x: ['2024-01-02T06:00:00Z', '2024-01-02T06:30:00.000Z', '2024-01-02T07:00:00'], y: [1, 2, 3] });
    expect(titleText(f)).toBe('v over t<br><sup>t mixes time zones (+05:30, UTC): drawn in UTC</sup>');
  });

  it('keeps one zone, or UTC and naive values, as written', () => {
    const one = lineChart(table({ t: ['2024-01-02T11:00:00+0530', '2024-01-02T10:00:00+0530'], v: [2, 1] }), { x: 't', y: 'v' });
    expect(traces(one)[0]!.x).toEqual(['2024-01-02T10:00:00+0530', '2024-01-02T11:00:00+0530']);
    expect(titleText(one)).toBe('v over t');
    const utc = lineChart(table({ t: ['2024-01-02T07:00:00', '2024-01-02T06:00:00Z'], v: [2, 1] }), { x: 't', y: 'v' });
    expect(traces(utc)[0]!.x).toEqual(['2024-01-02T06:00:00Z', '2024-01-02T07:00:00']);
    expect(titleText(utc)).toBe('v over t');
  });
});

describe('scatterChart', () => {
  it('plots complete rows, notes the left-out ones, and fits the least-squares line on them', () => {
    // Complete rows: (1,2) (2,4) (3,5) (4,8). Means 2.5, 4.75; Sxy = 9.5, Sxx = 5 -> m = 1.9, b = 0.
    // Fitted 1.9, 3.8, 5.7, 7.6; SSres = 0.7, SStot = 18.75 -> R² = 1 - 0.7/18.75 = 0.962666...
    const t = table({ x: [1, 2, null, 3, 4], y: [2, 4, 7, 5, 8] });
    const f = scatterChart(t, { x: 'x', y: 'y', trendline: true });
    const [points, line] = traces(f);
    expect(points).toMatchObject({ type: 'scatter', mode: 'markers', x: [1, 2, 3, 4], y: [2, 4, 5, 8] });
    const meta = line!.meta as { slope: number; intercept: number; r2: number; n: number };
    expect(meta.slope).toBeCloseTo(1.9, 12);
    expect(meta.intercept).toBeCloseTo(0, 12);
    expect(meta.r2).toBeCloseTo(1 - 0.7 / 18.75, 12);
    expect(meta.n).toBe(4);
    expect(line).toMatchObject({ mode: 'lines', x: [1, 4], name: 'OLS: y = 1.900x + 0.000 (R² = 0.963)' });
    expect((line!.y as number[])[1]).toBeCloseTo(7.6, 12);
    expect(titleText(f)).toBe('y vs x<br><sup>1 row without x or y left out</sup>');
  });

  it('colours by a category column: one trace per value, most frequent first, the rest as "other"', () => {
    const t = table({ x: [1, 2, 3, 4, 5, 6], y: [1, 2, 3, 4, 5, 6], c: ['a', 'b', 'a', 'c', null, 'a'] });
    const f = scatterChart(t, { x: 'x', y: 'y', color: 'c', maxCategories: 1 });
    expect(traces(f).map((tr) => [tr.name, tr.x])).toEqual([['a', [1, 3, 6]], ['other', [2, 4]], ['(missing)', [5]]]);
  });

  it('draws one trendline per colour group, in the group\'s colour (numpy.polyfit numbers)', () => {
    // Group a: x 1..5, y 2.1 3.9 6.2 7.8 10.1; group b: x 1..4, y 9 7.5 6.1 4; one c point (no line).
    // numpy 2.4 polyfit(x, y, 1): a -> m 1.9899999999999995, b 0.05000000000000108, r² 0.997305328900977;
    //                             b -> m -1.639999999999998, b 10.749999999999995, r² 0.9910095799557848.
    const t = table({
      x: [1, 1, 2, 2, 3, 3, 4, 4, 5, 9],
      y: [2.1, 9, 3.9, 7.5, 6.2, 6.1, 7.8, 4, 10.1, 0],
      g: ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'c'],
    });
    const f = scatterChart(t, { x: 'x', y: 'y', color: 'g', trendline: true });
    const all = traces(f);
    expect(all.map((tr) => [tr.mode, tr.name])).toEqual([
      ['markers', 'a'], ['markers', 'b'], ['markers', 'c'],
      ['lines', 'a OLS: y = 1.990x + 0.05000 (R² = 0.997)'], ['lines', 'b OLS: y = -1.640x + 10.75 (R² = 0.991)'],
    ]);
    const [a, b] = all.slice(3).map((tr) => tr.meta as { slope: number; intercept: number; r2: number; n: number; group: string });
    expect(a!.slope).toBeCloseTo(1.9899999999999995, 12);
    expect(a!.intercept).toBeCloseTo(0.05000000000000108, 12);
    expect(a!.r2).toBeCloseTo(0.997305328900977, 12);
    expect(b!.slope).toBeCloseTo(-1.639999999999998, 12);
    expect(b!.intercept).toBeCloseTo(10.749999999999995, 12);
    expect(b!.r2).toBeCloseTo(0.9910095799557848, 12);
    expect([a!.n, b!.n, a!.group, b!.group]).toEqual([5, 4, 'a', 'b']);
    // Same colour as the group's points, same legend group; the line spans the group's x range.
    expect((all[0]!.marker as { color: string }).color).toBe('#1f77b4');
    expect(all[3]).toMatchObject({ line: { color: '#1f77b4' }, legendgroup: 'a', x: [1, 5] });
    expect(all[4]).toMatchObject({ line: { color: '#ff7f0e' }, legendgroup: 'b', x: [1, 4] });
    expect((all[4]!.y as number[])[1]).toBeCloseTo(-1.64 * 4 + 10.75, 12);
    expect(titleText(f)).toBe('y vs x<br><sup>no trendline for c: a line needs at least two distinct x values</sup>');
    // Without colour: one line over all rows, as before.
    expect(traces(scatterChart(t, { x: 'x', y: 'y', trendline: true })).filter((tr) => tr.mode === 'lines')).toHaveLength(1);
  });

  it('colours by a many-valued numeric column with a continuous scale', () => {
    const t = table({ x: [1, 2, 3], y: [1, 2, 3], z: [0.5, 1.5, 2.5] });
    const f = scatterChart(t, { x: 'x', y: 'y', color: 'z', maxCategories: 2 });
    expect(traces(f)).toHaveLength(1);
    expect(traces(f)[0]!.marker).toMatchObject({ color: [0.5, 1.5, 2.5], colorscale: 'Viridis', showscale: true });
  });

  it('draws a seeded sample of maxPoints rows beyond it, in row order; the trendline still uses every row', () => {
    const n = 12_000;
    const x = Array.from({ length: n }, (_, i) => i);
    const t = table({ x, y: x.map((v) => 2 * v + 1) });
    const f = scatterChart(t, { x: 'x', y: 'y', trendline: true });
    const points = traces(f)[0]!;
    const xs = points.x as number[];
    expect(xs).toHaveLength(5000);
    expect(xs.every((v, i) => i === 0 || v > xs[i - 1]!)).toBe(true); // distinct rows, in order
    expect((points.y as number[]).every((v, i) => v === 2 * xs[i]! + 1)).toBe(true); // real (x, y) pairs
    expect(titleText(f)).toBe('y vs x<br><sup>random sample of 5,000 of 12,000 points (seed 42)</sup>');
    expect((traces(f)[1]!.meta as { n: number; slope: number }).n).toBe(n);
    expect((traces(f)[1]!.meta as { n: number; slope: number }).slope).toBeCloseTo(2, 12);
    expect(traces(scatterChart(t, { x: 'x', y: 'y' }))[0]!.x).toEqual(xs); // same seed, same rows
    expect(traces(scatterChart(t, { x: 'x', y: 'y', seed: 7 }))[0]!.x).not.toEqual(xs);
    expect(traces(scatterChart(t, { x: 'x', y: 'y', maxPoints: 100 }))[0]!.x).toHaveLength(100);
  });

  it('sampleIndexes draws without replacement and keeps everything below k', () => {
    const all = Int32Array.from({ length: 50 }, (_, i) => i * 2);
    expect(sampleIndexes(all, 60, 1)).toBe(all);
    const picked = [...sampleIndexes(all, 20, 1)];
    expect(new Set(picked).size).toBe(20);
    expect(picked.every((v) => v % 2 === 0 && v < 100)).toBe(true);
  });
});

describe('lineChart', () => {
  it('sorts rows by the date column, drops rows without a date, one trace per y column', () => {
    const t = table({ day: ['2024-01-03', '2024-01-01', null, '2024-01-02'], a: [3, 1, 9, 2], b: [30, null, 90, 20] });
    const f = lineChart(t, { x: 'day', y: ['a', 'b'] });
    expect(traces(f).map((tr) => [tr.name, tr.x, tr.y])).toEqual([
      ['a', ['2024-01-01', '2024-01-02', '2024-01-03'], [1, 2, 3]],
      ['b', ['2024-01-01', '2024-01-02', '2024-01-03'], [null, 20, 30]],
    ]);
    expect(f.layout?.xaxis).toMatchObject({ type: 'date' });
    expect(titleText(f)).toBe('a, b over day<br><sup>1 row without day left out</sup>');
  });

  it('sorts zone-less date-times as UTC and numeric x as numbers', () => {
    const t = table({ at: ['2024-03-31T02:30:00', '2024-03-31T01:59:00', '2024-03-30T23:00:00'], v: [3, 2, 1] });
    expect(traces(lineChart(t, { x: 'at', y: 'v' }))[0]!.y).toEqual([1, 2, 3]);
    expect(traces(lineChart(table({ year: [2001, 1999, 2000], v: [3, 1, 2] }), { x: 'year', y: 'v' }))[0]!.x).toEqual([1999, 2000, 2001]);
  });

  it('LTTB keeps first, last and the largest triangles (hand example)', () => {
    // threshold 3: one bucket {1, 2, 3} between point 0 and the last point (4, 0).
    // Triangle areas x2 with a = (0,0), c = (4,0): j=1 -> |(0-4)(5-0)| = 20, j=2 -> 4, j=3 -> 8.
    expect([...lttbIndexes([0, 1, 2, 3, 4], [0, 5, 1, 2, 0], 3)]).toEqual([0, 1, 4]);
    expect([...lttbIndexes([0, 1, 2], [0, 5, 1], 3)]).toEqual([0, 1, 2]);
  });

  it('downsamples a long series to maxPoints with LTTB, keeping a spike and both ends', () => {
    const n = 20_000;
    const x = Array.from({ length: n }, (_, i) => i);
    const y = x.map((i) => (i === 12_345 ? 100 : Math.sin(i / 50)));
    const f = lineChart(table({ x, y }), { x: 'x', y: 'y', maxPoints: 500 });
    const tr = traces(f)[0]!;
    expect(tr.x).toHaveLength(500);
    expect((tr.x as number[])[0]).toBe(0);
    expect((tr.x as number[])[499]).toBe(n - 1);
    expect(tr.x).toContain(12_345);
    expect(titleText(f)).toBe('y over x<br><sup>each line downsampled to 500 points (LTTB)</sup>');
  });
});

describe('box plots', () => {
  it('quartiles as plotly.js computes them (linear method = numpy percentile method="hazen")', () => {
    // numpy 1.24: np.percentile([1,2,3,4,5], [25,50,75], method='hazen') -> [1.75, 3, 4.25]
    expect([0.25, 0.5, 0.75].map((p) => plotlyQuantile([1, 2, 3, 4, 5], p))).toEqual([1.75, 3, 4.25]);
    // np.percentile([1..9, 100], [25,50,75], method='hazen') -> [3, 5.5, 8]; IQR 5, fences at
    // 3 - 7.5 and 8 + 7.5: lowest value >= -4.5 is 1, highest <= 15.5 is 9; 100 is an outlier.
    const [s] = boxStatistics(table({ v: [9, 1, 2, 3, 4, 5, 6, 7, 8, 100, null] }), { y: 'v' });
    expect(s).toEqual({ name: 'v', n: 10, q1: 3, median: 5.5, q3: 8, lowerfence: 1, upperfence: 9, mean: 14.5, outliers: 1 });
  });

  it('one box per group on seattle-weather temp_max, matching numpy per group', async () => {
    // w = pd.read_csv('seattle-weather.csv'); for g, s in w.groupby('weather')['temp_max']:
    //   len(s), np.percentile(s, [25, 50, 75], method='hazen'), s.mean()
    const expected: Record<string, [number, number, number, number, number]> = {
      rain: [641, 10.0, 12.8, 16.1, 13.454602184087364],
      sun: [640, 14.4, 21.1, 25.6, 19.861875],
      fog: [101, 11.7, 16.1, 21.7, 16.757425742574256],
      drizzle: [53, 8.025, 16.1, 23.9, 15.926415094339623],
      snow: [26, 3.9, 5.6, 8.3, 5.573076923076924],
    };
    const weather = await readCsvTable(vegaDataset('seattle-weather.csv'));
    const stats = boxStatistics(weather, { y: 'temp_max', by: 'weather' });
    expect(stats.map((s) => s.name)).toEqual(['rain', 'sun', 'fog', 'drizzle', 'snow']); // by count
    for (const s of stats) {
      const [n, q1, median, q3, mean] = expected[s.name]!;
      expect(s.n).toBe(n);
      expect(s.q1).toBeCloseTo(q1, 10);
      expect(s.median).toBeCloseTo(median, 10);
      expect(s.q3).toBeCloseTo(q3, 10);
      expect(s.mean).toBeCloseTo(mean, 10);
    }
    const f = boxChart(weather, { y: 'temp_max', by: 'weather' });
    expect(traces(f)[0]).toMatchObject({ type: 'box', x: ['rain', 'sun', 'fog', 'drizzle', 'snow'], boxpoints: false, customdata: [641, 640, 101, 53, 26] });
    expect(traces(f)[0]!.q1).toEqual(stats.map((s) => s.q1));
  });

  it('draws the outliers as points beside precomputed boxes', () => {
    const f = boxChart(table({ v: [1, 2, 3, 4, 5, 6, 7, 8, 9, 100, -50], g: ['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'] }), { y: 'v', by: 'g' });
    expect(traces(f)[1]).toMatchObject({ type: 'scatter', mode: 'markers', x: ['a', 'a'], y: [-50, 100] });
  });
});

describe('barChart', () => {
  it('counts values, most frequent first, the rest in one "other" bar, missing not counted', () => {
    const t = table({ s: ['b', 'a', 'b', 'c', 'a', 'b', null, 'd'] });
    const f = barChart(t, { column: 's', top: 2 });
    expect(traces(f)[0]).toMatchObject({ x: ['b', 'a', 'other'], y: [3, 2, 2] });
    expect(titleText(f)).toBe('Counts of s<br><sup>"other" sums 2 less frequent values; 1 missing value not counted</sup>');
  });

  it('breaks ties by first appearance and counts seattle-weather like pandas value_counts', async () => {
    expect(traces(barChart(table({ s: ['x', 'y', 'y', 'x', 'z'] }), { column: 's' }))[0]).toMatchObject({ x: ['x', 'y', 'z'], y: [2, 2, 1] });
    // w['weather'].value_counts(): rain 641, sun 640, fog 101, drizzle 53, snow 26
    const f = barChart(await readCsvTable(vegaDataset('seattle-weather.csv')), { column: 'weather' });
    expect(traces(f)[0]).toMatchObject({ x: ['rain', 'sun', 'fog', 'drizzle', 'snow'], y: [641, 640, 101, 53, 26] });
  });
});

describe('correlation', () => {
  it('is pairwise-complete Pearson (hand computation), null when undefined', () => {
    // a, b complete on rows 0-3: a = 1..4, b = 2 1 4 3; deviations give Sab = 3, Saa = Sbb = 5 -> r = 0.6.
    const t = table({ a: [1, 2, 3, 4, null], b: [2, 1, 4, 3, 10], k: [5, 5, 5, 5, 5], one: [null, null, null, null, 1] });
    const m = correlationMatrix(t);
    expect(m.columns).toEqual(['a', 'b', 'k', 'one']);
    expect(m.r[0]![1]).toBeCloseTo(0.6, 14);
    expect(m.r[1]![0]).toBe(m.r[0]![1]);
    expect(m.n[0]![1]).toBe(4);
    expect(m.r[0]![0]).toBe(1);
    expect(m.r[0]![2]).toBeNull(); // constant column: pandas NaN
    expect(m.r[2]![2]).toBeNull();
    expect(m.r[1]![3]).toBeNull(); // one complete row
    expect(m.n[1]![3]).toBe(1);
  });

  it('matches pandas DataFrame.corr() on vega-datasets cars.json (missing values in MPG and horsepower)', async () => {
    // /usr/bin/python3, pandas 1.5.3:
    // df = pd.read_json('cars.json'); df[[...six numeric columns...]].corr().values.tolist()
    const pandas = [
      [1.0, -0.7753962854205539, -0.8042028248058979, -0.7784267838977761, -0.8317409332443344, 0.42028891210165054],
      [-0.7753962854205539, 1.0, 0.9517870386276707, 0.8441582976660664, 0.8952204775128871, -0.5224515124210515],
      [-0.8042028248058979, 0.9517870386276707, 1.0, 0.8983263139804297, 0.9324746504807488, -0.5579836330725128],
      [-0.7784267838977761, 0.8441582976660664, 0.8983263139804297, 1.0, 0.8665862223908413, -0.6971244438551872],
      [-0.8317409332443344, 0.8952204775128871, 0.9324746504807488, 0.8665862223908413, 1.0, -0.43008580509162647],
      [0.42028891210165054, -0.5224515124210515, -0.5579836330725128, -0.6971244438551872, -0.43008580509162647, 1.0],
    ];
    const cars = JSON.parse(await readFile(vegaDataset('cars.json'), 'utf8')) as Array<Record<string, unknown>>;
    const m = correlationMatrix(cars);
    expect(m.columns).toEqual(['Miles_per_Gallon', 'Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration']);
    m.r.forEach((row, i) => row.forEach((r, j) => expect(r, `${m.columns[i]} / ${m.columns[j]}`).toBeCloseTo(pandas[i]![j]!, 12)));
    expect(m.n[0]![3]).toBe(392); // MPG and horsepower both present: 406 - 8 - 6
    const f = correlationChart(cars, { columns: ['Horsepower', 'Miles_per_Gallon'] });
    expect(traces(f)[0]).toMatchObject({ type: 'heatmap', x: ['Horsepower', 'Miles_per_Gallon'], zmin: -1, zmax: 1, text: [['1.00', '-0.78'], ['-0.78', '1.00']], texttemplate: '%{text}', customdata: [[400, 392], [392, 398]] });
  });
});

describe('correlation heatmap size cap', () => {
  // 40 numeric columns c0..c39 over 6 rows: c_j = row * (j + 1) + (row odd ? j : 0), so pairs differ.
  const wide = table(Object.fromEntries(Array.from({ length: 40 }, (_, j) => [`c${j}`, Array.from({ length: 6 }, (_, row) => row * (j + 1) + (row % 2 === 1 ? j : 0))])));

  it('shows the first 30 columns in table order, says so in the title, and keeps every pair in the matrix', () => {
    expect(CORRELATION_CHART_COLUMNS).toBe(30);
    const m = correlationMatrix(wide);
    expect(m.columns).toHaveLength(40);
    const f = correlationChart(wide);
    const tr = traces(f)[0] as { x: string[]; y: string[]; z: Array<Array<number | null>> };
    expect(tr.x).toEqual(Array.from({ length: 30 }, (_, j) => `c${j}`));
    expect(tr.y).toEqual(tr.x);
    expect(tr.z).toEqual(m.r.slice(0, 30).map((row) => row.slice(0, 30)));
    expect(f.layout?.title).toEqual({ text: 'Pearson correlation<br><sup>first 30 of 40 columns; maxColumns: 40 shows all, columns: [...] picks others</sup>' });
    // 120 + 36 px per column: 1,200 px, not 1,560.
    expect(f.layout?.height).toBe(1200);
  });

  it('raises the cap with maxColumns, leaves a small matrix alone, and refuses a cap below 2', () => {
    const all = correlationChart(wide, { maxColumns: 40, title: 'wide' });
    expect((traces(all)[0] as { x: string[] }).x).toHaveLength(40);
    expect(all.layout?.title).toEqual({ text: 'wide' });
    const few = correlationFigure(correlationMatrix(wide, { columns: ['c3', 'c1'] }), 'two');
    expect((traces(few)[0] as { x: string[] }).x).toEqual(['c3', 'c1']);
    expect(few.layout?.title).toEqual({ text: 'two' });
    const capped = correlationChart(wide, { columns: ['c5', 'c4', 'c3'], maxColumns: 2 });
    expect((traces(capped)[0] as { x: string[] }).x).toEqual(['c5', 'c4']);
    const e = thrown(() => correlationChart(wide, { maxColumns: 1 }));
    expect(e.code).toBe('DATA_INVALID');
    expect(e.message).toBe('maxColumns must be a whole number of at least 2, got 1');
  });
});

describe('profileHistograms', () => {
  it('one panel per numeric column (its profile histogram) and per low-cardinality text column, in a grid', async () => {
    const weather = await readCsvTable(vegaDataset('seattle-weather.csv'));
    const profile = profileTable(weather);
    const f = profileHistograms(profile)!;
    // date (kind date) gets no panel; precipitation, temp_max, temp_min, wind, weather do.
    expect(traces(f).map((tr) => [tr.name, tr.xaxis, tr.yaxis])).toEqual([
      ['precipitation', 'x', 'y'], ['temp_max', 'x2', 'y2'], ['temp_min', 'x3', 'y3'], ['wind', 'x4', 'y4'], ['weather', 'x5', 'y5'],
    ]);
    expect(f.layout?.grid).toMatchObject({ rows: 2, columns: 3, pattern: 'independent' });
    expect(traces(f)[1]!.y).toEqual(profile.columns[2]!.histogram!.counts);
    for (const tr of traces(f)) expect((tr.y as number[]).reduce((a, b) => a + b, 0)).toBe(1461);
    expect(traces(f)[4]).toMatchObject({ x: ['rain', 'sun', 'fog', 'drizzle', 'snow'] });
    expect(profileHistograms(profileTable(table({ id: ['a', 'b'] })), { maxDistinct: 1 })).toBeUndefined();
  });
});
