/**
 * Plotly figures for the common exploration charts: histogram, scatter (colour by a column,
 * least-squares trendline), line over time, box, bar of counts and a correlation heatmap; plus
 * the small-multiple histograms and the heatmap that `stratum.profile` shows beside its table.
 *
 * Every builder takes a {@link TabularInput} (a {@link DataTable}, a Danfo DataFrame or row
 * records) and returns a plain-JSON {@link PlotlyFigure} (MIME `application/vnd.plotly.v1+json`).
 * Columns are checked first: a missing column or one of the wrong kind is a `DATA_INVALID`
 * {@link StratumError} naming the column and what the chart needs.
 *
 * Large data: scatter and line charts draw at most `maxPoints` points ({@link DEFAULT_MAX_POINTS},
 * 5,000) so the browser stays responsive. Scatter plots keep a uniform random sample of the rows
 * (without replacement, seeded: the same seed draws the same rows, kept in row order); line charts
 * keep, per series, the points chosen by Largest-Triangle-Three-Buckets (deterministic, keeps the
 * first and last points and the visual extremes). The figure's title says when this happened.
 * Statistics (trendline, box quartiles, counts, correlations) always use every row.
 */
import seedrandom from 'seedrandom';
import { linearRegression, sampleCorrelation, sampleVariance } from 'simple-statistics';
import { StratumError } from '../errors.ts';
import { dataFrameTable, recordsToColumns, tableFromValueColumns, timestampMillis } from './columns.ts';
import type { ColumnKind, DataColumn, DataTable } from './columns.ts';
import { histogramFigure } from './profile.ts';
import type { DataProfile, PlotlyFigure, ProfileOptions } from './profile.ts';

export { histogramFigure } from './profile.ts';
export type { PlotlyFigure } from './profile.ts';

/** What the chart builders accept: a {@link DataTable}, a Danfo DataFrame, or an array of row records. */
export type TabularInput = unknown;

/** Points drawn at most by a scatter plot, and per series by a line chart, unless `maxPoints` says otherwise. */
export const DEFAULT_MAX_POINTS = 5_000;

/** Seed of the scatter plot's row sample unless `seed` says otherwise. */
export const DEFAULT_CHART_SEED = 42;

/** Label of the bar (or box, or colour group) that gathers the values beyond the top N. */
export const OTHER_LABEL = 'other';

/** Label of the group of rows whose category is missing. */
export const MISSING_LABEL = '(missing)';

/**
 * Colours of the colour groups, in order: Plotly's default `colorway` (plotly.js
 * `src/components/color/attributes.js`, the D3 category10 colours), set explicitly so a group's
 * trendline has its points' colour.
 */
export const CHART_COLORS: readonly string[] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function isDataTable(x: unknown): x is DataTable {
  return typeof x === 'object' && x !== null && Array.isArray((x as DataTable).columns) && typeof (x as DataTable).rowCount === 'number';
}

function isDataFrameLike(x: unknown): x is { columns: string[]; column(name: string): { values: unknown[] } } {
  return typeof x === 'object' && x !== null && Array.isArray((x as { columns?: unknown }).columns) && typeof (x as { column?: unknown }).column === 'function';
}

/**
 * Converts a Danfo DataFrame, a DataTable or an array of records to a {@link DataTable} (column
 * kinds re-inferred from the values for DataFrames and records: `inferValueColumn` rules).
 *
 * @throws {StratumError} `DATA_INVALID` for anything else.
 */
export function toDataTable(x: TabularInput): DataTable {
  if (isDataTable(x)) return x;
  if (isDataFrameLike(x)) return dataFrameTable(x) ?? tableFromValueColumns(x.columns.map((name) => ({ name, values: x.column(name).values })));
  if (Array.isArray(x)) return tableFromValueColumns(recordsToColumns(x as Array<Record<string, unknown>>));
  throw new StratumError('DATA_INVALID', `expected a Danfo DataFrame, a DataTable or an array of records, got ${x === null ? 'null' : typeof x}`, {
    detail: { field: 'data' },
    hint: 'Pass the DataFrame a loading cell produced, e.g. stratum.scatter(df, { x: "a", y: "b" }).',
  });
}

// ---------------------------------------------------------------------------------------------
// Column checks

const KIND_WORDS: Record<ColumnKind, string> = { integer: 'numeric (integer)', float: 'numeric', boolean: 'true/false', string: 'text', date: 'dates' };

function column(table: DataTable, name: string, chart: string): DataColumn {
  if (typeof name !== 'string' || name === '') {
    throw new StratumError('DATA_INVALID', `${chart} needs a column name, got ${JSON.stringify(name) ?? 'undefined'}`, { detail: { field: String(name) }, hint: `Columns: ${table.columns.map((c) => c.name).join(', ')}.` });
  }
  const found = table.columns.find((c) => c.name === name);
  if (found === undefined) {
    const names = table.columns.map((c) => c.name);
    throw new StratumError('DATA_INVALID', `no column '${name}' in ${table.source ?? 'the data'}; ${chart} needs it. Columns: ${names.join(', ')}`, {
      detail: { field: name, columns: names },
      hint: 'Check the spelling and case of the column name.',
    });
  }
  return found;
}

const isNumericKind = (kind: ColumnKind): boolean => kind === 'integer' || kind === 'float';

function numericColumn(table: DataTable, name: string, chart: string): DataColumn {
  const c = column(table, name, chart);
  if (!isNumericKind(c.kind)) {
    throw new StratumError('DATA_INVALID', `column '${name}' is ${KIND_WORDS[c.kind]}; ${chart} needs a numeric column`, {
      detail: { field: name, kind: c.kind },
      hint: c.kind === 'string' ? 'Convert it to numbers first, or pick a numeric column.' : 'Pick a numeric column.',
    });
  }
  return c;
}

/** A numeric column's values as a Float64Array, NaN where missing. */
function numbers(c: DataColumn): Float64Array {
  const out = new Float64Array(c.values.length);
  for (let i = 0; i < out.length; i++) {
    const v = c.values[i];
    out[i] = typeof v === 'number' ? v : NaN;
  }
  return out;
}


/** Rows grouped by a column's value (see {@link topGroups}). */
interface Groups {
  /** Group names in display order: the top values by count, then {@link OTHER_LABEL}, then {@link MISSING_LABEL}. */
  names: string[];
  /** Rows per group, same order. */
  counts: number[];
  /** Group index of each row. */
  rowGroup: Int32Array;
  /** Distinct values gathered in the "other" group (0 when there is none). */
  otherValues: number;
  /** Whether the last group is the missing values'. */
  hasMissing: boolean;
}

/**
 * Groups rows by a column's value: the `top` most frequent values (ties in order of first
 * appearance) keep their own group, the rest share {@link OTHER_LABEL}, missing values go to
 * {@link MISSING_LABEL}.
 */
function topGroups(c: DataColumn, top: number): Groups {
  const counts = new Map<string, number>();
  for (const v of c.values) if (v !== null) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  const ordered = [...counts.entries()].map(([value, n], order) => ({ value, n, order })).sort((a, b) => b.n - a.n || a.order - b.order);
  const kept = ordered.slice(0, top);
  const index = new Map(kept.map((k, i) => [k.value, i]));
  const names = kept.map((k) => k.value);
  const groupCounts = kept.map((k) => k.n);
  const otherValues = Math.max(0, ordered.length - top);
  const otherIndex = otherValues > 0 ? names.push(OTHER_LABEL) - 1 : -1;
  if (otherIndex >= 0) groupCounts.push(ordered.slice(top).reduce((s, k) => s + k.n, 0));
  const missingIndex = c.missing > 0 ? names.push(MISSING_LABEL) - 1 : -1;
  if (missingIndex >= 0) groupCounts.push(c.missing);
  const rowGroup = new Int32Array(c.values.length);
  for (let i = 0; i < rowGroup.length; i++) {
    const v = c.values[i];
    rowGroup[i] = v === null || v === undefined ? missingIndex : (index.get(String(v)) ?? otherIndex);
  }
  return { names, counts: groupCounts, rowGroup, otherValues, hasMissing: missingIndex >= 0 };
}

function checkPositiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) throw new StratumError('DATA_INVALID', `${field} must be a positive whole number, got ${String(value)}`, { detail: { field } });
  return value;
}

/** Title with an optional second line of notes in small type (Plotly's `<br><sup>` idiom). */
function titleOf(text: string, notes: string[]): Record<string, unknown> {
  return { text: notes.length === 0 ? text : `${text}<br><sup>${notes.join('; ')}</sup>` };
}

/** Room for a two-line title (the workbench's default top margin is 40 px). */
const NOTED_MARGIN = { l: 50, r: 20, t: 64, b: 40 };

const fmt = (n: number): string => n.toLocaleString('en');

/** `1 row`, `2,000 rows`. */
const rowsText = (n: number): string => `${fmt(n)} row${n === 1 ? '' : 's'}`;

/** Number of ±Infinity values (NaN, a missing value, is not counted). */
function countInfinite(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === Infinity || values[i] === -Infinity) n++;
  return n;
}

/** `2 infinite values of x left out` (a chart cannot place ±Infinity; pandas' plots drop them too). */
const infiniteText = (n: number, of: string): string => `${fmt(n)} infinite value${n === 1 ? '' : 's'} of ${of} left out`;

/** Matches the zone of ISO date/time text: `Z`, `+05:30`, `-0800`. */
const ZONE_RE = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * The x values of a line chart over a `date` column as Plotly should get them. Plotly ignores the
 * zone of date text (it draws `10:00+05:30` at 10:00), so when the column mixes zones (offsets
 * other than UTC, with other offsets, UTC or values without a zone) every value with a non-UTC
 * offset is written as its UTC instant (`toISOString()`); values without a zone are UTC wall-clock
 * time by Stratum's convention (`timestampMillis`) and stay as they are. One offset throughout
 * keeps the text (drawn at its own wall-clock time).
 *
 * @returns the text per row (`undefined` where unchanged) and the zones found, when they were mixed
 */
function unifyZones(values: readonly unknown[], rows: readonly number[], keys: Float64Array): { text: Map<number, string>; zones: string[] } | undefined {
  const zones = new Set<string>();
  for (const i of rows) {
    const v = values[i];
    if (typeof v !== 'string') continue;
    const m = ZONE_RE.exec(v.trim());
    const zone = m === null || /^(?:Z|[+-]00:?00)$/i.test(m[0]) ? 'UTC' : `${m[0].slice(0, 3)}:${m[0].slice(-2)}`;
    zones.add(zone);
  }
  if (zones.size < 2 || ![...zones].some((z) => z !== 'UTC')) return undefined;
  const text = new Map<number, string>();
  for (const i of rows) {
    const v = values[i];
    if (typeof v !== 'string') continue;
    const m = ZONE_RE.exec(v.trim());
    if (m !== null && !/^(?:Z|[+-]00:?00)$/i.test(m[0])) text.set(i, new Date(keys[i]!).toISOString());
  }
  return { text, zones: [...zones].sort() };
}

// ---------------------------------------------------------------------------------------------
// Downsampling

/**
 * `k` of `indexes` chosen uniformly at random without replacement (partial Fisher-Yates shuffle
 * driven by `seedrandom("stratum-chart:<seed>")`), returned in ascending order; all of them when
 * there are at most `k`.
 */
export function sampleIndexes(indexes: Int32Array, k: number, seed: number): Int32Array {
  if (indexes.length <= k) return indexes;
  const pool = Int32Array.from(indexes);
  const rng = seedrandom(`stratum-chart:${seed}`);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (pool.length - i));
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.subarray(0, k).sort();
}

/**
 * Largest-Triangle-Three-Buckets downsampling (S. Steinarsson, "Downsampling Time Series for
 * Visual Representation", MSc thesis, University of Iceland, 2013, section 4.2): keeps the first
 * and last points and, in each of `threshold - 2` equal buckets in between, the point forming the
 * largest triangle with the point kept in the previous bucket and the mean of the next bucket.
 *
 * @param x - ascending x values (numbers; dates as epoch milliseconds)
 * @param y - y values, same length, all finite
 * @param threshold - points to keep (at least 3)
 * @returns indexes of the kept points, ascending; all indexes when `x.length <= threshold`
 */
export function lttbIndexes(x: ArrayLike<number>, y: ArrayLike<number>, threshold: number): Int32Array {
  const n = x.length;
  if (n <= threshold || threshold < 3) return Int32Array.from({ length: n }, (_, i) => i);
  const out = new Int32Array(threshold);
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  out[0] = 0;
  for (let i = 0; i < threshold - 2; i++) {
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += x[j]!;
      avgY += y[j]!;
    }
    const len = Math.max(1, nextEnd - nextStart);
    avgX /= len;
    avgY /= len;
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((x[a]! - avgX) * (y[j]! - y[a]!) - (x[a]! - x[j]!) * (avgY - y[a]!));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out[i + 1] = best;
    a = best;
  }
  out[threshold - 1] = n - 1;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Histogram

/** Options of {@link histogramChart}. */
export interface HistogramOptions extends ProfileOptions {
  /** The column to chart (any kind: numeric columns get equal-width bins, others their most frequent values). */
  column: string;
}

/**
 * A histogram of one column (numpy `histogram` binning, `bins` default 10), or a bar chart of the
 * most frequent values (`topValues`, default 20) for a non-numeric column. Same figure as
 * `histogramFigure` of profile.ts, from any {@link TabularInput}. ±Infinity values are left out
 * (the finite values are binned) and counted in the title.
 *
 * @throws {StratumError} `DATA_INVALID` when the column does not exist.
 * @example
 * histogramChart(df, { column: 'temp_max', bins: 20 })
 */
export function histogramChart(input: TabularInput, options: HistogramOptions): PlotlyFigure {
  const table = toDataTable(input);
  const c = column(table, options.column, 'a histogram');
  const { column: name, ...rest } = options;
  const infinite = isNumericKind(c.kind) ? countInfinite(numbers(c)) : 0;
  if (infinite === 0) return histogramFigure(table, name, rest);
  // Bin the finite values only: ±Infinity has no bin (numpy's histogram refuses it).
  const finite: DataColumn = { ...c, values: c.values.map((v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)), missing: c.missing + infinite };
  const figure = histogramFigure({ columns: [finite], rowCount: table.rowCount, coercions: [], ...(table.source === undefined ? {} : { source: table.source }) }, name, rest);
  const title = (figure.layout?.title as { text?: unknown } | undefined)?.text;
  return { ...figure, layout: { ...figure.layout, title: titleOf(String(title ?? `Distribution of ${name}`), [infiniteText(infinite, name)]), margin: NOTED_MARGIN } };
}

// ---------------------------------------------------------------------------------------------
// Scatter

/** Options of {@link scatterChart}. */
export interface ScatterOptions {
  /** Numeric column on the x axis. */
  x: string;
  /** Numeric column on the y axis. */
  y: string;
  /**
   * Column colouring the points. A non-numeric column, or a numeric one with at most
   * `maxCategories` distinct values, gives one trace per value (the most frequent
   * `maxCategories`, the rest as "other", missing as "(missing)"); other numeric columns a
   * continuous colour scale.
   */
  color?: string;
  /**
   * Draw the ordinary least-squares line y = m·x + b fitted on every complete row; with `color`
   * by categories, one line per colour group (fitted on that group's rows, in its colour); default false.
   */
  trendline?: boolean;
  /** Most points drawn (a seeded uniform sample of the rows beyond it); default {@link DEFAULT_MAX_POINTS}. */
  maxPoints?: number;
  /** Seed of the sample; default {@link DEFAULT_CHART_SEED}. */
  seed?: number;
  /** Colour groups kept before "other"; default 10. */
  maxCategories?: number;
  /** Chart title; default `y vs x`. */
  title?: string;
}

/**
 * A scatter plot of two numeric columns. Rows missing x or y are left out (counted in the title).
 * The trendline is the ordinary least-squares line over every complete row (simple-statistics
 * `linearRegression`, R² = `sampleCorrelation`², numpy `polyfit(x, y, 1)`'s line), named with its
 * equation and R². When points are coloured by categories there is one line per group shown
 * (every complete row of the group, not just the drawn sample), drawn in the group's colour and in
 * its legend group (hiding the group hides its line); a group with fewer than two distinct x values
 * gets none (said in the title). A continuous colour scale keeps one line over all rows.
 *
 * @throws {StratumError} `DATA_INVALID` naming a missing or non-numeric x/y column or a missing colour column.
 * @example
 * scatterChart(weather, { x: 'temp_max', y: 'temp_min', color: 'weather', trendline: true })
 */
export function scatterChart(input: TabularInput, options: ScatterOptions): PlotlyFigure {
  const table = toDataTable(input);
  const chart = 'a scatter plot';
  const xs = numbers(numericColumn(table, options.x, chart));
  const ys = numbers(numericColumn(table, options.y, chart));
  const colorColumn = options.color === undefined ? undefined : column(table, options.color, chart);
  const maxPoints = checkPositiveInteger(options.maxPoints ?? DEFAULT_MAX_POINTS, 'maxPoints');
  const maxCategories = checkPositiveInteger(options.maxCategories ?? 10, 'maxCategories');
  const complete: number[] = [];
  for (let i = 0; i < table.rowCount; i++) if (Number.isFinite(xs[i]) && Number.isFinite(ys[i])) complete.push(i);
  const rows = Int32Array.from(complete);
  const shown = sampleIndexes(rows, maxPoints, options.seed ?? DEFAULT_CHART_SEED);
  const notes: string[] = [];
  const infiniteX = countInfinite(xs);
  const infiniteY = countInfinite(ys);
  let infiniteRows = 0;
  if (infiniteX + infiniteY > 0) for (let i = 0; i < table.rowCount; i++) if (Math.abs(xs[i]!) === Infinity || Math.abs(ys[i]!) === Infinity) infiniteRows++;
  if (rows.length + infiniteRows < table.rowCount) notes.push(`${rowsText(table.rowCount - rows.length - infiniteRows)} without ${options.x} or ${options.y} left out`);
  if (infiniteRows > 0) notes.push(`${rowsText(infiniteRows)} with an infinite ${infiniteX === 0 ? options.y : infiniteY === 0 ? options.x : `${options.x} or ${options.y}`} left out`);
  if (shown.length < rows.length) notes.push(`random sample of ${fmt(shown.length)} of ${fmt(rows.length)} points (seed ${options.seed ?? DEFAULT_CHART_SEED})`);
  const pick = (values: Float64Array): number[] => Array.from(shown, (i) => values[i]!);
  const data: Array<Record<string, unknown>> = [];
  const base = { type: 'scatter', mode: 'markers', marker: { size: 5, opacity: 0.7 } };
  const distinct = colorColumn === undefined ? 0 : new Set(colorColumn.values.filter((v) => v !== null)).size;
  const continuous = colorColumn !== undefined && isNumericKind(colorColumn.kind) && distinct > maxCategories;
  if (colorColumn !== undefined && continuous) {
    const cs = numbers(colorColumn);
    data.push({ ...base, name: options.y, x: pick(xs), y: pick(ys), marker: { ...base.marker, color: Array.from(shown, (i) => (Number.isFinite(cs[i]) ? cs[i] : null)), colorscale: 'Viridis', showscale: true, colorbar: { title: { text: colorColumn.name } } } });
  } else if (colorColumn !== undefined) {
    const groups = topGroups(colorColumn, maxCategories);
    const members: number[][] = groups.names.map(() => []);
    for (const i of shown) members[groups.rowGroup[i]!]!.push(i);
    const lines: Array<Record<string, unknown>> = [];
    const flat: string[] = [];
    groups.names.forEach((name, g) => {
      if (members[g]!.length === 0) return;
      const color = CHART_COLORS[g % CHART_COLORS.length]!;
      data.push({ ...base, name, legendgroup: name, x: members[g]!.map((i) => xs[i]!), y: members[g]!.map((i) => ys[i]!), marker: { ...base.marker, color } });
      if (options.trendline !== true) return;
      const line = trendline(xs, ys, complete.filter((i) => groups.rowGroup[i] === g), { color, group: name });
      if (line === undefined) flat.push(name);
      else lines.push(line);
    });
    data.push(...lines);
    if (flat.length > 0) notes.push(`no trendline for ${flat.join(', ')}: a line needs at least two distinct x values`);
  } else {
    data.push({ ...base, name: options.y, x: pick(xs), y: pick(ys) });
  }
  if (options.trendline === true && (colorColumn === undefined || continuous)) {
    const line = trendline(xs, ys, complete, { color: '#222' });
    if (line === undefined) notes.push('no trendline: it needs at least two distinct x values');
    else data.push(line);
  }
  return {
    data,
    layout: {
      title: titleOf(options.title ?? `${options.y} vs ${options.x}`, notes),
      xaxis: { title: { text: options.x } },
      yaxis: { title: { text: options.y } },
      ...(colorColumn !== undefined && !continuous ? { legend: { title: { text: colorColumn.name } } } : {}),
      ...(notes.length > 0 ? { margin: NOTED_MARGIN } : {}),
    },
  };
}

/**
 * The least-squares line trace over rows `rows` of (xs, ys): simple-statistics `linearRegression`
 * (slope and intercept of numpy `polyfit(x, y, 1)`), R² = `sampleCorrelation`², drawn from the
 * smallest to the largest x; `undefined` when the rows have fewer than two distinct x values.
 * `meta` holds `{ slope, intercept, r2, n }` (and `group`).
 */
function trendline(xs: Float64Array, ys: Float64Array, rows: readonly number[], style: { color: string; group?: string }): Record<string, unknown> | undefined {
  const fx = rows.map((i) => xs[i]!);
  const fy = rows.map((i) => ys[i]!);
  if (!(fx.length >= 2 && sampleVariance(fx) > 0)) return undefined;
  const points = fx.map((x, k) => [x, fy[k]!]);
  const { m, b } = linearRegression(points);
  const r = sampleCorrelation(fx, fy);
  const r2 = Number.isFinite(r) ? r * r : NaN;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of fx) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const sign = b < 0 ? '-' : '+';
  const equation = `OLS: y = ${m.toPrecision(4)}x ${sign} ${Math.abs(b).toPrecision(4)} (R² = ${r2.toFixed(3)})`;
  return {
    type: 'scatter',
    mode: 'lines',
    name: style.group === undefined ? equation : `${style.group} ${equation}`,
    x: [lo, hi],
    y: [m * lo + b, m * hi + b],
    line: { color: style.color, width: 2 },
    ...(style.group === undefined ? {} : { legendgroup: style.group }),
    meta: { slope: m, intercept: b, r2, n: fx.length, ...(style.group === undefined ? {} : { group: style.group }) },
  };
}

// ---------------------------------------------------------------------------------------------
// Line

/** Options of {@link lineChart}. */
export interface LineOptions {
  /** The x column: dates (ISO text), or numbers (e.g. a year); rows are sorted by it. */
  x: string;
  /** One numeric column, or several (one line each). */
  y: string | string[];
  /** Most points per line (Largest-Triangle-Three-Buckets beyond it); default {@link DEFAULT_MAX_POINTS}. */
  maxPoints?: number;
  /** Chart title; default `y over x`. */
  title?: string;
}


/**
 * A line chart of one or more numeric columns over a date/time (or numeric) column, rows sorted
 * by x (stable: ties keep their row order). Rows without x are left out; a missing y leaves a gap
 * (unless the line is downsampled, which keeps only points with values). ±Infinity is left out
 * (an infinite x drops the row, an infinite y leaves a gap), counted in the title. Date/times that
 * mix time zones are drawn in UTC, said in the title (Plotly ignores zones: see {@link unifyZones}).
 *
 * @throws {StratumError} `DATA_INVALID` naming a missing column, a text/boolean x column or a non-numeric y column.
 * @example
 * lineChart(stocks, { x: 'date', y: 'price' })
 */
export function lineChart(input: TabularInput, options: LineOptions): PlotlyFigure {
  const table = toDataTable(input);
  const chart = 'a line chart';
  const xc = column(table, options.x, chart);
  if (xc.kind !== 'date' && !isNumericKind(xc.kind)) {
    throw new StratumError('DATA_INVALID', `column '${options.x}' is ${KIND_WORDS[xc.kind]}; ${chart} needs a date/time or numeric x column`, {
      detail: { field: options.x, kind: xc.kind },
      hint: 'Dates must be ISO text (YYYY-MM-DD, optionally with a time) to be recognized.',
    });
  }
  const yNames = Array.isArray(options.y) ? options.y : [options.y];
  if (yNames.length === 0) throw new StratumError('DATA_INVALID', `${chart} needs at least one y column`, { detail: { field: 'y' } });
  const ycs = yNames.map((name) => numbers(numericColumn(table, name, chart)));
  const maxPoints = checkPositiveInteger(options.maxPoints ?? DEFAULT_MAX_POINTS, 'maxPoints');
  const keys = new Float64Array(table.rowCount);
  const rows: number[] = [];
  let infiniteX = 0;
  for (let i = 0; i < table.rowCount; i++) {
    const v = xc.values[i];
    if (v === null || v === undefined) continue;
    const k = typeof v === 'number' ? v : timestampMillis(String(v)); // naive: UTC wall time
    if (Number.isNaN(k)) continue;
    if (!Number.isFinite(k)) {
      infiniteX++;
      continue;
    }
    keys[i] = k;
    rows.push(i);
  }
  let ordered = true;
  for (let k = 1; k < rows.length && ordered; k++) ordered = keys[rows[k - 1]!]! <= keys[rows[k]!]!;
  if (!ordered) rows.sort((a, b) => keys[a]! - keys[b]! || a - b); // stable: ties keep row order
  const notes: string[] = [];
  if (rows.length + infiniteX < table.rowCount) notes.push(`${rowsText(table.rowCount - rows.length - infiniteX)} without ${options.x} left out`);
  if (infiniteX > 0) notes.push(infiniteText(infiniteX, options.x));
  yNames.forEach((name, s) => {
    const infinite = countInfinite(ycs[s]!);
    if (infinite > 0) notes.push(`${infiniteText(infinite, name)} (gaps)`);
  });
  const zoned = xc.kind === 'date' ? unifyZones(xc.values, rows, keys) : undefined;
  if (zoned !== undefined) notes.push(`${options.x} mixes time zones (${zoned.zones.join(', ')}): drawn in UTC`);
  const xOf = (i: number): unknown => zoned?.text.get(i) ?? xc.values[i];
  let downsampled = false;
  const data = yNames.map((name, s) => {
    const ys = ycs[s]!;
    let order = rows;
    if (rows.length > maxPoints) {
      const present = rows.filter((i) => Number.isFinite(ys[i]));
      const kept = lttbIndexes(Float64Array.from(present, (i) => keys[i]!), Float64Array.from(present, (i) => ys[i]!), maxPoints);
      order = Array.from(kept, (k) => present[k]!);
      downsampled ||= order.length < present.length;
    }
    return { type: 'scatter', mode: 'lines', name, x: order.map(xOf), y: order.map((i) => (Number.isFinite(ys[i]) ? ys[i]! : null)) };
  });
  if (downsampled) notes.push(`each line downsampled to ${fmt(maxPoints)} points (LTTB)`);
  return {
    data,
    layout: {
      title: titleOf(options.title ?? `${yNames.join(', ')} over ${options.x}`, notes),
      xaxis: { title: { text: options.x }, ...(xc.kind === 'date' ? { type: 'date' } : {}) },
      yaxis: { title: { text: yNames.length === 1 ? yNames[0] : 'value' } },
      ...(notes.length > 0 ? { margin: NOTED_MARGIN } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Box

/** Options of {@link boxChart}. */
export interface BoxOptions {
  /** Numeric column whose distribution is drawn. */
  y: string;
  /** Optional column splitting the rows into one box per value (the most frequent `maxGroups`, the rest as "other"). */
  by?: string;
  /** Boxes kept before "other"; default 20. */
  maxGroups?: number;
  /** Outlier points drawn at most (a seeded sample beyond it); default 1,000. */
  maxOutliers?: number;
  /** Chart title; default `y` or `y by group`. */
  title?: string;
}

/** Box statistics of one group, as Plotly computes them with `quartilemethod: 'linear'` (its default). */
export interface BoxStats {
  /** Group name (the y column's name when ungrouped). */
  name: string;
  /** Number of values (missing ones excluded). */
  n: number;
  /** First quartile. */
  q1: number;
  /** Median. */
  median: number;
  /** Third quartile. */
  q3: number;
  /** Lowest value at or above q1 - 1.5 IQR (never above q1). */
  lowerfence: number;
  /** Highest value at or below q3 + 1.5 IQR (never below q3). */
  upperfence: number;
  /** Arithmetic mean. */
  mean: number;
  /** Values outside the fences. */
  outliers: number;
}

/**
 * Quantile of sorted values as plotly.js computes it (`Lib.interp` in src/lib/stats.js, the
 * "linear" quartile method: rank p·n - 0.5, clipped to the ends, linear interpolation between
 * neighbours; method 5 of Hyndman & Fan / Langford's #10).
 */
export function plotlyQuantile(sorted: ArrayLike<number>, p: number): number {
  const h = p * sorted.length - 0.5;
  if (h < 0) return sorted[0]!;
  if (h > sorted.length - 1) return sorted[sorted.length - 1]!;
  const frac = h % 1;
  return frac * sorted[Math.ceil(h)]! + (1 - frac) * sorted[Math.floor(h)]!;
}

/** Box statistics of sorted values, with plotly.js's quartiles and fences (src/traces/box/calc.js). */
export function boxStats(name: string, sorted: Float64Array): BoxStats {
  const n = sorted.length;
  const q1 = plotlyQuantile(sorted, 0.25);
  const q3 = plotlyQuantile(sorted, 0.75);
  const lowLimit = q1 - 1.5 * (q3 - q1);
  const highLimit = q3 + 1.5 * (q3 - q1);
  let lowerfence = q1;
  for (let i = 0; i < n; i++) {
    if (sorted[i]! >= lowLimit) {
      lowerfence = Math.min(q1, sorted[i]!);
      break;
    }
  }
  let upperfence = q3;
  for (let i = n - 1; i >= 0; i--) {
    if (sorted[i]! <= highLimit) {
      upperfence = Math.max(q3, sorted[i]!);
      break;
    }
  }
  let sum = 0;
  let outliers = 0;
  for (let i = 0; i < n; i++) {
    sum += sorted[i]!;
    if (sorted[i]! < lowerfence || sorted[i]! > upperfence) outliers++;
  }
  return { name, n, q1, median: plotlyQuantile(sorted, 0.5), q3, lowerfence, upperfence, mean: sum / n, outliers };
}

/**
 * Box statistics of a numeric column, overall or per group of another column; the statistics are
 * computed here (every row) and handed to Plotly precomputed, so a million rows cost no more in
 * the browser than ten. Groups without values are left out.
 *
 * @throws {StratumError} `DATA_INVALID` naming a missing column or a non-numeric `y`.
 */
export function boxStatistics(input: TabularInput, options: BoxOptions): BoxStats[] {
  return boxData(toDataTable(input), options).stats;
}

function boxData(table: DataTable, options: BoxOptions): { stats: BoxStats[]; sorted: Float64Array[]; infinite: number } {
  const chart = 'a box plot';
  const ys = numbers(numericColumn(table, options.y, chart));
  const byColumn = options.by === undefined ? undefined : column(table, options.by, chart);
  const groups = byColumn === undefined ? { names: [options.y], rowGroup: new Int32Array(table.rowCount) } : topGroups(byColumn, checkPositiveInteger(options.maxGroups ?? 20, 'maxGroups'));
  const buckets: number[][] = groups.names.map(() => []);
  for (let i = 0; i < table.rowCount; i++) if (Number.isFinite(ys[i])) buckets[groups.rowGroup[i]!]!.push(ys[i]!);
  const infinite = countInfinite(ys);
  const stats: BoxStats[] = [];
  const sorted: Float64Array[] = [];
  groups.names.forEach((name, g) => {
    if (buckets[g]!.length === 0) return;
    const values = Float64Array.from(buckets[g]!).sort();
    stats.push(boxStats(name, values));
    sorted.push(values);
  });
  return { stats, sorted, infinite };
}

/**
 * A box plot of a numeric column, optionally one box per value of another column: quartiles,
 * median and whisker fences as Plotly's default (`linear`) method computes them (see
 * {@link boxStats}), the mean as a dashed line, and the points outside the fences as markers.
 *
 * @throws {StratumError} `DATA_INVALID` naming a missing column or a non-numeric `y`
 *   ("column 'weather' is text; a box plot needs a numeric column").
 * @example
 * boxChart(weather, { y: 'temp_max', by: 'weather' })
 */
export function boxChart(input: TabularInput, options: BoxOptions): PlotlyFigure {
  const table = toDataTable(input);
  const { stats, sorted, infinite } = boxData(table, options);
  const maxOutliers = checkPositiveInteger(options.maxOutliers ?? 1000, 'maxOutliers');
  const outX: string[] = [];
  const outY: number[] = [];
  stats.forEach((s, g) => {
    for (const v of sorted[g]!) {
      if (v < s.lowerfence || v > s.upperfence) {
        outX.push(s.name);
        outY.push(v);
      }
    }
  });
  const keep = sampleIndexes(Int32Array.from(outY, (_, i) => i), maxOutliers, DEFAULT_CHART_SEED);
  const notes = keep.length < outY.length ? [`random sample of ${fmt(keep.length)} of ${fmt(outY.length)} outliers shown`] : [];
  if (infinite > 0) notes.push(infiniteText(infinite, options.y));
  const pick = <T>(a: T[]): T[] => Array.from(keep, (i) => a[i]!);
  const data: Array<Record<string, unknown>> = [{
    type: 'box',
    name: options.y,
    x: stats.map((s) => s.name),
    q1: stats.map((s) => s.q1),
    median: stats.map((s) => s.median),
    q3: stats.map((s) => s.q3),
    lowerfence: stats.map((s) => s.lowerfence),
    upperfence: stats.map((s) => s.upperfence),
    mean: stats.map((s) => s.mean),
    boxmean: true,
    boxpoints: false,
    customdata: stats.map((s) => s.n),
    showlegend: false,
  }];
  if (outY.length > 0) data.push({ type: 'scatter', mode: 'markers', name: 'outliers', x: pick(outX), y: pick(outY), marker: { size: 4, opacity: 0.6 }, showlegend: false });
  return {
    data,
    layout: {
      title: titleOf(options.title ?? (options.by === undefined ? `Distribution of ${options.y}` : `${options.y} by ${options.by}`), notes),
      xaxis: { type: 'category', automargin: true, ...(options.by === undefined ? {} : { title: { text: options.by } }) },
      yaxis: { title: { text: options.y } },
      ...(notes.length > 0 ? { margin: NOTED_MARGIN } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Bar of counts

/** Options of {@link barChart}. */
export interface BarOptions {
  /** Column whose values are counted (any kind; numbers are counted as distinct values). */
  column: string;
  /** Bars kept (most frequent first, ties in order of first appearance); the rest are summed in one "other" bar; default 20. */
  top?: number;
  /** Chart title; default `Counts of column`. */
  title?: string;
}

/**
 * Counts of each value of a column, most frequent first (pandas `value_counts()` order: by count,
 * ties here in order of first appearance), the `top` first as bars and the rest summed in one
 * "other" bar. Missing values are not counted (pandas' default `dropna=True`); the title says how
 * many there are.
 *
 * @returns the figure; its bar trace's `x` are the values as text, `y` the counts
 * @throws {StratumError} `DATA_INVALID` when the column does not exist.
 * @example
 * barChart(weather, { column: 'weather', top: 3 })
 */
export function barChart(input: TabularInput, options: BarOptions): PlotlyFigure {
  const table = toDataTable(input);
  const c = column(table, options.column, 'a bar chart');
  const top = checkPositiveInteger(options.top ?? 20, 'top');
  const groups = topGroups(c, top);
  const bars = groups.names.length - (groups.hasMissing ? 1 : 0);
  const notes: string[] = [];
  if (groups.otherValues > 0) notes.push(`"${OTHER_LABEL}" sums ${fmt(groups.otherValues)} less frequent values`);
  if (c.missing > 0) notes.push(`${fmt(c.missing)} missing value${c.missing === 1 ? '' : 's'} not counted`);
  const x = groups.names.slice(0, bars);
  return {
    data: [{ type: 'bar', name: options.column, x, y: groups.counts.slice(0, bars) }],
    layout: {
      title: titleOf(options.title ?? `Counts of ${options.column}`, notes),
      xaxis: { type: 'category', title: { text: options.column }, automargin: true },
      yaxis: { title: { text: 'count' } },
      ...(notes.length > 0 ? { margin: NOTED_MARGIN } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Correlation

/**
 * Columns a correlation heatmap shows by default (the first ones of the matrix, in table order),
 * as the profile's heatmap: 171 numeric columns made a 6,276 px tall chart of 29,241 cells.
 */
export const CORRELATION_CHART_COLUMNS = 30;

/** Options of {@link correlationMatrix} and {@link correlationChart}. */
export interface CorrelationOptions {
  /** Numeric columns to correlate; default every numeric column. */
  columns?: string[];
  /** Chart title; default `Pearson correlation`. */
  title?: string;
  /**
   * Columns the heatmap shows at most (the first ones, in table or `columns` order; the title says
   * so when it cuts); default {@link CORRELATION_CHART_COLUMNS}. The matrix itself keeps every pair.
   */
  maxColumns?: number;
}

/** A correlation matrix: `r[i][j]` between `columns[i]` and `columns[j]`, over `n[i][j]` rows. */
export interface CorrelationMatrix {
  /** Column names, in order. */
  columns: string[];
  /** Pearson r; `null` where it is undefined (fewer than 2 complete rows, or a constant column). */
  r: Array<Array<number | null>>;
  /** Number of rows where both columns have a value (pairwise-complete). */
  n: number[][];
}

/**
 * Pearson correlation of every pair of numeric columns over the rows where both have a value
 * (pairwise-complete, like pandas `DataFrame.corr()`, `min_periods=1`): two passes per pair
 * (means of the complete rows, then sums of products of deviations, as pandas' `nancorr`), so
 * r is exact to rounding. r is `null` (pandas NaN) with fewer than 2 complete rows or zero
 * variance; the diagonal is 1 for any column with variance.
 *
 * @throws {StratumError} `DATA_INVALID` naming a missing or non-numeric column, or when there are fewer than 2 numeric columns.
 */
export function correlationMatrix(input: TabularInput, options: CorrelationOptions = {}): CorrelationMatrix {
  const table = toDataTable(input);
  const chart = 'a correlation heatmap';
  const chosen = options.columns === undefined ? table.columns.filter((c) => isNumericKind(c.kind)) : options.columns.map((name) => numericColumn(table, name, chart));
  if (chosen.length < 2) {
    throw new StratumError('DATA_INVALID', `${chart} needs at least 2 numeric columns; ${options.columns === undefined ? 'the data has' : 'got'} ${chosen.length}${chosen.length > 0 ? ` (${chosen.map((c) => c.name).join(', ')})` : ''}`, {
      detail: { field: 'columns' },
      hint: 'Correlations are computed between numeric columns only.',
    });
  }
  const values = chosen.map(numbers);
  const k = chosen.length;
  // Columns without missing values: centred once, so each of their pairs is one pass (same
  // means as the pairwise computation, since every row is complete).
  const centred = values.map((v, c) => (chosen[c]!.missing === 0 && allFinite(v) ? centre(v) : undefined));
  const r: Array<Array<number | null>> = Array.from({ length: k }, () => new Array<number | null>(k).fill(null));
  const n: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      const ca = centred[a];
      const cb = centred[b];
      const { r: rab, n: nab } = ca !== undefined && cb !== undefined ? pearsonCentred(ca, cb) : pearson(values[a]!, values[b]!);
      r[a]![b] = r[b]![a] = rab;
      n[a]![b] = n[b]![a] = nab;
    }
  }
  return { columns: chosen.map((c) => c.name), r, n };
}

function allFinite(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/** Deviations from the mean and their sum of squares (two-pass). */
function centre(x: Float64Array): { d: Float64Array; ss: number } {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]!;
  const m = sum / x.length;
  const d = new Float64Array(x.length);
  let ss = 0;
  for (let i = 0; i < x.length; i++) {
    d[i] = x[i]! - m;
    ss += d[i]! * d[i]!;
  }
  return { d, ss };
}

function pearsonCentred(a: { d: Float64Array; ss: number }, b: { d: Float64Array; ss: number }): { r: number | null; n: number } {
  const n = a.d.length;
  if (n < 2) return { r: null, n };
  let sxy = 0;
  for (let i = 0; i < n; i++) sxy += a.d[i]! * b.d[i]!;
  const den = Math.sqrt(a.ss * b.ss);
  return { r: den === 0 ? null : Math.max(-1, Math.min(1, sxy / den)), n };
}

function pearson(x: Float64Array, y: Float64Array): { r: number | null; n: number } {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (a === a && b === b) {
      n++;
      sx += a;
      sy += b;
    }
  }
  if (n < 2) return { r: null, n };
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (a === a && b === b) {
      const dx = a - mx;
      const dy = b - my;
      sxx += dx * dx;
      syy += dy * dy;
      sxy += dx * dy;
    }
  }
  const d = Math.sqrt(sxx * syy);
  if (d === 0) return { r: null, n };
  return { r: Math.max(-1, Math.min(1, sxy / d)), n };
}

/** Diverging colour scale of the heatmap: blue (-1), near-white (0), red (+1) (the endpoints of Moreland's "cool to warm"). */
const CORRELATION_COLORS = [[0, '#3b4cc0'], [0.5, '#f2f2f2'], [1, '#b40426']];

/**
 * An annotated heatmap of the Pearson correlations between numeric columns (see
 * {@link correlationMatrix}): colour from -1 to 1, each cell labelled with r to 2 decimals
 * (blank where r is undefined), the hover shows r and the number of rows it used.
 *
 * @throws {StratumError} as {@link correlationMatrix}.
 * @example
 * correlationChart(cars)
 */
export function correlationChart(input: TabularInput, options: CorrelationOptions = {}): PlotlyFigure {
  return correlationFigure(correlationMatrix(input, options), options);
}

/**
 * The heatmap of {@link correlationChart} from a computed matrix: its first `maxColumns` columns
 * (default {@link CORRELATION_CHART_COLUMNS}), with a note under the title when it leaves some out.
 *
 * @param options - the chart title, or {@link CorrelationOptions} (`title`, `maxColumns`)
 * @throws {StratumError} `DATA_INVALID` when `maxColumns` is not a whole number of at least 2.
 */
export function correlationFigure(m: CorrelationMatrix, options: string | CorrelationOptions = {}): PlotlyFigure {
  const { title, maxColumns = CORRELATION_CHART_COLUMNS } = typeof options === 'string' ? { title: options } : options;
  if (!Number.isInteger(maxColumns) || maxColumns < 2) {
    throw new StratumError('DATA_INVALID', `maxColumns must be a whole number of at least 2, got ${String(maxColumns)}`, { detail: { field: 'maxColumns' }, hint: `Leave it out for the first ${CORRELATION_CHART_COLUMNS} columns, or raise it (e.g. maxColumns: 60).` });
  }
  if (m.columns.length <= maxColumns) return heatmap(m, title ?? 'Pearson correlation');
  const k = maxColumns;
  const first = { columns: m.columns.slice(0, k), r: m.r.slice(0, k).map((row) => row.slice(0, k)), n: m.n.slice(0, k).map((row) => row.slice(0, k)) };
  const figure = heatmap(first, title ?? 'Pearson correlation');
  const note = `first ${k} of ${m.columns.length} columns; maxColumns: ${m.columns.length} shows all, columns: [...] picks others`;
  return { ...figure, layout: { ...figure.layout, title: { text: `${title ?? 'Pearson correlation'}<br><sup>${note}</sup>` }, margin: { t: 64 } } };
}

function heatmap(m: CorrelationMatrix, title: string): PlotlyFigure {
  return {
    data: [{
      type: 'heatmap',
      x: m.columns,
      y: m.columns,
      z: m.r,
      zmin: -1,
      zmax: 1,
      colorscale: CORRELATION_COLORS,
      text: m.r.map((row) => row.map((v) => (v === null ? '' : v.toFixed(2)))),
      texttemplate: '%{text}',
      customdata: m.n,
      hovertemplate: '%{y} / %{x}: r = %{z:.3f} (n = %{customdata})<extra></extra>',
      colorbar: { title: { text: 'r' } },
    }],
    layout: {
      title: { text: title },
      xaxis: { type: 'category', tickangle: -30, automargin: true },
      yaxis: { type: 'category', autorange: 'reversed', automargin: true },
      height: Math.max(320, 120 + 36 * m.columns.length),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Profile charts

/** Options of {@link profileHistograms}. */
export interface ProfileChartOptions {
  /** Panels at most (columns in table order); default 24. */
  maxPanels?: number;
  /** Panels per row; default 3. */
  perRow?: number;
  /** Non-numeric columns with more distinct values than this get no panel (identifiers, free text); default 50. */
  maxDistinct?: number;
}

/**
 * Small multiples of a profile: one panel per column, in table order — the histogram of each
 * numeric column (the profile's own bins) and the most frequent values of each boolean or text
 * column with at most `maxDistinct` distinct values — in one figure (a Plotly subplot grid).
 *
 * @returns the figure, or `undefined` when no column gets a panel
 */
export function profileHistograms(profile: DataProfile, options: ProfileChartOptions = {}): PlotlyFigure | undefined {
  const maxDistinct = options.maxDistinct ?? 50;
  const panels = profile.columns
    .filter((c) => (c.histogram !== undefined && c.count > 0) || ((c.kind === 'string' || c.kind === 'boolean') && c.top !== undefined && c.top.length > 0 && c.distinct <= maxDistinct))
    .slice(0, options.maxPanels ?? 24);
  if (panels.length === 0) return undefined;
  const perRow = Math.min(options.perRow ?? 3, panels.length);
  const rows = Math.ceil(panels.length / perRow);
  const data: Array<Record<string, unknown>> = [];
  const annotations: Array<Record<string, unknown>> = [];
  const layout: Record<string, unknown> = {};
  panels.forEach((c, i) => {
    const suffix = i === 0 ? '' : String(i + 1);
    const axes = { xaxis: `x${suffix}`, yaxis: `y${suffix}` };
    if (c.histogram !== undefined) {
      const { edges, counts } = c.histogram;
      data.push({
        type: 'bar', name: c.name, ...axes,
        x: counts.map((_, b) => (edges[b]! + edges[b + 1]!) / 2),
        y: counts,
        width: counts.map((_, b) => edges[b + 1]! - edges[b]!),
        customdata: counts.map((_, b) => [edges[b]!, edges[b + 1]!]),
        hovertemplate: '[%{customdata[0]}, %{customdata[1]}): %{y}<extra></extra>',
        showlegend: false,
      });
    } else {
      const top = c.top ?? [];
      data.push({ type: 'bar', name: c.name, ...axes, x: top.map((t) => String(t.value)), y: top.map((t) => t.count), showlegend: false });
      layout[`xaxis${suffix}`] = { type: 'category' };
    }
    annotations.push({ text: `<b>${c.name}</b>${c.missing > 0 ? ` (${fmt(c.missing)} missing)` : ''}${c.infinite ? ` (${fmt(c.infinite)} infinite left out)` : ''}`, xref: `x${suffix} domain`, yref: `y${suffix} domain`, x: 0.5, y: 1, xanchor: 'center', yanchor: 'bottom', showarrow: false, font: { size: 11 } });
  });
  return {
    data,
    layout: {
      ...layout,
      title: { text: `Distributions (${panels.length} of ${profile.columns.length} columns)` },
      grid: { rows, columns: perRow, pattern: 'independent', xgap: 0.12, ygap: 0.35 },
      annotations,
      bargap: 0.05,
      height: 90 + 190 * rows,
      margin: { l: 50, r: 20, t: 60, b: 30 },
    },
  };
}
