/**
 * Column profiles of a {@link DataTable} (like pandas `DataFrame.describe(include='all')` plus
 * missing counts, distinct counts, histograms and Pearson correlations), as data, as a
 * {@link TableData} and as a Plotly histogram.
 *
 * Speed (1M rows x 10 columns in about half a second): numeric columns are read from their
 * NaN-for-missing numbers (`columnNumberView`: the CSV reader's typed arrays — `Int32Array` for
 * int32 columns without missing values, else `Float64Array` — or the JS arrays shared with the
 * DataFrame) into a `Float64Array` kept between profiles (memory touched for the first time is
 * much of the cost at 1M rows; up to 4M values are kept, 17 MiB per 1M). Per numeric column: one
 * pass for count/min/max/mean, then a radix sort of the values (~3x faster than
 * `Float64Array#sort`, which an earlier version used; a hash set for the distinct count plus
 * selection for the quartiles was slower) that also counts the distinct values, then one pass for
 * the sample std over the sorted values and binary searches for the histogram. Integers of small
 * range are counted instead of sorted (O(n + range)). Every loop is run on a few values before
 * the real columns (see `primeLoops`). The tests check the results against a comparison sort and
 * pandas on vega-datasets files.
 *
 * Tables with at least {@link SORT_WORKER_MIN_VALUES} numeric values sort on a second core: the
 * order-based statistics (`sortedColumnStats`, or `countedColumnStats` for small-range integers:
 * distinct count, quartiles, histogram counts, sum of squares) run in a worker thread started
 * once per process (core/data/profile-sort-worker.ts) while this thread copies the next columns
 * out of polars and gathers them into shared slots, profiles text columns and computes the
 * correlations; when it would
 * otherwise wait it sorts a posted column itself. `profileTable` stays synchronous (`Atomics`),
 * the results are the same bits as in one thread, and a worker that cannot start or fails only
 * sends the work back to this thread. Measured (docs/benchmarks.md, 1M x 10): the main thread's
 * time drops from ~0.73 to ~0.47 s for a first profile and from ~0.43 to ~0.21 s for the next,
 * which pays when a core is free; with every core busy, waiting for a descheduled worker cost more
 * than it saved, so the worker is used only below a load average of cores + 0.5 (the load average
 * counts this busy process itself: at 2.1 on 2 cores, with one free core, the worker took the
 * first profile from 0.78-0.93 s to 0.61-0.63 s and the next from 0.43-0.54 s to 0.22-0.27 s; at
 * 4-5 it was slower than one thread).
 */
import { availableParallelism, loadavg } from 'node:os';
import { StratumError } from '../errors.ts';
import { columnCodes, columnLength, columnNumberView, numericColumn } from './columns.ts';
import type { ColumnKind, DataColumn, DataTable } from './columns.ts';
import { binEdges, countedColumnStats, RESULT_HEAD, sharedSortWorker, sortedColumnStats } from './profile-sort-worker.ts';
import type { SortSession, SortWorker } from './profile-sort-worker.ts';
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
  /** Number of distinct non-missing values, exact (pandas `nunique`; `0` and `-0` are one value). */
  distinct: number;
  /** Smallest value (numeric columns with count > 0). */
  min?: number;
  /** Largest value (numeric columns with count > 0). */
  max?: number;
  /** Arithmetic mean, compensated (Kahan-Babuska) summation (numeric columns). */
  mean?: number;
  /** Sample standard deviation, ddof = 1 as pandas `describe`; NaN when count < 2 (numeric columns). */
  std?: number;
  /** Quartiles with linear interpolation between order statistics (numpy/pandas default, R type 7) (numeric columns). */
  q25?: number;
  /** Median, as {@link ColumnProfile.q25}. */
  q50?: number;
  /** Third quartile, as {@link ColumnProfile.q25}. */
  q75?: number;
  /**
   * Equal-width histogram of the values (numeric columns); of the finite values only when the
   * column holds ±Infinity (counted in {@link ColumnProfile.infinite}), absent when none is finite.
   */
  histogram?: Histogram;
  /** Number of ±Infinity values (numeric columns holding any; they count in min/max/mean/std and the quartiles as in pandas). */
  infinite?: number;
  /** Most frequent values with their counts, most frequent first, ties in order of first appearance (non-numeric columns). */
  top?: Array<{ value: string | boolean; count: number }>;
  /** The column's note from the CSV connector, if any. */
  note?: string;
}

/**
 * Pearson correlations between numeric columns, pairwise-complete like pandas `DataFrame.corr()`
 * (`min_periods=1`): `r[i][j]` over the `n[i][j]` rows where both columns have a value; `null`
 * (pandas NaN) with fewer than 2 such rows or zero variance; the diagonal is 1 for a column with
 * variance. (Same shape as `CorrelationMatrix` of core/data/charts.ts.)
 */
export interface ProfileCorrelations {
  /** Numeric column names, in table order. */
  columns: string[];
  /** Pearson r, symmetric. */
  r: Array<Array<number | null>>;
  /** Pairwise-complete row counts. */
  n: number[][];
}

/** Profile of a whole table. */
export interface DataProfile {
  /** Number of rows. */
  rowCount: number;
  /** One profile per column, in table order. */
  columns: ColumnProfile[];
  /** Where the table came from, if known. */
  source?: string;
  /** Correlations of the numeric columns (2 to {@link ProfileOptions.maxCorrelationColumns} of them). */
  correlations?: ProfileCorrelations;
}

/** Options for {@link profileTable}. */
export interface ProfileOptions {
  /** Histogram bins for numeric columns; default 10 (numpy `histogram` default). */
  bins?: number;
  /** Most frequent values kept for non-numeric columns; default 10. */
  topValues?: number;
  /** Correlations are computed when the table has 2 to this many numeric columns; default 50 (0 turns them off). */
  maxCorrelationColumns?: number;
  /**
   * Where numeric columns are sorted (exact distinct count, quartiles, histogram): `'auto'`
   * (default) in the process's sort worker thread for tables with at least
   * {@link SORT_WORKER_MIN_VALUES} numeric values while a core is free (1-minute load average,
   * which counts this process too, below the number of cores + 0.5), else in this thread; `'always'` in the process's sort worker
   * whatever the size and load (benches); `'off'` always in this thread; a `SortWorker`
   * (core/data/profile-sort-worker.ts): in that worker, whatever the size. The results are the same.
   */
  sortWorker?: 'auto' | 'always' | 'off' | SortWorker;
}

/**
 * Present numeric values from which `profileTable` sorts in a worker thread by default: below it
 * sorting in the main thread costs less than handing the columns over (~50 ms per 1M values sorted,
 * ~50 ms to start the worker once).
 */
export const SORT_WORKER_MIN_VALUES = 200_000;

/**
 * Profiles every column of a table: count, missing, distinct (exact); for `integer`/`float`
 * columns min, max, mean, sample std (ddof = 1), quartiles (linear interpolation between order
 * statistics, = numpy/pandas default, R type 7) and an equal-width histogram (numpy `histogram`
 * binning); for other kinds the most frequent values; and the Pearson correlations of the numeric
 * columns (see {@link ProfileCorrelations}).
 *
 * @example
 * profileTable(parseCsv('x\n1\n2\n3\n4\n')).columns[0] // { mean: 2.5, std: 1.2909944..., q25: 1.75, ... }
 */
export function profileTable(table: DataTable, options: ProfileOptions = {}): DataProfile {
  const scratch = sharedScratch();
  const numeric = table.columns.filter(isNumeric);
  const worker = sortWorkerFor(numeric, options.sortWorker ?? 'auto');
  const session = worker?.begin(numeric.reduce((rows, c) => Math.max(rows, columnLength(c)), 0), options.bins ?? 10);
  try {
    primeLoops(scratch);
    const withCorrelations = numeric.length >= 2 && numeric.length <= (options.maxCorrelationColumns ?? 50);
    let columns: ColumnProfile[];
    let correlations: ProfileCorrelations | undefined;
    if (session === undefined) {
      columns = table.columns.map((column) => profileColumn(column, options, scratch));
      correlations = withCorrelations ? profileCorrelations(numeric) : undefined;
    } else {
      // The other work, done while the worker sorts.
      columns = new Array<ColumnProfile>(table.columns.length);
      const other: Array<() => void> = [];
      table.columns.forEach((column, i) => {
        if (!isNumeric(column)) other.push(() => (columns[i] = profileColumn(column, options, scratch)));
      });
      if (withCorrelations) other.push(() => (correlations = profileCorrelations(numeric)));
      profileWithWorker(table, options, scratch, session, columns, other);
    }
    table.columns.forEach((column, i) => {
      const c = columns[i]!;
      if (c.min === -Infinity || c.max === Infinity) columns[i] = { ...c, ...finiteHistogram(column, options.bins ?? 10) };
    });
    return {
      rowCount: table.rowCount,
      columns,
      ...(table.source === undefined ? {} : { source: table.source }),
      ...(correlations === undefined ? {} : { correlations }),
    };
  } finally {
    session?.end();
    scratch.trim();
  }
}

/**
 * The histogram of a numeric column's finite values (numpy `histogram` binning over their range),
 * its count of ±Infinity values and its mean and std as pandas gives them, for a column whose min or max is infinite (a histogram over an
 * infinite range has no finite edges; `numpy.histogram` raises "autodetected range of [1, inf] is
 * not finite"). A rare path: a plain sort.
 */
function finiteHistogram(column: DataColumn, bins: number): { histogram?: Histogram; infinite: number; mean: number; std: number } {
  const data = columnNumberView(column);
  const finite: number[] = [];
  let positive = 0;
  let negative = 0;
  for (let r = 0; r < data.length; r++) {
    const v = data[r]!;
    if (v === Infinity) positive++;
    else if (v === -Infinity) negative++;
    else if (!Number.isNaN(v)) finite.push(v);
  }
  const infinite = positive + negative;
  // As pandas/numpy: the mean is the infinity (NaN with both signs); the std is NaN (inf - inf). The
  // compensated sum would give NaN for both.
  const moments = { mean: positive > 0 && negative > 0 ? NaN : positive > 0 ? Infinity : -Infinity, std: NaN };
  if (finite.length === 0) return { infinite, ...moments };
  const sorted = Float64Array.from(finite).sort();
  const edges = binEdges(sorted[0]!, sorted[sorted.length - 1]!, bins);
  const counts = new Array<number>(edges.length - 1).fill(0);
  const last = counts.length - 1;
  let bin = 0; // values ascend, so their bins do too: bin b holds values >= edges[b] (the last also its right edge)
  for (const v of sorted) {
    while (bin < last && v >= edges[bin + 1]!) bin++;
    counts[bin]!++;
  }
  return { histogram: { edges, counts }, infinite, ...moments };
}

/** True for an `integer` or `float` column. */
function isNumeric(column: DataColumn): boolean {
  return column.kind === 'integer' || column.kind === 'float';
}

/** The sort worker a profile of these numeric columns uses, if any (see {@link ProfileOptions.sortWorker}). */
function sortWorkerFor(numeric: readonly DataColumn[], choice: NonNullable<ProfileOptions['sortWorker']>): SortWorker | undefined {
  if (choice === 'off') return undefined;
  if (choice === 'always') return sharedSortWorker();
  if (choice !== 'auto') return choice;
  const values = numeric.reduce((sum, c) => sum + columnLength(c) - c.missing, 0);
  // A second thread pays only on a free core: with every core busy (1-minute load average, as
  // `make -l`), waiting for a descheduled worker cost more than it saved (docs/benchmarks.md).
  return values >= SORT_WORKER_MIN_VALUES && loadavg()[0]! < availableParallelism() + 0.5 ? sharedSortWorker() : undefined;
}

/**
 * The numeric columns of `table` with a sort worker: each column's present values are gathered
 * into a free slot of the session (count, min, max, sum on the way) and handed to the worker to
 * sort (or count: integers of small range). When every slot holds a column, this thread
 * takes a finished one, else runs one of `other` (text columns, correlations), else sorts the
 * latest posted column itself (the worker takes the earliest); finally it collects the rest the
 * same way. A column the worker lost is profiled again in this thread. Fills `columns`.
 */
function profileWithWorker(table: DataTable, options: ProfileOptions, scratch: Scratch, session: SortSession, columns: ColumnProfile[], other: Array<() => void>): void {
  const bins = options.bins ?? 10;
  const pending = new Map<number, { index: number; column: DataColumn; summary: Summary; counted: boolean }>();
  const finish = (s: number): void => {
    const job = pending.get(s)!;
    pending.delete(s);
    const { n, min, max } = job.summary;
    const outcome = job.counted ? session.collect(s, scratch.words(0), scratch.counters(max - min + 1)) : session.collect(s, scratch.words(2 * n), scratch.counters(4 * 65536));
    columns[job.index] = { ...baseProfile(job.column), ...(outcome === 'sorted' ? statsOf(job.summary, bins, session.resultsOf(s)) : numericProfile(job.column, bins, scratch)) };
  };
  // A finished column, else the latest one nobody has started (sorted here), else the earliest (waited for).
  const finishOne = (): void => {
    const posted = [...pending.keys()].sort((a, b) => session.postOrder(a) - session.postOrder(b));
    finish(posted.find((s) => session.done(s)) ?? posted.filter((s) => session.waiting(s)).at(-1) ?? posted[0]!);
  };
  table.columns.forEach((column, index) => {
    if (!isNumeric(column)) return;
    let s = session.acquire();
    while (s === undefined && !session.failed) {
      if (pending.size > 0 && [...pending.keys()].some((t) => session.done(t))) finishOne();
      else if (other.length > 0) other.shift()!();
      else if (pending.size > 0) finishOne();
      s = session.acquire();
    }
    if (s === undefined) {
      columns[index] = profileColumn(column, options, scratch);
      return;
    }
    const data = columnNumberView(column);
    const x = session.values(s, data.length);
    const n = gather(data, x, scratch.stats);
    const summary: Summary = { n, min: scratch.stats[0]!, max: scratch.stats[1]!, mean: scratch.stats[2]! / n };
    if (n === 0) {
      columns[index] = { ...baseProfile(column), distinct: 0 };
      session.release(s);
      return;
    }
    const counted = isCounted(column, summary);
    session.post(s, { n, mean: summary.mean, min: summary.min, max: summary.max, bins, counted });
    pending.set(s, { index, column, summary, counted });
  });
  for (const run of other) run();
  while (pending.size > 0) finishOne();
}

/**
 * Values kept in the scratch buffers between profiles: 4M (32 MiB of doubles and 32 MiB of sort
 * words); a larger table's buffers are dropped after its profile.
 */
const KEPT_VALUES = 1 << 22;

/**
 * Buffers reused from column to column and from profile to profile: memory a process touches for
 * the first time costs more than the statistics computed in it (measured ~13 us per 4 KiB page on
 * the bench VM, ~3 ms per MiB: the scratch of a 1M-row profile is 17 MiB).
 */
class Scratch {
  private values = new Float64Array(0);
  private other = new Uint32Array(0);
  private counts = new Int32Array(0);
  private out = new Float64Array(0);
  /** min, max and compensated sum of the last {@link gatherFloat64}-like pass. */
  readonly stats = new Float64Array(3);

  /** A buffer for `n` values. */
  floats(n: number): Float64Array {
    if (this.values.length < n) this.values = new Float64Array(n);
    return this.values.subarray(0, n);
  }

  /** A buffer of `n` 32-bit words (the radix sort's second buffer). */
  words(n: number): Uint32Array {
    if (this.other.length < n) this.other = new Uint32Array(n);
    return this.other.subarray(0, n);
  }

  /** The results array of `sortedColumnStats` for `bins` bins. */
  results(bins: number): Float64Array {
    const size = RESULT_HEAD + Math.max(1, Math.floor(bins));
    if (this.out.length < size) this.out = new Float64Array(size);
    return this.out;
  }

  /** `range` zeroed counters. */
  counters(range: number): Int32Array {
    if (this.counts.length < range) this.counts = new Int32Array(range);
    else this.counts.fill(0, 0, range);
    return this.counts.subarray(0, range);
  }

  /** Drops buffers beyond {@link KEPT_VALUES} values (a larger table's). */
  trim(): void {
    if (this.values.length > KEPT_VALUES) this.values = new Float64Array(0);
    if (this.other.length > 2 * KEPT_VALUES) this.other = new Uint32Array(0);
    if (this.counts.length > 1 << 24) this.counts = new Int32Array(0);
  }
}

/**
 * Runs every statistics loop on a few hundred values of each array type, sign and magnitude before
 * the real columns: V8 compiles a long loop while it runs (on-stack replacement) with the type
 * feedback gathered so far, and code after a loop that has never run has none, so that compiled
 * code deoptimized at the loop's end on every call and the loop ran unoptimized for a while each
 * time, boxing every number (~30 MB of garbage per 1M-row column, a third of the profile's time).
 * (A few hundred values: V8 gives a function its feedback vector after some work or 8 calls.)
 * About a millisecond; done on every profile because V8 may drop the feedback of idle functions.
 */
function primeLoops(scratch: Scratch): void {
  const size = 384;
  const floats = Float64Array.from({ length: size }, (_, i) => [0.5, NaN, -1.5, 2 ** 40 + 0.25, -(2 ** 33), -0, 0, 1e300][i % 8]! * (1 + i / size));
  const columns = [
    numericColumn({ name: 'a', dtype: 'float32', kind: 'float', missing: size / 8 }, floats),
    // Sorted (wide range) and counted (small range); sums beyond small integers.
    numericColumn({ name: 'b', dtype: 'int32', kind: 'integer', missing: 0 }, Int32Array.from({ length: size }, (_, i) => (i % 2 === 0 ? 2 ** 31 - 1 - i : -(2 ** 31) + i))),
    numericColumn({ name: 'c', dtype: 'int32', kind: 'integer', missing: 0 }, Int32Array.from({ length: size }, (_, i) => 2 ** 31 - 1 - (i % 7))),
    numericColumn({ name: 'd', dtype: 'int32', kind: 'integer', missing: size / 8 }, Array.from({ length: size }, (_, i) => (i % 8 === 1 ? NaN : (i % 13) - 6))),
  ];
  for (let round = 0; round < PRIMING_ROUNDS; round++) {
    for (const column of columns) numericProfile(column, 10, scratch);
    profileCorrelations(columns);
    profileCorrelations(columns.slice(1, 3));
  }
}

/** Rounds of {@link primeLoops}. */
const PRIMING_ROUNDS = 2;

/** The one {@link Scratch} of the process (profiles run synchronously, one at a time). */
let scratchBuffers: Scratch | undefined;

function sharedScratch(): Scratch {
  scratchBuffers ??= new Scratch();
  return scratchBuffers;
}

function profileColumn(column: DataColumn, options: ProfileOptions, scratch: Scratch): ColumnProfile {
  const base = baseProfile(column);
  if (isNumeric(column)) return { ...base, ...numericProfile(column, options.bins ?? 10, scratch) };
  const { distinct, top } = topValues(column, options.topValues ?? 10);
  return { ...base, distinct, top };
}

/** Name, kind, count, missing and note of a column's profile. */
function baseProfile(column: DataColumn): Pick<ColumnProfile, 'name' | 'kind' | 'count' | 'missing' | 'note'> {
  const count = columnLength(column) - column.missing; // without building `values`
  return { name: column.name, kind: column.kind, count, missing: column.missing, ...(column.note === undefined ? {} : { note: column.note }) };
}

type NumericStats = Omit<ColumnProfile, 'name' | 'kind' | 'count' | 'missing' | 'note'>;

/** Statistics of a numeric column (see {@link profileTable}), in this thread. */
function numericProfile(column: DataColumn, bins: number, scratch: Scratch): NumericStats {
  const data = columnNumberView(column);
  const x = scratch.floats(data.length);
  const n = gather(data, x, scratch.stats);
  if (n === 0) return { distinct: 0 };
  const summary: Summary = { n, min: scratch.stats[0]!, max: scratch.stats[1]!, mean: scratch.stats[2]! / n };
  const values = x.subarray(0, n);
  const out = scratch.results(bins);
  if (isCounted(column, summary)) countedColumnStats(values, summary.mean, summary.min, summary.max, bins, scratch.counters(summary.max - summary.min + 1), out);
  else sortedColumnStats(values, summary.mean, summary.min, summary.max, bins, scratch.words(2 * n), scratch.counters(4 * 65536), out);
  return statsOf(summary, bins, out);
}

/** Count, min, max and mean of a numeric column's present values. */
interface Summary {
  n: number;
  min: number;
  max: number;
  mean: number;
}

/**
 * Copies the present values of a numeric column's numbers to `x` and writes their min, max and
 * compensated sum to `stats[0..2]`; returns their count. (Each pass over the values is its own
 * small function: one loop per function keeps V8's optimized code stable; long functions with
 * several loops deoptimized between them and boxed every number meanwhile. One function per array
 * type keeps each loop monomorphic.)
 */
function gather(data: ReturnType<typeof columnNumberView>, x: Float64Array, stats: Float64Array): number {
  return data instanceof Float64Array ? gatherFloat64(data, x, stats) : data instanceof Int32Array ? gatherInt32(data, x, stats) : gatherArray(data, x, stats);
}

/** True for an integer column of small range, whose order statistics come from counting each value instead of sorting (O(n + range)). */
function isCounted(column: DataColumn, { n, min, max }: Summary): boolean {
  const range = max - min + 1;
  return column.kind === 'integer' && range <= Math.max(4 * n, 65_536) && range <= 2 ** 24;
}

/** A numeric column's statistics from the results of `sortedColumnStats` or `countedColumnStats` (core/data/profile-sort-worker.ts). */
function statsOf({ n, min, max, mean }: Summary, bins: number, out: Float64Array): NumericStats {
  const edges = binEdges(min, max, bins);
  const std = n < 2 ? NaN : Math.sqrt(out[1]! / (n - 1));
  return { distinct: out[0]!, min, max, mean, std, q25: out[2]!, q50: out[3]!, q75: out[4]!, histogram: { edges, counts: Array.from(out.subarray(RESULT_HEAD, RESULT_HEAD + edges.length - 1)) } };
}

/**
 * Copies the present (non-NaN) values to `x`; returns their count and writes their min, max and
 * sum with Kahan-Babuska compensated summation (as simple-statistics `sum`) to `stats[0..2]`.
 * (Results go to a typed array, not a returned object: a loop's optimized code compiled before the
 * first call ended has no feedback for what follows the loop and deoptimized there on every call,
 * boxing ~9 MB of numbers per 1M-row column meanwhile.)
 */
function gatherFloat64(data: Float64Array, x: Float64Array, stats: Float64Array): number {
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let correction = 0;
  for (let r = 0; r < data.length; r++) {
    const v = data[r]!;
    if (v !== v) continue;
    x[n++] = v;
    if (v < min) min = v;
    if (v > max) max = v;
    const t = sum + v;
    correction += (sum >= 0 ? sum : -sum) >= (v >= 0 ? v : -v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  stats[0] = min;
  stats[1] = max;
  stats[2] = sum + correction;
  return n;
}

/** {@link gatherFloat64} of 32-bit integers (none missing). */
function gatherInt32(data: Int32Array, x: Float64Array, stats: Float64Array): number {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let correction = 0;
  for (let r = 0; r < data.length; r++) {
    const v = data[r]!;
    x[r] = v;
    if (v < min) min = v;
    if (v > max) max = v;
    const t = sum + v;
    correction += (sum >= 0 ? sum : -sum) >= (v >= 0 ? v : -v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  stats[0] = min;
  stats[1] = max;
  stats[2] = sum + correction;
  return data.length;
}

/** {@link gatherFloat64} of a JS array (Danfo's layout, NaN where missing). */
function gatherArray(data: readonly number[], x: Float64Array, stats: Float64Array): number {
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let correction = 0;
  for (let r = 0; r < data.length; r++) {
    const v = data[r]!;
    if (v !== v) continue;
    x[n++] = v;
    if (v < min) min = v;
    if (v > max) max = v;
    const t = sum + v;
    correction += (sum >= 0 ? sum : -sum) >= (v >= 0 ? v : -v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  stats[0] = min;
  stats[1] = max;
  stats[2] = sum + correction;
  return n;
}

/** Rows per dictionary code. */
function countCodes(codes: Int32Array, size: number): Float64Array {
  const counts = new Float64Array(size);
  for (let r = 0; r < codes.length; r++) counts[codes[r]!]!++;
  return counts;
}

/** Distinct count and the `k` most frequent values (ties: first appearance first) of a non-numeric column. */
function topValues(column: DataColumn, k: number): { distinct: number; top: Array<{ value: string | boolean; count: number }> } {
  const counts = new Map<string | boolean, number>();
  const coded = columnCodes(column);
  if (coded !== undefined) {
    // Count the codes, then the values (dictionary entries are in order of first appearance).
    const { codes, dictionary } = coded;
    const perCode = countCodes(codes, dictionary.length);
    dictionary.forEach((v, i) => {
      if (v === null || perCode[i] === 0) return;
      const key = typeof v === 'number' ? String(v) : v;
      counts.set(key, (counts.get(key) ?? 0) + perCode[i]!);
    });
  } else {
    for (const v of column.values) {
      if (v === null) continue;
      const key = typeof v === 'number' ? String(v) : v;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  // One pass keeping the k best in order (a stable sort by count, cut at k, without sorting all).
  const top: Array<{ value: string | boolean; count: number }> = [];
  if (k > 0) {
    for (const [value, count] of counts) {
      if (top.length === k && count <= top[k - 1]!.count) continue;
      let at = top.length;
      while (at > 0 && top[at - 1]!.count < count) at--;
      top.splice(at, 0, { value, count });
      if (top.length > k) top.pop();
    }
  }
  return { distinct: counts.size, top };
}

/**
 * Pairwise-complete Pearson correlations of numeric columns (see {@link ProfileCorrelations}):
 * per pair, the means of the rows where both have a value, then the sums of products of
 * deviations; equal to pandas' Welford updates to rounding. Columns without missing values share
 * their means and sums of squares across pairs, and their products are summed a block of rows at a
 * time (each column read once per block, not once per pair).
 */
export function profileCorrelations(columns: readonly DataColumn[]): ProfileCorrelations {
  const k = columns.length;
  // Float64Array, or Int32Array (an integer column without missing values, as the CSV reader keeps it).
  const data = columns.map((c) => numbersOf(c));
  const rows = data.length === 0 ? 0 : Math.min(...data.map((d) => d.length));
  const complete = columns.map((c) => c.missing === 0);
  // Columns without missing values, a block of rows at a time (each column read once per block
  // instead of once per pair): their plain (uncompensated) sums, as a pairwise computation over
  // complete rows would do, so shared values equal them; then the sums of squares and of products
  // of deviations. Sums run over the rows in order, so blocks change no result.
  const full = complete.flatMap((c, i) => (c ? [i] : []));
  const BLOCK = 2048;
  const block = full.map(() => new Float64Array(BLOCK));
  const sums = new Float64Array(full.length);
  for (let start = 0; start < rows; start += BLOCK) {
    const size = Math.min(BLOCK, rows - start);
    for (let j = 0; j < full.length; j++) {
      copyBlock(data[full[j]!]!, start, size, block[j]!);
      sums[j] = addUp(block[j]!, size, sums[j]!);
    }
  }
  const means = new Float64Array(k);
  full.forEach((i, j) => (means[i] = sums[j]! / rows));
  const squares = new Float64Array(k);
  const products = new Float64Array(k * k);
  for (let start = 0; start < rows; start += BLOCK) {
    const size = Math.min(BLOCK, rows - start);
    for (let j = 0; j < full.length; j++) {
      const i = full[j]!;
      copyBlock(data[i]!, start, size, block[j]!);
      squares[i] = centre(block[j]!, size, means[i]!, squares[i]!);
    }
    for (let ja = 0; ja < full.length; ja++) {
      for (let jb = ja + 1; jb < full.length; jb++) products[full[ja]! * k + full[jb]!]! += dot(block[ja]!, block[jb]!, size);
    }
  }
  const r: Array<Array<number | null>> = Array.from({ length: k }, () => new Array<number | null>(k).fill(null));
  const n: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      let count: number;
      let sxx: number;
      let syy: number;
      let sxy: number;
      if (complete[a] && complete[b]) {
        count = rows;
        sxx = squares[a]!;
        syy = squares[b]!;
        sxy = a === b ? sxx : products[a * k + b]!;
      } else {
        const pair = pairwise(data[a]!, data[b]!, rows);
        count = pair.count;
        sxx = pair.sxx;
        syy = pair.syy;
        sxy = pair.sxy;
      }
      const d = Math.sqrt(sxx * syy);
      const value = count < 2 || d === 0 ? null : a === b ? 1 : Math.max(-1, Math.min(1, sxy / d));
      r[a]![b] = r[b]![a] = value;
      n[a]![b] = n[b]![a] = count;
    }
  }
  return { columns: columns.map((c) => c.name), r, n };
}

/**
 * A numeric column's numbers as a typed array: the column's own `Float64Array` or `Int32Array`
 * (no missing values), else a `Float64Array` copy of its JS array.
 */
function numbersOf(column: DataColumn): Float64Array | Int32Array {
  const numbers = columnNumberView(column);
  return numbers instanceof Float64Array || numbers instanceof Int32Array ? numbers : new Float64Array(numbers);
}

/** Copies `size` numbers from row `start` to `out` (one function per array type: monomorphic loops). */
function copyBlock(d: Float64Array | Int32Array, start: number, size: number, out: Float64Array): void {
  if (d instanceof Float64Array) out.set(d.subarray(start, start + size));
  else copyInt32(d, start, size, out);
}

function copyInt32(d: Int32Array, start: number, size: number, out: Float64Array): void {
  for (let i = 0; i < size; i++) out[i] = d[start + i]!;
}

/** `sum` plus the first `size` values, added in order. */
function addUp(x: Float64Array, size: number, sum: number): number {
  let s = sum;
  for (let i = 0; i < size; i++) s += x[i]!;
  return s;
}

/** Subtracts `mean` from the first `size` values in place; returns `squares` plus their squared deviations, added in order. */
function centre(x: Float64Array, size: number, mean: number, squares: number): number {
  let ss = squares;
  for (let i = 0; i < size; i++) {
    const d = x[i]! - mean;
    x[i] = d;
    ss += d * d;
  }
  return ss;
}

/** Sum of `x[i] * y[i]` over the first `size` entries. */
function dot(x: Float64Array, y: Float64Array, size: number): number {
  let s = 0;
  for (let i = 0; i < size; i++) s += x[i]! * y[i]!;
  return s;
}

/** Count, sums of squares and of products of deviations over the rows where both have a value (two passes). */
function pairwise(x: Float64Array | Int32Array, y: Float64Array | Int32Array, rows: number): { count: number; sxx: number; syy: number; sxy: number } {
  let count = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < rows; i++) {
    const u = x[i]!;
    const v = y[i]!;
    if (u === u && v === v) {
      count++;
      sx += u;
      sy += v;
    }
  }
  const mx = sx / count;
  const my = sy / count;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < rows; i++) {
    const u = x[i]!;
    const v = y[i]!;
    if (u === u && v === v) {
      const dx = u - mx;
      const dy = v - my;
      sxx += dx * dx;
      syy += dy * dy;
      sxy += dx * dy;
    }
  }
  return { count, sxx, syy, sxy };
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
  // ±Infinity as text (JSON has no infinity: it would show blank), as pandas prints inf / -inf.
  const num = (x: number | undefined): TableCell => (x === undefined || Number.isNaN(x) ? null : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : x);
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
  const scratch = sharedScratch();
  let profile: ColumnProfile;
  try {
    primeLoops(scratch);
    profile = profileColumn(found, { bins: options.bins ?? 10, topValues: options.topValues ?? 20 }, scratch);
  } finally {
    scratch.trim();
  }
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
