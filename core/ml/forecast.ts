/**
 * Windowed time-series forecasting with an LSTM (template `timeseries.lstm-forecast`), evaluated
 * beside the naive last-value forecast on the same test windows.
 *
 * The series is one numeric column (`target`), optionally ordered by a `time` column. A window is
 * `lookback` consecutive values ending at an origin `t` (inputs `x[t-lookback+1..t]`); its targets
 * are the next `horizon` values `x[t+1..t+horizon]` (direct multi-output: one network output per
 * step ahead, no feeding forecasts back in).
 *
 * Split (chronological, no shuffling across parts): the last `testFraction` of the rows is the
 * test part, the last `validationFraction` of the rest is the validation part (validation loss per
 * epoch, optional early stopping), the remainder trains. A training window lies wholly inside the
 * training part; a validation or test window has all its targets inside its part (its inputs may
 * reach back into earlier parts: they are observed history at forecast time, never a target seen
 * in training).
 *
 * Scaling, and why relative to the last value: the network sees `(x[t-j] - x[t]) / s` and learns
 * `(x[t+k] - x[t]) / s`, with `s` the standard deviation of the training part's one-step
 * differences. A series with a trend (CO2: +1.5 to 2.5 ppm a year) leaves the training range in
 * the test period, and a network trained on globally scaled levels must then extrapolate through
 * saturating `tanh` units; relative to the last value every window looks alike wherever the level
 * is, so the LSTM only learns the shape (season, local slope). Measured on co2-concentration.csv
 * in docs/models.md ("Forecasting").
 *
 * The exported network does that scaling itself: a frozen `Dense` turns the raw window into the
 * relative scaled one, the trained LSTM and `Dense(horizon)` head (scale folded in) give the
 * change, and a frozen `Dense` adds the last value back. So the saved `model.json` maps a window
 * in original units to `horizon` forecasts in original units, and the {@link ModelAdapter} is a
 * plain TF.js adapter with `inputWidth = lookback`, `outputWidth = horizon`.
 */
import * as tf from '@tensorflow/tfjs';
import { median, standardDeviation } from 'simple-statistics';
import { isNaiveTimestamp, isoDate, timestampMillis } from '../data/columns.ts';
import type { PlotlyFigure } from '../data/profile.ts';
import { StratumError } from '../errors.ts';
import { initBackend } from '../tf/backend.ts';
import type { UndefinedReasons } from './evaluate.ts';
import { fitSeededReport } from './fit.ts';
import { trainingNotes } from './guardrails.ts';
import type { ModelAdapter, TrainedModel } from './model.ts';
import { earlyStoppingFromPatience, tfjsAdapter } from './neural.ts';
import { describeValue, fieldPath } from './preprocess.ts';
import { availableColumns } from './supervised.ts';
import type { EpochLog, FeatureRecord } from './types.ts';
import { FORECAST_DEFAULTS } from './defaults.ts';

/** Template id of the LSTM forecaster. */
export const LSTM_FORECAST_TEMPLATE_ID = 'timeseries.lstm-forecast';

/** Name of the one request field of a forecasting model: the recent values, oldest first. */
export const HISTORY_FIELD = 'history';

/** Parameters of {@link trainLstmForecaster} (absent = the {@link FORECAST_DEFAULTS} value). */
export interface LstmForecastParams {
  /** Numeric column holding the series (e.g. `CO2`). */
  target: string;
  /**
   * Column of timestamps (ISO 8601 strings, `Date`s or numbers). When given, rows are sorted by
   * it and the series must be regular: a duplicate timestamp is an error, and so is a gap (a step
   * longer than 1.5 x the median step) unless `missing` is `interpolate`. Absent: rows are taken
   * in the order given and assumed regular.
   */
  time?: string;
  /** Window length: values the model reads (positive integer); default 24. */
  lookback?: number;
  /** Steps ahead forecast at once (positive integer); default 12. */
  horizon?: number;
  /** Units of the LSTM layer; default 32. */
  units?: number;
  /** Passes over the training windows; default 20. */
  epochs?: number;
  /** Windows per gradient step; default 32. */
  batchSize?: number;
  /** Adam learning rate; default 0.005. */
  learningRate?: number;
  /** Last fraction of the rows held out for testing, in (0, 1); default 0.2. */
  testFraction?: number;
  /** Last fraction of the remaining rows used for validation (per-epoch loss, early stopping), in (0, 1); default 0.1. */
  validationFraction?: number;
  /** Stop when the validation loss has not improved for this many epochs and keep the best weights; absent = off. */
  earlyStoppingPatience?: number;
  /**
   * Missing values (`null`, `undefined`, `NaN`, `""`) and, with `time`, missing timestamps:
   * `error` (default) names the row; `interpolate` fills them linearly between the neighbouring
   * values (pandas `interpolate(method="linear")` on the regular grid). A missing first or last
   * value cannot be interpolated and is always an error.
   */
  missing?: 'error' | 'interpolate';
  /** Seed of the initializers and the per-epoch shuffle; default 42. */
  seed?: number;
}

export { FORECAST_DEFAULTS };

/** Params with defaults applied and checked. */
export type ResolvedForecastParams = Required<Omit<LstmForecastParams, 'time' | 'earlyStoppingPatience'>> & Pick<LstmForecastParams, 'time' | 'earlyStoppingPatience'>;

/** Progress hooks of {@link trainLstmForecaster}. */
export interface ForecastHooks {
  /** Called after each epoch (`loss`: training MSE in scaled units; `valLoss`: the validation part's; `accuracy` NaN). */
  onEpoch?: (log: EpochLog) => void;
}

function paramError(field: string, message: string): StratumError {
  return new StratumError('TEMPLATE_PARAMS', `${field}: ${message}`, { detail: { field } });
}

/**
 * Applies {@link FORECAST_DEFAULTS} and checks every parameter.
 *
 * @throws StratumError `TEMPLATE_PARAMS` naming the parameter
 */
export function resolveForecastParams(params: LstmForecastParams): ResolvedForecastParams {
  if (typeof params !== 'object' || params === null) throw paramError('params', 'expected an object');
  const r: ResolvedForecastParams = {
    target: params.target,
    lookback: params.lookback ?? FORECAST_DEFAULTS.lookback,
    horizon: params.horizon ?? FORECAST_DEFAULTS.horizon,
    units: params.units ?? FORECAST_DEFAULTS.units,
    epochs: params.epochs ?? FORECAST_DEFAULTS.epochs,
    batchSize: params.batchSize ?? FORECAST_DEFAULTS.batchSize,
    learningRate: params.learningRate ?? FORECAST_DEFAULTS.learningRate,
    testFraction: params.testFraction ?? FORECAST_DEFAULTS.testFraction,
    validationFraction: params.validationFraction ?? FORECAST_DEFAULTS.validationFraction,
    missing: params.missing ?? FORECAST_DEFAULTS.missing,
    seed: params.seed ?? FORECAST_DEFAULTS.seed,
    ...(params.time === undefined ? {} : { time: params.time }),
    ...(params.earlyStoppingPatience === undefined ? {} : { earlyStoppingPatience: params.earlyStoppingPatience }),
  };
  const positiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
  const got = (v: unknown): string => JSON.stringify(v) ?? String(v);
  if (typeof r.target !== 'string' || r.target === '') throw paramError('target', `expected a column name, got ${got(r.target)}`);
  if (r.time !== undefined && (typeof r.time !== 'string' || r.time === '')) throw paramError('time', `expected a column name, got ${got(r.time)}`);
  if (r.time !== undefined && r.time === r.target) throw paramError('time', `the time column cannot also be the target (${got(r.target)})`);
  for (const field of ['lookback', 'horizon', 'units', 'epochs', 'batchSize'] as const) {
    if (!positiveInt(r[field])) throw paramError(field, `expected a positive integer, got ${got(r[field])}`);
  }
  if (!(typeof r.learningRate === 'number' && r.learningRate > 0 && Number.isFinite(r.learningRate))) throw paramError('learningRate', `expected a positive number, got ${got(r.learningRate)}`);
  for (const field of ['testFraction', 'validationFraction'] as const) {
    if (!(typeof r[field] === 'number' && r[field] > 0 && r[field] < 1)) throw paramError(field, `expected a number in (0, 1), got ${got(r[field])}`);
  }
  if (r.missing !== 'error' && r.missing !== 'interpolate') throw paramError('missing', `expected "error" or "interpolate", got ${got(r.missing)}`);
  if (!Number.isInteger(r.seed)) throw paramError('seed', `expected an integer, got ${got(r.seed)}`);
  if (r.earlyStoppingPatience !== undefined && !positiveInt(r.earlyStoppingPatience)) throw paramError('earlyStoppingPatience', `expected a positive integer, got ${got(r.earlyStoppingPatience)}`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// The series: ordering, regularity, missing values
// ---------------------------------------------------------------------------------------------

/** A regular series ready for windowing. */
export interface PreparedSeries {
  /** Values in time order (original units), missing ones filled when `missing: 'interpolate'`. */
  values: number[];
  /**
   * Time of each value: `YYYY-MM-DD` (midnight UTC) or full ISO 8601 for dates (without a zone when
   * the data's text timestamps had none: `2012-11-04T01:00:00`, read as UTC wall-clock time), the
   * number for numeric times, the 0-based position without a time column.
   */
  times: Array<string | number>;
  /** Record index each value came from; -1 for a value inserted at a missing timestamp. */
  rows: number[];
  /** Values filled by interpolation (missing values plus inserted timestamps). */
  filled: number;
  /** Median step between timestamps (milliseconds for dates, time units for numbers); absent without a time column. */
  step?: number;
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (typeof value === 'number' && Number.isNaN(value));
}


const DAY_MS = 86_400_000;

/**
 * A timestamp as written in labels and `PreparedSeries.times`: the number for numeric times, else
 * `YYYY-MM-DD` at UTC midnight, else ISO 8601 text, with `Z` or, for naive input (`naive`: the
 * series' text timestamps had no zone, read as UTC wall-clock time by `timestampMillis`), without a
 * zone, as the data wrote it (`isoDate` of core/data/columns.ts).
 */
function timeLabelOf(t: number, kind: 'date' | 'number', naive = false): string | number {
  if (kind === 'number') return t;
  return isoDate(new Date(t), naive ? 'naive' : 'utc') ?? String(t);
}

/**
 * Decimal places needed to write `x` exactly as JavaScript prints it (`1960.2` -> 1, `1e-7` -> 7,
 * `1700000000000` -> 0): the precision of a number read from data.
 */
function fractionDigits(x: number): number {
  const [mantissa, exponent] = String(x).split('e');
  return Math.max(0, (mantissa.split('.')[1]?.length ?? 0) - Number(exponent ?? 0));
}

/**
 * A step between numeric timestamps for messages, rounded to the data's precision: `digits` is the
 * decimal places of the timestamps, so `1960.2 - 1960` (0.20000000000004547 in binary floating
 * point) prints `0.2`, not the rounding noise.
 */
function numberStepText(step: number, digits: number): string {
  return String(Number(step.toFixed(Math.min(100, digits))));
}

/**
 * The calendar step of sorted UTC timestamps, when every timestamp falls on the same day of its
 * month (or every one on its month's last day) at the same time of day and the median step is one
 * month or one year: `'monthly'`/`'yearly'`. Calendar months are 28-31 days long, so for such data
 * "every 31 days" would be the wrong words.
 */
function calendarStep(sorted: number[]): 'monthly' | 'yearly' | undefined {
  if (sorted.length < 2) return undefined;
  const dates = sorted.map((t) => new Date(t));
  const monthEnd = (d: Date): boolean => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate() === d.getUTCDate();
  const timeOfDay = (t: number): number => ((t % DAY_MS) + DAY_MS) % DAY_MS;
  if (!sorted.every((t) => timeOfDay(t) === timeOfDay(sorted[0]))) return undefined;
  const sameDay = dates.every((d) => d.getUTCDate() === dates[0].getUTCDate());
  if (!sameDay && !dates.every(monthEnd)) return undefined;
  const months = dates.slice(1).map((d, i) => (d.getUTCFullYear() - dates[i].getUTCFullYear()) * 12 + d.getUTCMonth() - dates[i].getUTCMonth());
  const m = median(months);
  return m === 1 ? 'monthly' : m === 12 ? 'yearly' : undefined;
}

function stepText(step: number, kind: 'date' | 'number', digits = 15): string {
  if (kind === 'number') return numberStepText(step, digits);
  if (step >= DAY_MS) return `${(step / DAY_MS).toFixed(step % DAY_MS === 0 ? 0 : 1)} days`;
  if (step >= 3_600_000) return `${(step / 3_600_000).toFixed(1)} hours`;
  return `${(step / 1000).toFixed(1)} seconds`;
}

/**
 * Reads the series from records: the `target` values, ordered by `time` when given, checked
 * regular, missing values refused or interpolated (see {@link LstmForecastParams}).
 *
 * @param records - one object per row
 * @param options - `target`, optional `time`, `missing` policy
 * @returns the regular series
 * @throws StratumError `TEMPLATE_PARAMS` for an unknown column (listing the available ones);
 *   `DATA_INVALID` naming the row (`records[17].CO2`) for a missing value (policy `error`), a
 *   non-numeric value, an unreadable, missing or duplicate timestamp, a missing timestamp
 *   (policy `error`), an irregular step, or a missing first/last value
 * @example
 * ```ts
 * prepareSeries([{ t: 1, y: 5 }, { t: 2, y: 7 }], { target: 'y', time: 't' }).values; // [5, 7]
 * ```
 */
export function prepareSeries(records: FeatureRecord[], options: { target: string; time?: string; missing?: 'error' | 'interpolate' }): PreparedSeries {
  if (!Array.isArray(records)) throw new StratumError('DATA_INVALID', 'expected an array of records', { hint: 'Convert a DataFrame with stratum.toRecords(df).' });
  const { target, time } = options;
  const interpolate = options.missing === 'interpolate';
  const available = availableColumns(records);
  const hint = `Available columns: ${available.map((c) => JSON.stringify(c)).join(', ')}.`;
  for (const [field, column] of [['target', target], ['time', time]] as const) {
    if (column !== undefined && !available.includes(column)) throw new StratumError('TEMPLATE_PARAMS', `${field}: unknown column ${JSON.stringify(column)}`, { detail: { field }, hint });
  }
  // Values (NaN = missing) and, with a time column, parsed times.
  const values = records.map((record, row) => {
    const v = record[target];
    if (isMissing(v)) return Number.NaN;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      const field = fieldPath(row, target);
      throw new StratumError('DATA_INVALID', `${field}: a series value must be a finite number, got ${describeValue(v)}`, { detail: { field, row }, hint: 'Choose a numeric target column (or convert this column to numbers first).' });
    }
    return v;
  });
  if (time === undefined) {
    return finishSeries(values, values.map((_, i) => i), values.map((_, i) => i), undefined, { target, interpolate, label: (i) => fieldPath(i, target) });
  }
  let kind: 'date' | 'number' | undefined;
  let naiveTexts = 0;
  let zonedTexts = 0;
  const times = records.map((record, row) => {
    const v = record[time];
    const field = fieldPath(row, time);
    if (isMissing(v)) throw new StratumError('DATA_INVALID', `${field}: the timestamp is missing`, { detail: { field, row }, hint: 'Every row needs a timestamp; drop the rows without one.' });
    let t: number;
    let k: 'date' | 'number';
    if (typeof v === 'number') [t, k] = [v, 'number'];
    else if (v instanceof Date) [t, k] = [v.getTime(), 'date'];
    else if (typeof v === 'string') {
      // Stratum's convention: text without a zone is UTC wall-clock time, on every machine
      // (Date.parse would read it as local time: DST jumps would make false gaps and duplicates).
      [t, k] = [timestampMillis(v), 'date'];
      if (isNaiveTimestamp(v)) naiveTexts++;
      else if (v.trim().length > 10) zonedTexts++;
    }
    else t = Number.NaN;
    if (!Number.isFinite(t)) throw new StratumError('DATA_INVALID', `${field}: cannot read ${describeValue(v)} as a timestamp`, { detail: { field, row }, hint: 'Use ISO 8601 dates (2020-01-31 or 2020-01-31T12:00:00Z), Date objects or numbers.' });
    kind ??= k!;
    if (k! !== kind) throw new StratumError('DATA_INVALID', `${field}: ${describeValue(v)} is a ${k!} but the earlier timestamps are ${kind}s`, { detail: { field, row }, hint: 'Use one kind of timestamp in the whole column.' });
    return t;
  });
  const timeKind = kind ?? 'number';
  // Labels without a zone when the data wrote its times without one (and never with one).
  const naive = naiveTexts > 0 && zonedTexts === 0;
  const timeLabel = (t: number, k: 'date' | 'number'): string | number => timeLabelOf(t, k, naive);
  const order = records.map((_, i) => i).sort((a, b) => times[a] - times[b] || a - b);
  const at = (i: number): string => `${fieldPath(order[i], time)} (${timeLabel(times[order[i]], timeKind)})`;
  for (let i = 1; i < order.length; i++) {
    if (times[order[i]] === times[order[i - 1]]) {
      throw new StratumError('DATA_INVALID', `${fieldPath(order[i - 1], time)} and ${fieldPath(order[i], time)}: duplicate timestamp ${timeLabel(times[order[i]], timeKind)}; a series needs one value per time`, {
        detail: { field: fieldPath(order[i], time), row: order[i] },
        hint: 'Aggregate the duplicates first (e.g. the mean per timestamp).',
      });
    }
  }
  const diffs = order.slice(1).map((r, i) => times[r] - times[order[i]]);
  const step = diffs.length > 0 ? median(diffs) : undefined;
  // Decimal places of the numeric timestamps (computed only for a message): a difference of two of
  // them needs no more; the median step, the mean of two differences at worst, one more.
  const digits = (): number => (timeKind === 'number' ? times.reduce((d, t) => Math.max(d, fractionDigits(t)), 0) : 0);
  // "the series is monthly" for calendar months (28-31 days), else "the series steps every 7 days".
  const cadence = (): string => {
    const calendar = timeKind === 'date' ? calendarStep(order.map((r) => times[r])) : undefined;
    return calendar ? `the series is ${calendar}` : `the series steps every ${stepText(step!, timeKind, digits() + 1)}`;
  };
  const outValues: number[] = [];
  const outTimes: number[] = [];
  const outRows: number[] = [];
  order.forEach((row, i) => {
    if (i > 0 && step !== undefined) {
      const ratio = diffs[i - 1] / step;
      if (ratio < 0.5) {
        throw new StratumError('DATA_INVALID', `${at(i)}: irregular series: only ${stepText(diffs[i - 1], timeKind, digits())} after ${at(i - 1)}, while ${cadence()}`, {
          detail: { field: fieldPath(row, time), row },
          hint: 'Resample the series to one regular step (e.g. one row per month) first.',
        });
      }
      if (ratio >= 1.5) {
        const gap = Math.round(ratio) - 1;
        if (!interpolate) {
          throw new StratumError('DATA_INVALID', `${at(i)}: ${gap} missing timestamp${gap === 1 ? '' : 's'} before it (after ${at(i - 1)}; ${cadence()})`, {
            detail: { field: fieldPath(row, time), row, missingTimestamps: gap },
            hint: 'Fill the gap, keep only a regular stretch of rows, or pass missing: "interpolate" to fill it linearly.',
          });
        }
        for (let g = 1; g <= gap; g++) {
          outTimes.push(times[order[i - 1]] + (diffs[i - 1] * g) / (gap + 1));
          outValues.push(Number.NaN);
          outRows.push(-1);
        }
      }
    }
    outTimes.push(times[row]);
    outValues.push(values[row]);
    outRows.push(row);
  });
  return finishSeries(outValues, outTimes.map((t) => timeLabel(t, timeKind)), outRows, step, {
    target,
    interpolate,
    label: (i) => (outRows[i] >= 0 ? `${fieldPath(outRows[i], target)} (${time} ${timeLabel(outTimes[i], timeKind)})` : `the inserted ${time} ${timeLabel(outTimes[i], timeKind)}`),
  });
}

/** Refuses or linearly interpolates the NaN values of a regular series. */
function finishSeries(values: number[], times: Array<string | number>, rows: number[], step: number | undefined, o: { target: string; interpolate: boolean; label: (i: number) => string }): PreparedSeries {
  let filled = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i])) continue;
    const row = rows[i];
    const field = row >= 0 ? fieldPath(row, o.target) : o.target;
    if (!o.interpolate) {
      throw new StratumError('DATA_INVALID', `${o.label(i)}: the value is missing`, { detail: { field, row }, hint: 'Fill or drop the missing values first, or pass missing: "interpolate" to fill them linearly.' });
    }
    let j = i;
    while (j < values.length && Number.isNaN(values[j])) j++;
    if (i === 0 || j === values.length) {
      throw new StratumError('DATA_INVALID', `${o.label(i)}: the value is missing at the ${i === 0 ? 'start' : 'end'} of the series, where it cannot be interpolated`, {
        detail: { field, row },
        hint: `Drop the ${i === 0 ? 'first' : 'last'} rows up to the first present value.`,
      });
    }
    const a = values[i - 1];
    const b = values[j];
    for (let k = i; k < j; k++) values[k] = a + ((b - a) * (k - i + 1)) / (j - i + 1);
    filled += j - i;
    i = j - 1;
  }
  return { values, times, rows, filled, ...(step === undefined ? {} : { step }) };
}

// ---------------------------------------------------------------------------------------------
// Split and windows
// ---------------------------------------------------------------------------------------------

/** Row ranges (half-open, `[start, end)`) of the three parts of a series and the windows' forecast origins. */
export interface SeriesSplit {
  /** Rows of the series. */
  rows: number;
  /** Training part `[0, validationStart)`. */
  validationStart: number;
  /** Test part `[testStart, rows)`; validation part `[validationStart, testStart)`. */
  testStart: number;
  /** Forecast origins (index of a window's last input) of each part, inclusive ranges `[first, last]`. */
  origins: { train: [number, number]; validation: [number, number]; test: [number, number] };
  /** Number of windows of each part. */
  windows: { train: number; validation: number; test: number };
}

function splitOf(rows: number, p: Pick<ResolvedForecastParams, 'lookback' | 'horizon' | 'testFraction' | 'validationFraction'>): SeriesSplit {
  const nTest = Math.round(rows * p.testFraction);
  const testStart = rows - nTest;
  const nVal = Math.round(testStart * p.validationFraction);
  const validationStart = testStart - nVal;
  const L = p.lookback;
  const H = p.horizon;
  const origins: SeriesSplit['origins'] = { train: [L - 1, validationStart - 1 - H], validation: [validationStart - 1, testStart - 1 - H], test: [testStart - 1, rows - 1 - H] };
  const count = ([a, b]: [number, number]): number => Math.max(0, b - a + 1);
  return { rows, validationStart, testStart, origins, windows: { train: count(origins.train), validation: count(origins.validation), test: count(origins.test) } };
}

/**
 * Splits a series of `rows` values chronologically (see the module doc): test = the last
 * `round(rows * testFraction)` rows; validation = the last `round(rest * validationFraction)` of
 * the rest; training = the remainder. Training windows use only training rows; validation and test
 * windows have every target inside their part.
 *
 * @throws StratumError `DATA_INVALID` when a part has no window, stating the rows needed
 *   (at least `lookback + horizon` training rows and `horizon` rows in each of the other parts)
 * @example
 * ```ts
 * splitSeries(100, { lookback: 10, horizon: 2, testFraction: 0.2, validationFraction: 0.1 }).testStart; // 80
 * ```
 */
export function splitSeries(rows: number, p: Pick<ResolvedForecastParams, 'lookback' | 'horizon' | 'testFraction' | 'validationFraction'>): SeriesSplit {
  const s = splitOf(rows, p);
  if (s.windows.train >= 1 && s.windows.validation >= 1 && s.windows.test >= 1) return s;
  let needed = p.lookback + p.horizon;
  const cap = 100_000_000;
  while (needed < cap) {
    const w = splitOf(needed, p).windows;
    if (w.train >= 1 && w.validation >= 1 && w.test >= 1) break;
    needed++;
  }
  const nTest = rows - s.testStart;
  const nVal = s.testStart - s.validationStart;
  throw new StratumError('DATA_INVALID',
    `the series has ${rows} rows, too few for lookback ${p.lookback} and horizon ${p.horizon} with testFraction ${p.testFraction} and validationFraction ${p.validationFraction}: ` +
    `one training window needs lookback + horizon = ${p.lookback + p.horizon} training rows (got ${s.validationStart}), and the validation and test parts need horizon = ${p.horizon} rows each (got ${nVal} and ${nTest}); ` +
    `these settings need at least ${needed < cap ? needed : 'more than 100000000'} rows`,
    { detail: { field: 'lookback', rows, needed }, hint: 'Use a longer series, a shorter lookback or horizon, or other fractions.' },
  );
}

/** Windows of a series: row w holds the inputs and targets of origin `origins[w]`. */
export interface Windows {
  /** Forecast origins (index of each window's last input). */
  origins: number[];
  /** `inputs[w]` = `values[origin - lookback + 1 .. origin]` (oldest first). */
  inputs: number[][];
  /** `targets[w]` = `values[origin + 1 .. origin + horizon]`. */
  targets: number[][];
}

/**
 * Cuts the windows of every origin in `[first, last]` (inclusive).
 *
 * @param values - the series
 * @param lookback - inputs per window
 * @param horizon - targets per window
 * @param first - first origin (>= lookback - 1)
 * @param last - last origin (<= values.length - 1 - horizon)
 * @throws StratumError `DATA_INVALID` when a window would fall outside the series
 * @example
 * ```ts
 * makeWindows([1, 2, 3, 4, 5], 2, 2, 1, 2); // origins [1, 2], inputs [[1, 2], [2, 3]], targets [[3, 4], [4, 5]]
 * ```
 */
export function makeWindows(values: ArrayLike<number>, lookback: number, horizon: number, first: number, last: number): Windows {
  if (first < lookback - 1 || last > values.length - 1 - horizon) {
    throw new StratumError('DATA_INVALID', `origins ${first}..${last} do not fit a series of ${values.length} values with lookback ${lookback} and horizon ${horizon}`, { detail: { field: 'origins' } });
  }
  const out: Windows = { origins: [], inputs: [], targets: [] };
  for (let t = first; t <= last; t++) {
    out.origins.push(t);
    out.inputs.push(Array.from({ length: lookback }, (_, j) => values[t - lookback + 1 + j]));
    out.targets.push(Array.from({ length: horizon }, (_, k) => values[t + 1 + k]));
  }
  return out;
}

/** Relative, scaled training matrices of windows: `(x - last) / scale`. */
function relativeMatrices(w: Windows, scale: number): { x: Float32Array; y: Float32Array; rows: number } {
  const L = w.inputs[0]?.length ?? 0;
  const H = w.targets[0]?.length ?? 0;
  const x = new Float32Array(w.inputs.length * L);
  const y = new Float32Array(w.inputs.length * H);
  w.inputs.forEach((inp, i) => {
    const last = inp[L - 1];
    for (let j = 0; j < L; j++) x[i * L + j] = (inp[j] - last) / scale;
    for (let k = 0; k < H; k++) y[i * H + k] = (w.targets[i][k] - last) / scale;
  });
  return { x, y, rows: w.inputs.length };
}

/**
 * Scale of the relative inputs and targets: the population standard deviation of the one-step
 * differences `x[i+1] - x[i]` of the training rows; the standard deviation of the values when the
 * differences are constant; 1 when both are 0.
 */
export function differenceScale(values: ArrayLike<number>): number {
  const v = Array.from(values);
  const diffs = v.slice(1).map((x, i) => x - v[i]);
  const sd = diffs.length > 1 ? standardDeviation(diffs) : 0;
  if (sd > 0 && Number.isFinite(sd)) return sd;
  const sdValues = v.length > 1 ? standardDeviation(v) : 0;
  return sdValues > 0 && Number.isFinite(sdValues) ? sdValues : 1;
}

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

/** Error metrics of one forecast step (or all steps pooled). */
export interface ForecastErrors {
  /** Mean absolute error, series units (scikit-learn `mean_absolute_error`). */
  mae: number;
  /** Root mean squared error, series units (`sqrt(mean_squared_error)`). */
  rmse: number;
  /**
   * Mean absolute percentage error as a FRACTION (0.012 = 1.2 %), scikit-learn's definition
   * `mean(|y - ŷ| / |y|)` (`mean_absolute_percentage_error`); null when an actual value is 0
   * (scikit-learn divides by machine epsilon there and returns ~1e15), with the reason in
   * `undefinedReasons`.
   */
  mape: number | null;
}

/** {@link ForecastErrors} of one step ahead (1-based). */
export interface ForecastStepErrors extends ForecastErrors {
  step: number;
}

/** Result of {@link forecastErrors}. */
export interface ForecastErrorReport extends ForecastErrors {
  /** Number of windows. */
  n: number;
  /** Errors of each step ahead. */
  perStep: ForecastStepErrors[];
  /** Why a null metric is undefined (`mape`, `mape[step 3]`). */
  undefinedReasons: UndefinedReasons;
}

/**
 * Forecast errors of `n` windows of `horizon` steps: per step k, MAE, RMSE and MAPE of column k
 * (scikit-learn `mean_absolute_error(y[:, k], p[:, k])`, `sqrt(mean_squared_error(...))`,
 * `mean_absolute_percentage_error(...)`); overall, the same over all `n * horizon` pairs
 * (scikit-learn on the flattened arrays: the overall MAE and MAPE are the mean of the per-step
 * values; the overall RMSE is the root of the pooled mean squared error, not the mean of the
 * per-step RMSEs that `multioutput="uniform_average"` would give).
 *
 * MAPE is a fraction (scikit-learn's convention), undefined (null, with the reason naming the
 * window and step) when an actual value is exactly 0.
 *
 * @param actual - `actual[w][k]`, the true value k + 1 steps after origin w
 * @param predicted - same shape
 * @throws StratumError `DATA_INVALID` for no window, ragged or mismatched shapes, or a non-finite value
 * @example
 * ```ts
 * forecastErrors([[1, 2]], [[2, 2]]).mae; // 0.5
 * ```
 */
export function forecastErrors(actual: number[][], predicted: number[][]): ForecastErrorReport {
  const n = actual.length;
  if (n === 0) throw new StratumError('DATA_INVALID', 'cannot evaluate forecasts of zero windows', { detail: { field: 'actual' } });
  if (predicted.length !== n) throw new StratumError('DATA_INVALID', `actual has ${n} windows but predicted has ${predicted.length}`, { detail: { field: 'predicted' } });
  const h = actual[0].length;
  for (let w = 0; w < n; w++) {
    if (actual[w].length !== h || predicted[w].length !== h) throw new StratumError('DATA_INVALID', `window ${w} has ${actual[w].length} actual and ${predicted[w].length} predicted values, expected ${h}`, { detail: { field: `predicted[${w}]` } });
    for (let k = 0; k < h; k++) {
      if (!Number.isFinite(actual[w][k])) throw new StratumError('DATA_INVALID', `actual[${w}][${k}] is not a finite number`, { detail: { field: `actual[${w}][${k}]` } });
      if (!Number.isFinite(predicted[w][k])) throw new StratumError('DATA_INVALID', `predicted[${w}][${k}] is not a finite number (the model diverged?)`, { detail: { field: `predicted[${w}][${k}]` } });
    }
  }
  const undefinedReasons: UndefinedReasons = {};
  let firstZero: [number, number] | undefined;
  const perStep: ForecastStepErrors[] = [];
  let abs = 0;
  let sq = 0;
  let pct = 0;
  for (let k = 0; k < h; k++) {
    let a = 0;
    let s = 0;
    let p = 0;
    let zero: number | undefined;
    for (let w = 0; w < n; w++) {
      const e = actual[w][k] - predicted[w][k];
      a += Math.abs(e);
      s += e * e;
      if (actual[w][k] === 0) zero ??= w;
      else p += Math.abs(e) / Math.abs(actual[w][k]);
    }
    abs += a;
    sq += s;
    pct += p;
    if (zero !== undefined) {
      firstZero ??= [zero, k];
      undefinedReasons[`mape[step ${k + 1}]`] = `an actual value is 0 (window ${zero}, step ${k + 1}): MAPE is not defined`;
    }
    perStep.push({ step: k + 1, mae: a / n, rmse: Math.sqrt(s / n), mape: zero === undefined ? p / n : null });
  }
  if (firstZero) undefinedReasons.mape = `an actual value is 0 (window ${firstZero[0]}, step ${firstZero[1] + 1}): MAPE is not defined`;
  const m = n * h;
  return { n, mae: abs / m, rmse: Math.sqrt(sq / m), mape: firstZero ? null : pct / m, perStep, undefinedReasons };
}

/** Evaluation of a forecaster on the test windows, beside the naive last-value forecast. */
export interface ForecastEvaluation {
  task: 'forecasting';
  /** Test windows evaluated. */
  n: number;
  /** Window length and steps ahead. */
  lookback: number;
  horizon: number;
  /** Model errors over all test windows and steps ({@link forecastErrors}); MAPE is a fraction. */
  mae: number;
  rmse: number;
  mape: number | null;
  /** Model errors of each step ahead. */
  perStep: ForecastStepErrors[];
  /** The naive forecast: every step = the window's last value (`x̂[t+k] = x[t]`), on the same windows. */
  baseline: { strategy: 'last_value'; mae: number; rmse: number; mape: number | null; perStep: ForecastStepErrors[] };
  /** The baseline's overall MAE again, top-level so run tables can compare it. */
  baselineMae: number;
  /** Model MAE / baseline MAE (relative MAE: below 1 beats the baseline); null when the baseline is perfect. */
  maeRatio: number | null;
  /** `1 - maeRatio`: the fraction of the baseline's error removed (forecast skill score on MAE). */
  skill: number | null;
  /** The series from the first test origin to the end: `times[i]`, `values[i]`; window w's origin is `i = w`, its step k target `i = w + k`. */
  testPeriod: { times: Array<string | number>; values: number[] };
  /** `forecasts[w][k - 1]`: the model's forecast k steps after window w's origin, series units. */
  forecasts: number[][];
  /**
   * Row split of the series (see {@link SeriesSplit}) and, from {@link trainLstmForecaster}, the
   * number of windows of each part (what the model trained, validated and was tested on).
   */
  split: { rows: number; validationStart: number; testStart: number; filled: number; windows?: { train: number; validation: number; test: number } };
  /** Why a null metric is undefined. */
  undefinedReasons: UndefinedReasons;
}

/**
 * Evaluates forecasts of test windows and the naive last-value forecast on the same windows.
 *
 * @param windows - the test windows (inputs and true targets)
 * @param forecasts - `forecasts[w][k]`, the model's forecast of `windows.targets[w][k]`
 * @param testPeriod - the series from the first origin to the end (for plots)
 * @param split - row split, echoed in the evaluation
 * @throws StratumError `DATA_INVALID` (see {@link forecastErrors})
 */
export function evaluateForecasts(windows: Windows, forecasts: number[][], testPeriod: ForecastEvaluation['testPeriod'], split: ForecastEvaluation['split']): ForecastEvaluation {
  const model = forecastErrors(windows.targets, forecasts);
  const naive = forecastErrors(windows.targets, windows.inputs.map((inp, w) => windows.targets[w].map(() => inp[inp.length - 1])));
  const undefinedReasons: UndefinedReasons = { ...model.undefinedReasons };
  for (const [k, v] of Object.entries(naive.undefinedReasons)) undefinedReasons[`baseline.${k}`] = v;
  const maeRatio = naive.mae > 0 ? model.mae / naive.mae : null;
  if (maeRatio === null) undefinedReasons.maeRatio = 'the naive last-value forecast is exact on every test window (MAE 0): the MAE ratio is not defined';
  return {
    task: 'forecasting',
    n: model.n,
    lookback: windows.inputs[0]?.length ?? 0,
    horizon: windows.targets[0]?.length ?? 0,
    mae: model.mae,
    rmse: model.rmse,
    mape: model.mape,
    perStep: model.perStep,
    baseline: { strategy: 'last_value', mae: naive.mae, rmse: naive.rmse, mape: naive.mape, perStep: naive.perStep },
    baselineMae: naive.mae,
    maeRatio,
    skill: maeRatio === null ? null : 1 - maeRatio,
    testPeriod,
    forecasts,
    split,
    undefinedReasons,
  };
}

// ---------------------------------------------------------------------------------------------
// The network
// ---------------------------------------------------------------------------------------------

/** Seeded LSTM core trained on relative scaled windows: `[lookback] -> [lookback, 1] -> LSTM(units) -> Dense(horizon)`. */
function buildCore(p: ResolvedForecastParams): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.reshape({ inputShape: [p.lookback], targetShape: [p.lookback, 1] }));
  model.add(tf.layers.lstm({
    units: p.units,
    kernelInitializer: tf.initializers.glorotUniform({ seed: p.seed }),
    // Keras' default is orthogonal; TF.js's orthogonal initializer warns ("Slowness may result")
    // above 2000 elements (units >= 23), so the recurrent kernel is Glorot-uniform too (seeded).
    recurrentInitializer: tf.initializers.glorotUniform({ seed: p.seed + 1 }),
  }));
  model.add(tf.layers.dense({ units: p.horizon, kernelInitializer: tf.initializers.glorotUniform({ seed: p.seed + 2 }) }));
  return model;
}

/**
 * The exported network: raw window (series units) -> frozen `Dense` to `(x - x_last) / scale` ->
 * the trained LSTM -> `Dense(horizon)` with `scale` folded in -> `+ x_last` (a frozen `Dense`
 * copying the last input to every output). Only standard, serializable TF.js layers.
 */
function buildServingModel(core: tf.Sequential, p: ResolvedForecastParams, scale: number): tf.LayersModel {
  const L = p.lookback;
  const H = p.horizon;
  const zeros = 'zeros' as const;
  const input = tf.input({ shape: [L], name: 'history' });
  const relative = tf.layers.dense({ units: L, useBias: false, trainable: false, kernelInitializer: zeros, name: 'relative_to_last' });
  const reshape = tf.layers.reshape({ targetShape: [L, 1], name: 'as_sequence' });
  const lstm = tf.layers.lstm({ units: p.units, kernelInitializer: zeros, recurrentInitializer: zeros, name: 'lstm' });
  const head = tf.layers.dense({ units: H, kernelInitializer: zeros, name: 'change' });
  const last = tf.layers.dense({ units: H, useBias: false, trainable: false, kernelInitializer: zeros, name: 'last_value' });
  const change = head.apply(lstm.apply(reshape.apply(relative.apply(input)))) as tf.SymbolicTensor;
  const output = tf.layers.add({ name: 'forecast' }).apply([change, last.apply(input) as tf.SymbolicTensor]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: 'lstm_forecaster' });
  const kRelative = new Float32Array(L * L);
  for (let i = 0; i < L; i++) {
    kRelative[i * L + i] += 1 / scale;
    kRelative[(L - 1) * L + i] -= 1 / scale;
  }
  const kLast = new Float32Array(L * H);
  for (let k = 0; k < H; k++) kLast[(L - 1) * H + k] = 1;
  const fixed = [tf.tensor2d(kRelative, [L, L]), tf.tensor2d(kLast, [L, H])];
  relative.setWeights([fixed[0]]);
  last.setWeights([fixed[1]]);
  tf.dispose(fixed);
  lstm.setWeights(core.layers[1].getWeights());
  const [w, b] = core.layers[2].getWeights();
  const folded = tf.tidy(() => [w.mul(scale), b.mul(scale)]);
  head.setWeights(folded);
  tf.dispose(folded);
  return model;
}

function toMatrix(rows: number[][], width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(r, i * width));
  return out;
}

/**
 * Forecasts every window with a forecasting adapter.
 *
 * @param adapter - `inputWidth` = lookback, `outputWidth` = horizon
 * @param inputs - windows of exactly `lookback` values (series units)
 * @returns `forecasts[w][k]`, series units
 */
export function forecastWindows(adapter: ModelAdapter, inputs: number[][]): number[][] {
  const out = adapter.predict(toMatrix(inputs, adapter.inputWidth), inputs.length);
  const H = adapter.outputWidth;
  return inputs.map((_, w) => Array.from(out.subarray(w * H, (w + 1) * H)));
}

/**
 * Trains a windowed LSTM forecaster (template `timeseries.lstm-forecast`) and evaluates it on the
 * chronologically last part of the series beside the naive last-value forecast.
 *
 * Steps: {@link prepareSeries} (order, regularity, missing values), {@link splitSeries}
 * (chronological; no window crosses into a later part's targets), scale from the training rows
 * only ({@link differenceScale}), seeded `LSTM(units) -> Dense(horizon)` trained by the shared
 * loop (`fitSeededReport`: seeded shuffle of the training windows, Adam, MSE on the relative
 * scaled targets, validation loss per epoch, optional early stopping on it), then the exported
 * network described in the module doc, evaluated with {@link evaluateForecasts}.
 *
 * @param records - one object per row (a DataFrame through `stratum.toRecords`)
 * @param params - see {@link LstmForecastParams} (defaults {@link FORECAST_DEFAULTS})
 * @param hooks - per-epoch progress
 * @returns a `forecasting` {@link TrainedModel}: `features` = `["history"]`, `sizes` counted in
 *   windows, `example` = the last `lookback` values (a request forecasting past the data)
 * @throws StratumError `TEMPLATE_PARAMS` (bad parameter or column), `DATA_INVALID` (see
 *   {@link prepareSeries}, {@link splitSeries}), `TRAINING_FAILED` (loss became NaN)
 * @example
 * ```ts
 * const model = await trainLstmForecaster(rows, { target: 'CO2', time: 'Date', lookback: 24, horizon: 12, missing: 'interpolate' });
 * model.evaluation.maeRatio; // model MAE / naive last-value MAE on the test windows
 * ```
 */
export async function trainLstmForecaster(records: FeatureRecord[], params: LstmForecastParams, hooks: ForecastHooks = {}): Promise<TrainedModel> {
  const p = resolveForecastParams(params);
  const series = prepareSeries(records, p);
  const split = splitSeries(series.values.length, p);
  const { values } = series;
  const L = p.lookback;
  const H = p.horizon;
  const scale = differenceScale(values.slice(0, split.validationStart));
  const fitWindows = makeWindows(values, L, H, ...split.origins.train);
  const valWindows = makeWindows(values, L, H, ...split.origins.validation);
  const testWindows = makeWindows(values, L, H, ...split.origins.test);
  const backend = (await initBackend()).name;
  const core = buildCore(p);
  const started = performance.now();
  // fitSeededReport disposes the core when training fails.
  const result = await fitSeededReport(core, relativeMatrices(fitWindows, scale), relativeMatrices(valWindows, scale), H, {
    epochs: p.epochs,
    batchSize: p.batchSize,
    learningRate: p.learningRate,
    seed: p.seed,
    loss: 'meanSquaredError',
    onEpoch: hooks.onEpoch,
    earlyStopping: earlyStoppingFromPatience(p.earlyStoppingPatience),
  });
  let model: tf.LayersModel;
  try {
    model = buildServingModel(core, p, scale);
  } finally {
    core.dispose();
  }
  const trainMs = performance.now() - started;
  const adapter = tfjsAdapter(model, 'forecasting');
  let evaluation: ForecastEvaluation;
  try {
    const first = split.origins.test[0];
    evaluation = evaluateForecasts(testWindows, forecastWindows(adapter, testWindows.inputs), { times: series.times.slice(first), values: values.slice(first) }, {
      rows: split.rows,
      validationStart: split.validationStart,
      testStart: split.testStart,
      filled: series.filled,
      windows: { ...split.windows },
    });
  } catch (error) {
    adapter.dispose();
    throw error;
  }
  const warnings: string[] = [];
  if (split.windows.test < 10) warnings.push(`only ${split.windows.test} test window${split.windows.test === 1 ? '' : 's'}: the test metrics are noisy; use a longer series or a larger testFraction`);
  if (series.filled > 0) warnings.push(`${series.filled} value${series.filled === 1 ? ' was' : 's were'} filled by linear interpolation (missing: "interpolate")`);
  return {
    task: 'forecasting',
    templateId: LSTM_FORECAST_TEMPLATE_ID,
    target: p.target,
    features: [HISTORY_FIELD],
    labels: [],
    // No tabular preprocessing: the network reads the raw window (its first layer scales it).
    preprocessor: { version: 1, steps: [], outputWidth: L },
    adapter,
    evaluation,
    history: result.history,
    backend,
    params: { ...p },
    sizes: { train: split.windows.train, test: split.windows.test },
    timing: { trainMs },
    warnings,
    ...(result.earlyStopping ? { earlyStopping: result.earlyStopping } : {}),
    example: { [HISTORY_FIELD]: values.slice(-L) },
  };
}

// ---------------------------------------------------------------------------------------------
// Requests, summary, plot
// ---------------------------------------------------------------------------------------------

/** A forecasting prediction: the next `horizon` values after the request's history, series units. */
export interface ForecastPrediction {
  forecast: number[];
}

/**
 * JSON Schema (2020-12) of one forecasting request record: `{ "history": [at least lookback numbers] }`
 * (the last `lookback` are used; oldest first).
 *
 * @param lookback - the model's window length
 */
export function forecastRecordSchema(lookback: number): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      [HISTORY_FIELD]: {
        type: 'array',
        items: { type: 'number' },
        minItems: lookback,
        description: `The most recent values of the series, oldest first: at least ${lookback} finite numbers (the last ${lookback} are used).`,
      },
    },
    required: [HISTORY_FIELD],
    additionalProperties: false,
  };
}

/**
 * Forecasts request records `{ history: number[] }` (what `POST /predict` and
 * `stratum.predict` run for a forecasting model): the last `lookback` values of each history.
 *
 * @param adapter - a forecasting adapter
 * @param records - records with a `history` of at least `lookback` finite numbers
 * @returns `{ forecast }` per record, in order
 * @throws StratumError `REQUEST_INVALID` naming `records[i].history` (absent, not an array, too
 *   short) or `records[i].history[j]` (not a finite number)
 */
export function predictForecast(adapter: ModelAdapter, records: FeatureRecord[]): ForecastPrediction[] {
  const L = adapter.inputWidth;
  const inputs = records.map((record, i) => {
    const field = `records[${i}].${HISTORY_FIELD}`;
    const history = typeof record === 'object' && record !== null ? record[HISTORY_FIELD] : undefined;
    if (!Array.isArray(history)) {
      throw new StratumError('REQUEST_INVALID', `${field} must be an array of at least ${L} numbers (got ${history === undefined ? 'nothing' : describeValue(history)})`, { detail: { field, record: i } });
    }
    if (history.length < L) {
      throw new StratumError('REQUEST_INVALID', `${field} has ${history.length} value${history.length === 1 ? '' : 's'}; the model needs at least lookback = ${L}`, { detail: { field, record: i } });
    }
    return history.slice(-L).map((v: unknown, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        const at = `${field}[${history.length - L + j}]`;
        throw new StratumError('REQUEST_INVALID', `${at} must be a finite number (got ${describeValue(v)})`, { detail: { field: at, record: i } });
      }
      return v;
    });
  });
  if (inputs.length === 0) return [];
  return forecastWindows(adapter, inputs).map((forecast) => ({ forecast }));
}

const fmt = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined ? 'n/a' : x.toFixed(digits));
const pct = (x: number | null): string => (x === null ? 'n/a' : (x * 100).toFixed(2));

function table(rows: string[][]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length)));
  return rows.map((r) => r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  ').trimEnd()).join('\n');
}

/** True for a {@link TrainedModel} whose evaluation is a {@link ForecastEvaluation}. */
function isForecastModel(t: TrainedModel): t is TrainedModel & { evaluation: ForecastEvaluation } {
  return (t.evaluation as { task?: string }).task === 'forecasting';
}

/**
 * Readable summary of a forecaster: series and split, then MAE, RMSE and MAPE (printed in percent,
 * stored as a fraction: `mape` 0.0019 prints `0.19 %`) per step ahead and overall for the model and
 * the naive last-value forecast, the MAE ratio and skill.
 *
 * @param t - a model from {@link trainLstmForecaster}
 * @returns multi-line plain text
 * @throws StratumError `USAGE` for a model of another task
 */
export function forecastSummary(t: TrainedModel): string {
  if (!isForecastModel(t)) throw new StratumError('USAGE', `forecastSummary needs a forecasting model, got a ${t.task} model`, { detail: { field: 'model' } });
  const e = t.evaluation;
  const s = e.split;
  const lines: string[] = [];
  const units = typeof t.params.units === 'number' ? `, LSTM ${t.params.units} units` : '';
  lines.push(`${t.templateId} (${t.adapter.kind}): ${JSON.stringify(t.target)} ${e.horizon} step${e.horizon === 1 ? '' : 's'} ahead from the last ${e.lookback} values${units}`);
  const time = t.timing ? `, fit ${(t.timing.trainMs / 1000).toFixed(2)} s` : '';
  lines.push(`backend ${t.backend}; series ${s.rows} rows${s.filled ? ` (${s.filled} filled by interpolation)` : ''}: train rows 0-${s.validationStart - 1}, validation ${s.validationStart}-${s.testStart - 1}, test ${s.testStart}-${s.rows - 1}; ${t.sizes.train} training windows, ${e.n} test windows; ${t.history.length} epochs${time}`);
  const ratio = e.maeRatio === null ? 'n/a' : `${fmt(e.maeRatio)}, skill ${(100 * (e.skill ?? 0)).toFixed(1)} %`;
  lines.push(`test MAE ${fmt(e.mae)} vs naive last value ${fmt(e.baseline.mae)} (MAE ratio ${ratio}); RMSE ${fmt(e.rmse)} vs ${fmt(e.baseline.rmse)}; MAPE ${pct(e.mape)} % vs ${pct(e.baseline.mape)} %`, '');
  const rows = [['step', 'MAE', 'RMSE', 'MAPE %', 'naive MAE', 'naive RMSE', 'naive MAPE %', 'MAE ratio']];
  e.perStep.forEach((m, k) => {
    const b = e.baseline.perStep[k];
    rows.push([String(m.step), fmt(m.mae), fmt(m.rmse), pct(m.mape), fmt(b.mae), fmt(b.rmse), pct(b.mape), b.mae > 0 ? fmt(m.mae / b.mae) : 'n/a']);
  });
  rows.push(['all', fmt(e.mae), fmt(e.rmse), pct(e.mape), fmt(e.baseline.mae), fmt(e.baseline.rmse), pct(e.baseline.mape), fmt(e.maeRatio)]);
  lines.push(table(rows));
  // The run (and `stratum runs show`, the Runs view) records MAPE as scikit-learn does: a fraction.
  if (e.mape !== null) lines.push(`MAPE is printed in percent; the run records it as a fraction, like scikit-learn: mape = ${Number(e.mape.toPrecision(3))} (${pct(e.mape)} %).`);
  for (const [metric, reason] of Object.entries(e.undefinedReasons)) lines.push(`  ${metric}: ${reason}`);
  // Early stopping here watches the validation part, never the test part: say so instead of the generic note.
  const es = t.earlyStopping;
  if (es) {
    const stopped = es.stoppedEpoch === undefined ? 'ran every epoch' : `stopped at epoch ${es.stoppedEpoch} (patience ${es.patience})`;
    lines.push('', `early stopping on the validation part: ${stopped}; best validation loss ${fmt(es.bestValLoss, 4)} at epoch ${es.bestEpoch}${es.restoredBest ? ', whose weights were kept' : ''}. The test part was not used.`);
  }
  lines.push(...trainingNotes({ params: t.params, warnings: t.warnings }));
  return lines.join('\n');
}

/**
 * Plotly figure of the test period: the actual series, the model's 1-step-ahead forecasts, its
 * `horizon`-step-ahead forecasts (when horizon > 1) and the naive last-value forecast at the
 * horizon, each plotted at the time it forecasts. Display with `plot(stratum.forecastPlot(model))`.
 *
 * @param t - a model from {@link trainLstmForecaster}
 * @throws StratumError `USAGE` for a model of another task
 */
export function forecastPlot(t: TrainedModel): PlotlyFigure {
  if (!isForecastModel(t)) throw new StratumError('USAGE', `forecastPlot needs a forecasting model, got a ${t.task} model`, { detail: { field: 'model' } });
  const e = t.evaluation;
  const { times, values } = e.testPeriod;
  const H = e.horizon;
  const at = (k: number): Array<string | number> => e.forecasts.map((_, w) => times[w + k]);
  const data: Array<Record<string, unknown>> = [
    { type: 'scatter', mode: 'lines', name: `actual ${t.target}`, x: times, y: values, line: { color: '#222' } },
    { type: 'scatter', mode: 'lines', name: '1 step ahead', x: at(1), y: e.forecasts.map((f) => f[0]), line: { color: '#1f77b4' } },
  ];
  if (H > 1) data.push({ type: 'scatter', mode: 'lines', name: `${H} steps ahead`, x: at(H), y: e.forecasts.map((f) => f[H - 1]), line: { color: '#d62728' } });
  data.push({ type: 'scatter', mode: 'lines', name: `naive last value, ${H} step${H === 1 ? '' : 's'} ahead`, x: at(H), y: e.forecasts.map((_, w) => values[w]), line: { color: '#7f7f7f', dash: 'dot' } });
  return {
    data,
    layout: {
      title: { text: `${t.target}: forecast vs actual on the test period (MAE ${fmt(e.mae)}, naive ${fmt(e.baseline.mae)})` },
      xaxis: { title: { text: typeof times[0] === 'string' ? 'time' : 'row' } },
      yaxis: { title: { text: t.target } },
      legend: { orientation: 'h' },
    },
  };
}
