/**
 * Column profiles of a {@link CsvTable} (like pandas `DataFrame.describe(include='all')` plus
 * missing counts and histograms), as data, as a {@link TableData} and as a Plotly histogram.
 */
import { mean, quantileSorted, sampleStandardDeviation } from 'simple-statistics';
import { StratumError } from '../errors.ts';
import type { CsvColumn, CsvKind, CsvTable } from '../../connectors/csv/csv.ts';
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
  /** Inferred kind (see `CsvColumn.kind`). */
  kind: CsvKind;
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
 * max, mean, sample std (ddof = 1), quartiles (linear interpolation, simple-statistics
 * `quantileSorted`, = numpy/pandas default) and an equal-width histogram (numpy `histogram`
 * binning); for other kinds the most frequent values.
 *
 * @example
 * profileTable(parseCsv('x\n1\n2\n3\n4\n')).columns[0] // { mean: 2.5, std: 1.2909944..., q25: 1.75, ... }
 */
export function profileTable(table: CsvTable, options: ProfileOptions = {}): DataProfile {
  const columns = table.columns.map((column) => profileColumn(column, options));
  return { rowCount: table.rowCount, columns, ...(table.source === undefined ? {} : { source: table.source }) };
}

function profileColumn(column: CsvColumn, options: ProfileOptions): ColumnProfile {
  const count = column.values.length - column.missing;
  const base = { name: column.name, kind: column.kind, count, missing: column.missing, ...(column.note === undefined ? {} : { note: column.note }) };
  if (column.kind === 'integer' || column.kind === 'float') {
    const sorted = numericValues(column).sort((a, b) => a - b);
    const distinct = countDistinctSorted(sorted);
    if (sorted.length === 0) return { ...base, distinct };
    return {
      ...base,
      distinct,
      min: sorted[0]!,
      max: sorted[sorted.length - 1]!,
      mean: mean(sorted),
      std: sorted.length < 2 ? NaN : sampleStandardDeviation(sorted),
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

/** Non-missing values of a numeric column. */
function numericValues(column: CsvColumn): number[] {
  const out: number[] = [];
  for (const v of column.values) if (typeof v === 'number' && !Number.isNaN(v)) out.push(v);
  return out;
}

function countDistinctSorted(sorted: number[]): number {
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) n++;
  return n;
}

/** Counts of each non-missing value, in order of first appearance. */
function valueCounts(column: CsvColumn): Map<string | boolean, number> {
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
function histogram(sorted: number[], bins: number): Histogram {
  let lo = sorted[0]!;
  let hi = sorted[sorted.length - 1]!;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const n = Math.max(1, Math.floor(bins));
  const width = (hi - lo) / n;
  const edges = Array.from({ length: n + 1 }, (_, i) => (i === n ? hi : lo + i * width));
  const counts = new Array<number>(n).fill(0);
  for (const v of sorted) {
    let i = Math.min(n - 1, Math.floor((v - lo) / width));
    // Floating-point rounding can put a value one bin off its edges; fix it against the edges.
    if (v < edges[i]!) i--;
    else if (i < n - 1 && v >= edges[i + 1]!) i++;
    counts[i]!++;
  }
  return { edges, counts };
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
export function histogramFigure(table: CsvTable, column: string, options: ProfileOptions = {}): PlotlyFigure {
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
