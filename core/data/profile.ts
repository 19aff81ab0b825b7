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
 */
import { StratumError } from '../errors.ts';
import { columnCodes, columnLength, columnNumberView, numericColumn } from './columns.ts';
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
  /** Equal-width histogram of the values (numeric columns). */
  histogram?: Histogram;
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
}

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
  try {
    primeLoops(scratch);
    const columns = table.columns.map((column) => profileColumn(column, options, scratch));
    const numeric = table.columns.filter((c) => c.kind === 'integer' || c.kind === 'float');
    const correlations = numeric.length >= 2 && numeric.length <= (options.maxCorrelationColumns ?? 50) ? profileCorrelations(numeric) : undefined;
    return {
      rowCount: table.rowCount,
      columns,
      ...(table.source === undefined ? {} : { source: table.source }),
      ...(correlations === undefined ? {} : { correlations }),
    };
  } finally {
    scratch.trim();
  }
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
  const numeric = column.kind === 'integer' || column.kind === 'float';
  const count = columnLength(column) - column.missing; // without building `values`
  const base = { name: column.name, kind: column.kind, count, missing: column.missing, ...(column.note === undefined ? {} : { note: column.note }) };
  if (numeric) return { ...base, ...numericProfile(column, options.bins ?? 10, scratch) };
  const { distinct, top } = topValues(column, options.topValues ?? 10);
  return { ...base, distinct, top };
}

type NumericStats = Omit<ColumnProfile, 'name' | 'kind' | 'count' | 'missing' | 'note'>;

/** Statistics of a numeric column (see {@link profileTable}). */
function numericProfile(column: DataColumn, bins: number, scratch: Scratch): NumericStats {
  const data = columnNumberView(column);
  const x = scratch.floats(data.length);
  // (Each pass over the values is its own small function: one loop per function keeps V8's
  // optimized code stable; long functions with several loops deoptimized between them and boxed
  // every number meanwhile. One function per array type keeps each loop monomorphic.)
  const stats = scratch.stats;
  const n = data instanceof Float64Array ? gatherFloat64(data, x, stats) : data instanceof Int32Array ? gatherInt32(data, x, stats) : gatherArray(data, x, stats);
  if (n === 0) return { distinct: 0 };
  const min = stats[0]!;
  const max = stats[1]!;
  const values = x.subarray(0, n);
  const mean = stats[2]! / n;
  // Then the sum of squared deviations (two-pass sample std, as simple-statistics
  // `sampleStandardDeviation`), the histogram, the distinct count and the quartiles: integers of
  // small range by counting each value; others by sorting the values, then one pass over them.
  const edges = binEdges(min, max, bins);
  const counts = new Array<number>(edges.length - 1).fill(0);
  const range = max - min + 1;
  let order: { distinct: number; quantile: (p: number) => number };
  if (column.kind === 'integer' && range <= Math.max(4 * n, 65_536) && range <= 2 ** 24) {
    order = countedOrder(values, min, range, scratch, edges, counts);
  } else {
    const distinct = radixSort(values, scratch);
    // Bin b holds the values from the first one >= edges[b] (a binary search in the sorted values).
    let start = 0;
    for (let b = 0; b < counts.length; b++) {
      const end = b === counts.length - 1 ? n : lowerBound(values, edges[b + 1]!);
      counts[b] = end - start;
      start = end;
    }
    const at = new Map(quartileRanks(n).map((k) => [k, values[k]!]));
    order = { distinct, quantile: interpolated(n, at) };
  }
  const std = n < 2 ? NaN : Math.sqrt(sumOfSquares(values, mean) / (n - 1));
  const { distinct, quantile } = order;
  return { distinct, min, max, mean, std, q25: quantile(0.25), q50: quantile(0.5), q75: quantile(0.75), histogram: { edges, counts } };
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

/** Sum of squared deviations from `mean`. */
function sumOfSquares(values: Float64Array, mean: number): number {
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - mean;
    ss += d * d;
  }
  return ss;
}

/** Ranks (0-based) of the order statistics that the linear-interpolation quartiles of `n` values read. */
function quartileRanks(n: number): number[] {
  const ranks = [0.25, 0.5, 0.75].flatMap((p) => {
    const h = (n - 1) * p;
    return [Math.floor(h), Math.min(Math.floor(h) + 1, n - 1)];
  });
  return [...new Set(ranks)].sort((a, b) => a - b);
}

/** Linear interpolation between order statistics (numpy's default, R type 7), given them by rank. */
function interpolated(n: number, at: ReadonlyMap<number, number>): (p: number) => number {
  return (p) => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const a = at.get(lo)!;
    const b = at.get(Math.min(lo + 1, n - 1))!;
    return a + (h - lo) * (b - a);
  };
}

/**
 * Distinct count and quartiles of integers in [min, min + range) by counting each value:
 * O(n + range); adds each value's count to its histogram bin (`bins`, over `edges`).
 */
function countedOrder(values: Float64Array, min: number, range: number, scratch: Scratch, edges: readonly number[], bins: number[]): { distinct: number; quantile: (p: number) => number } {
  const counts = countValues(values, min, scratch.counters(range));
  const ranks = quartileRanks(values.length);
  const at = new Map<number, number>();
  let distinct = 0;
  let seen = 0;
  let w = 0;
  let bin = 0; // values ascend, so their bins do too: bin b holds values >= edges[b]
  const last = bins.length - 1;
  for (let k = 0; k < range; k++) {
    const c = counts[k]!;
    if (c === 0) continue;
    distinct++;
    seen += c;
    const v = min + k;
    while (bin < last && v >= edges[bin + 1]!) bin++;
    bins[bin]! += c;
    while (w < ranks.length && ranks[w]! < seen) at.set(ranks[w++]!, v);
  }
  return { distinct, quantile: interpolated(values.length, at) };
}

/** Adds one to `counts[v - min]` for each value. */
function countValues(values: Float64Array, min: number, counts: Int32Array): Int32Array {
  for (let i = 0; i < values.length; i++) counts[values[i]! - min]!++;
  return counts;
}

/** Rows per dictionary code. */
function countCodes(codes: Int32Array, size: number): Float64Array {
  const counts = new Float64Array(size);
  for (let r = 0; r < codes.length; r++) counts[codes[r]!]!++;
  return counts;
}

/** Index of the first sorted value >= `x` (`values.length` if none). */
function lowerBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Sorts doubles (no NaN) ascending in place, -0 before 0, and returns the number of distinct values
 * (-0 and 0 are one value, as pandas `nunique`): a least-significant-digit radix sort on their 64
 * bits, 16 bits a pass, after the usual order-preserving map of IEEE 754 bits to unsigned integers
 * (negative: all bits flipped; positive: sign bit flipped). Passes where every value has the same
 * digit are skipped. ~3x faster than `Float64Array.prototype.sort` on 1M values here. (The map to
 * keys is fused with the digit counts, the distinct count with the map back: two passes fewer.)
 */
function radixSort(values: Float64Array, scratch: Scratch): number {
  const n = values.length;
  let from = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  let to = scratch.words(2 * n);
  const counts = keyDigitCounts(from, scratch.counters(4 * 65536));
  for (let pass = 0; pass < 4; pass++) {
    if (!startsOfBuckets(counts, pass * 65536, n)) continue; // one bucket: nothing to move
    scatter(from, to, counts, pass);
    [from, to] = [to, from];
  }
  return fromKeysDistinct(from, new Uint32Array(values.buffer, values.byteOffset, 2 * n));
}

/**
 * Maps doubles (as 32-bit word pairs, low word first) to unsigned keys in the same order, in place,
 * and counts each 16-bit digit of the keys: digit `d` of pass `p` at `p * 65536 + d`.
 */
function keyDigitCounts(words: Uint32Array, counts: Int32Array): Int32Array {
  for (let i = 0; i < words.length; i += 2) {
    let lo = words[i]!;
    let hi = words[i + 1]!;
    if (hi & 0x80000000) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
    } else hi = (hi | 0x80000000) >>> 0;
    words[i] = lo;
    words[i + 1] = hi;
    counts[lo & 0xffff]!++;
    counts[65536 + (lo >>> 16)]!++;
    counts[131072 + (hi & 0xffff)]!++;
    counts[196608 + (hi >>> 16)]!++;
  }
  return counts;
}

/** Key of -0 (high word, low word): just below the key of 0 (0x80000000, 0). */
const NEGATIVE_ZERO_HI = 0x7fffffff;
const NEGATIVE_ZERO_LO = 0xffffffff;

/**
 * The inverse of {@link keyDigitCounts}'s map, from sorted `keys` into `out` (which may be the same
 * memory); returns the number of distinct keys, the keys of -0 and 0 counting as one.
 */
function fromKeysDistinct(keys: Uint32Array, out: Uint32Array): number {
  if (keys.length === 0) return 0;
  let distinct = 1;
  let lastHi = keys[1]!;
  let lastLo = keys[0]!;
  for (let i = 1; i < keys.length; i += 2) {
    const hi = keys[i]!;
    const lo = keys[i - 1]!;
    if (hi !== lastHi || lo !== lastLo) {
      // -0 then 0 (adjacent when sorted): one value.
      if (!(lastHi === NEGATIVE_ZERO_HI && lastLo === NEGATIVE_ZERO_LO && hi === 0x80000000 && lo === 0)) distinct++;
      lastHi = hi;
      lastLo = lo;
    }
    if (hi & 0x80000000) {
      out[i] = hi & 0x7fffffff;
      out[i - 1] = lo;
    } else {
      out[i] = ~hi;
      out[i - 1] = ~lo;
    }
  }
  return distinct;
}

/** Turns one pass's counts into bucket starts; false when all `n` keys share one digit. */
function startsOfBuckets(counts: Int32Array, offset: number, n: number): boolean {
  let start = 0;
  let spread = true;
  for (let b = 0; b < 65536; b++) {
    const c = counts[offset + b]!;
    if (c === n) spread = false;
    counts[offset + b] = start;
    start += c;
  }
  return spread;
}

/** Moves each key to its bucket of pass `pass` (keys move as two 32-bit words: a key's bits may spell a signalling NaN, which a float copy may change). */
function scatter(from: Uint32Array, to: Uint32Array, counts: Int32Array, pass: number): void {
  const offset = pass * 65536;
  const word = pass >> 1;
  const shift = (pass & 1) * 16;
  const n = from.length >> 1;
  for (let i = 0; i < n; i++) {
    const at = 2 * counts[offset + ((from[2 * i + word]! >>> shift) & 0xffff)]!++;
    to[at] = from[2 * i]!;
    to[at + 1] = from[2 * i + 1]!;
  }
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
 * Edges of `bins` equal-width bins over [min, max] (numpy `histogram(bins=n)`: the last bin
 * includes max; when min = max the range is [min - 0.5, max + 0.5]). Bin b holds the values
 * from edges[b] (included) to edges[b + 1] (excluded, but for the last bin).
 */
function binEdges(min: number, max: number, bins: number): number[] {
  let lo = min;
  let hi = max;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const n = Math.max(1, Math.floor(bins));
  const width = (hi - lo) / n;
  return Array.from({ length: n + 1 }, (_, i) => (i === n ? hi : lo + i * width));
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
