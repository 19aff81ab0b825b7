/**
 * Column profiles of a {@link DataTable} (like pandas `DataFrame.describe(include='all')` plus
 * missing counts and histograms), as data, as a {@link TableData} and as a Plotly histogram.
 */
import { StratumError } from '../errors.ts';
import type { ColumnKind, DataColumn, DataTable } from './columns.ts';
import type { TableCell, TableData } from './table.ts';

/** MIME type of a {@link PlotlyFigure} output. */
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** Payload of `application/vnd.plotly.v1+json`: a Plotly figure (traces and layout, plain JSON). */
export interface PlotlyFigure {
  /** Plotly traces, e.g. `{ type: 'bar', x: [...], y: [...] }`. */
  data: Array<Record<string, unknown>>;
  /** Plotly layout (title, axes...). */
  layout?: Record<string, unknown>;
}

/** Equal-width histogram: `counts[i]` values fall in `[edges[i], edges[i+1])`, the last bin also holds its right edge. */
export interface Histogram {
  /** Bin edges, `counts.length + 1` ascending numbers. */
  edges: number[];
  /** Number of values per bin. */
  counts: number[];
}

/** Profile of one column. Statistics ignore missing values. */
export interface ColumnProfile {
  /** Column name. */
  name: string;
  /** Inferred kind (see `DataColumn.kind`). */
  kind: ColumnKind;
  /** Number of non-missing values (pandas `count`). */
  count: number;
  /** Number of missing values. */
  missing: number;
  /** Number of distinct non-missing values (pandas `nunique`). */
  distinct: number;
  /** Smallest value (numeric columns with count > 0). */
  min?: number;
  /** Largest value (numeric columns with count > 0). */
  max?: number;
  /** Arithmetic mean (numeric columns). */
  mean?: number;
  /** Sample standard deviation, ddof = 1 as pandas `describe`; NaN when count < 2 (numeric columns). */
  std?: number;
  /** Quartiles with linear interpolation between order statistics (numpy/pandas default, R type 7) (numeric columns). */
  q25?: number;
  /** Median, as {@link ColumnProfile.q25}. */
  q50?: number;
  /** Third quartile, as {@link ColumnProfile.q25}. */
  q75?: number;
  /** Equal-width histogram of the values (numeric columns). */
  histogram?: Histogram;
  /** Most frequent values with their counts, most frequent first, ties in order of first appearance (non-numeric columns). */
  top?: Array<{ value: string | boolean; count: number }>;
  /** The column's note from the CSV connector, if any. */
  note?: string;
}

/** Profile of a whole table. */
export interface DataProfile {
  /** Number of rows. */
  rowCount: number;
  /** One profile per column, in table order. */
  columns: ColumnProfile[];
  /** Where the table came from, if known. */
  source?: string;
}

/** Options for {@link profileTable}. */
export interface ProfileOptions {
  /** Histogram bins for numeric columns; default 10 (numpy `histogram` default). */
  bins?: number;
  /** Most frequent values kept for non-numeric columns; default 10. */
  topValues?: number;
}

/**
 * Profiles every column of a table: count, missing, distinct; for `integer`/`float` columns min,
 * max, mean, sample std (ddof = 1), quartiles (linear interpolation between order statistics,
 * = numpy/pandas default, R type 7) and an equal-width histogram (numpy `histogram`
 * binning); for other kinds the most frequent values.
 *
 * @example
 * profileTable(parseCsv('x\n1\n2\n3\n4\n')).columns[0] // { mean: 2.5, std: 1.2909944..., q25: 1.75, ... }
 */
export function profileTable(table: DataTable, options: ProfileOptions = {}): DataProfile {
  const columns = table.columns.map((column) => profileColumn(column, options));
  return { rowCount: table.rowCount, columns, ...(table.source === undefined ? {} : { source: table.source }) };
}

function profileColumn(column: DataColumn, options: ProfileOptions): ColumnProfile {
  const count = column.values.length - column.missing;
  const base = { name: column.name, kind: column.kind, count, missing: column.missing, ...(column.note === undefined ? {} : { note: column.note }) };
  if (column.kind === 'integer' || column.kind === 'float') {
    const values = numericValues(column);
    if (column.kind === 'integer') {
      const counted = profileSmallRangeIntegers(values, options.bins ?? 10);
      if (counted !== undefined) return { ...base, ...counted };
    }
    const sorted = values.sort(); // Float64Array sorts numerically, natively
    const distinct = countDistinctSorted(sorted);
    if (sorted.length === 0) return { ...base, distinct };
    const m = kahanMean(sorted);
    return {
      ...base,
      distinct,
      min: sorted[0]!,
      max: sorted[sorted.length - 1]!,
      mean: m,
      std: sorted.length < 2 ? NaN : sampleStd(sorted, m),
      q25: quantileSorted(sorted, 0.25),
      q50: quantileSorted(sorted, 0.5),
      q75: quantileSorted(sorted, 0.75),
      histogram: histogram(sorted, options.bins ?? 10),
    };
  }
  const counts = valueCounts(column);
  const top = [...counts.entries()]
    .map(([value, n], order) => ({ value, count: n, order }))
    .sort((a, b) => b.count - a.count || a.order - b.order)
    .slice(0, options.topValues ?? 10)
    .map(({ value, count: n }) => ({ value, count: n }));
  return { ...base, distinct: counts.size, top };
}

/** Non-missing values of a numeric column, as a Float64Array. */
function numericValues(column: DataColumn): Float64Array {
  const values = column.values;
  const out = new Float64Array(values.length - column.missing);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number' && v === v && k < out.length) out[k++] = v;
  }
  return k === out.length ? out : out.subarray(0, k);
}

/**
 * Numeric statistics of integers whose range is small (at most max(4n, 65536) and 2^24 values)
 * by counting each value instead of sorting: O(n + range). Same results as the sorted path.
 */
function profileSmallRangeIntegers(values: Float64Array, bins: number): Omit<ColumnProfile, 'name' | 'kind' | 'count' | 'missing'> | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo + 1;
  if (range > Math.max(4 * n, 65_536) || range > 2 ** 24) return undefined;
  const counts = new Int32Array(range);
  for (let i = 0; i < n; i++) counts[values[i]! - lo]!++;
  let distinct = 0;
  for (let k = 0; k < range; k++) if (counts[k]! > 0) distinct++;
  // Order statistics needed by the quartiles, answered in one cumulative pass.
  const ranks = [0.25, 0.5, 0.75].flatMap((p) => {
    const h = (n - 1) * p;
    return [Math.floor(h), Math.min(Math.floor(h) + 1, n - 1)];
  });
  const wanted = [...new Set(ranks)].sort((a, b) => a - b);
  const at = new Map<number, number>();
  let seen = 0;
  let w = 0;
  for (let k = 0; k < range && w < wanted.length; k++) {
    seen += counts[k]!;
    while (w < wanted.length && wanted[w]! < seen) at.set(wanted[w++]!, lo + k);
  }
  const quantile = (p: number): number => {
    const h = (n - 1) * p;
    const a = at.get(Math.floor(h))!;
    const b = at.get(Math.min(Math.floor(h) + 1, n - 1))!;
    return a + (h - Math.floor(h)) * (b - a);
  };
  const m = kahanMean(values);
  const histogramOf = histogramFromCounts(lo, hi, counts, bins);
  return { distinct, min: lo, max: hi, mean: m, std: n < 2 ? NaN : sampleStd(values, m), q25: quantile(0.25), q50: quantile(0.5), q75: quantile(0.75), histogram: histogramOf };
}

/** {@link histogram} of integers lo..hi given as counts per value. */
function histogramFromCounts(min: number, max: number, counts: Int32Array, bins: number): Histogram {
  const { edges, binOf } = binning(min, max, bins);
  const out = new Array<number>(edges.length - 1).fill(0);
  for (let k = 0; k < counts.length; k++) if (counts[k]! > 0) out[binOf(min + k)]! += counts[k]!;
  return { edges, counts: out };
}

/** Mean with Kahan-Babuska compensated summation (as simple-statistics `sum`). */
function kahanMean(x: Float64Array): number {
  let sum = 0;
  let correction = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const t = sum + v;
    correction += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return (sum + correction) / x.length;
}

/** Sample standard deviation (ddof = 1), two-pass around the mean (as simple-statistics `sampleStandardDeviation`). */
function sampleStd(x: Float64Array, mean: number): number {
  let ss = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / (x.length - 1));
}

/** Quantile of sorted values with linear interpolation between order statistics (numpy default, R type 7). */
function quantileSorted(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function countDistinctSorted(sorted: Float64Array): number {
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) n++;
  return n;
}

/** Counts of each non-missing value, in order of first appearance. */
function valueCounts(column: DataColumn): Map<string | boolean, number> {
  const counts = new Map<string | boolean, number>();
  for (const v of column.values) {
    if (v === null) continue;
    const key = typeof v === 'number' ? String(v) : v;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Equal-width histogram of sorted finite values over [min, max] (numpy `histogram(bins=n)`: the
 * last bin includes max; when min = max the range is [min - 0.5, max + 0.5]).
 */
function histogram(sorted: Float64Array, bins: number): Histogram {
  const { edges, binOf } = binning(sorted[0]!, sorted[sorted.length - 1]!, bins);
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const v of sorted) counts[binOf(v)]!++;
  return { edges, counts };
}

/** Edges of `bins` equal-width bins over [min, max] (numpy rules, see {@link histogram}) and the bin of a value. */
function binning(min: number, max: number, bins: number): { edges: number[]; binOf: (v: number) => number } {
  let lo = min;
  let hi = max;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const n = Math.max(1, Math.floor(bins));
  const width = (hi - lo) / n;
  const edges = Array.from({ length: n + 1 }, (_, i) => (i === n ? hi : lo + i * width));
  const binOf = (v: number): number => {
    let i = Math.min(n - 1, Math.floor((v - lo) / width));
    // Floating-point rounding can put a value one bin off its edges; fix it against the edges.
    if (v < edges[i]!) i--;
    else if (i < n - 1 && v >= edges[i + 1]!) i++;
    return i;
  };
  return { edges, binOf };
}

/**
 * One row per column, with columns like pandas `describe(include='all').T` plus `kind`,
 * `missing` and `distinct`: column, kind, count, missing, distinct, mean, std, min, 25%, 50%,
 * 75%, max, top, freq. Cells that do not apply are `null`; NaN becomes `null`.
 */
export function profileToTableData(profile: DataProfile): TableData {
  const columns = [
    { name: 'column', dtype: 'string' },
    { name: 'kind', dtype: 'string' },
    { name: 'count', dtype: 'int32' },
    { name: 'missing', dtype: 'int32' },
    { name: 'distinct', dtype: 'int32' },
    { name: 'mean', dtype: 'float32' },
    { name: 'std', dtype: 'float32' },
    { name: 'min', dtype: 'float32' },
    { name: '25%', dtype: 'float32' },
    { name: '50%', dtype: 'float32' },
    { name: '75%', dtype: 'float32' },
    { name: 'max', dtype: 'float32' },
    { name: 'top', dtype: 'string' },
    { name: 'freq', dtype: 'int32' },
  ];
  const num = (x: number | undefined): TableCell => (x === undefined || Number.isNaN(x) ? null : x);
  const rows = profile.columns.map((c): TableCell[] => [
    c.name,
    c.kind,
    c.count,
    c.missing,
    c.distinct,
    num(c.mean),
    num(c.std),
    num(c.min),
    num(c.q25),
    num(c.q50),
    num(c.q75),
    num(c.max),
    c.top?.[0] === undefined ? null : String(c.top[0].value),
    c.top?.[0]?.count ?? null,
  ]);
  return { columns, rows, totalRows: rows.length };
}

/**
 * A Plotly figure of one column's distribution: for a numeric column a bar chart of its
 * equal-width histogram (`bins`, default 10; bars at bin centres with the bin width), otherwise a
 * bar chart of its most frequent values (`topValues`, default 20).
 *
 * @throws {StratumError} `DATA_INVALID` when the table has no column named `column`.
 */
export function histogramFigure(table: DataTable, column: string, options: ProfileOptions = {}): PlotlyFigure {
  const found = table.columns.find((c) => c.name === column);
  if (found === undefined) {
    throw new StratumError('DATA_INVALID', `no column "${column}" in ${table.source ?? 'the table'}`, {
      detail: { field: column, columns: table.columns.map((c) => c.name) },
      hint: `Use one of: ${table.columns.map((c) => c.name).join(', ')}.`,
    });
  }
  const profile = profileColumn(found, { bins: options.bins ?? 10, topValues: options.topValues ?? 20 });
  if (profile.histogram !== undefined) {
    const { edges, counts } = profile.histogram;
    return {
      data: [{
        type: 'bar',
        name: column,
        x: counts.map((_, i) => (edges[i]! + edges[i + 1]!) / 2),
        y: counts,
        width: counts.map((_, i) => edges[i + 1]! - edges[i]!),
        customdata: counts.map((_, i) => [edges[i]!, edges[i + 1]!]),
        hovertemplate: '[%{customdata[0]}, %{customdata[1]}): %{y}<extra></extra>',
      }],
      layout: { title: { text: `Distribution of ${column}` }, xaxis: { title: { text: column } }, yaxis: { title: { text: 'count' } }, bargap: 0 },
    };
  }
  const top = profile.top ?? [];
  return {
    data: [{ type: 'bar', name: column, x: top.map((t) => String(t.value)), y: top.map((t) => t.count) }],
    layout: { title: { text: `Most frequent values of ${column}` }, xaxis: { title: { text: column }, type: 'category' }, yaxis: { title: { text: 'count' } } },
  };
}
