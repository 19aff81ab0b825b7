/**
 * The LSTM forecaster's parts on tiny hand-made series (expected values computed by hand, or with
 * scikit-learn 1.2.1 where stated), plus short trainings of a tiny network on a synthetic series:
 * determinism, no leakage from the test part, the exported network's behaviour, save/load, tensor
 * counts and the request checks. The real-data test (co2-concentration.csv, beating the naive
 * baseline, bundle, service) is templates/forecasting.integration.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { vegaDataset } from '../datasets/vega.ts';
import { thrown } from '../testing.ts';
import { initBackend } from '../tf/backend.ts';
import { applicablePlots, modelPlot } from './plots.ts';
import {
  differenceScale, evaluateForecasts, FORECAST_DEFAULTS, forecastErrors, forecastPlot, forecastSummary, makeWindows, predictForecast, prepareSeries,
  resolveForecastParams, splitSeries, trainLstmForecaster, type LstmForecastParams,
} from './forecast.ts';
import type { TrainedModel } from './model.ts';
import { loadAdapter, modelSummary, predictTabular } from './predict.ts';
import type { FeatureRecord } from './types.ts';

beforeAll(async () => {
  await initBackend();
});

async function rejection(promise: Promise<unknown>): Promise<ReturnType<typeof thrown>> {
  try {
    await promise;
  } catch (error) {
    return thrown(() => {
      throw error;
    });
  }
  throw new Error('expected a rejection');
}

describe('parameters', () => {
  it('applies the defaults, which the template repeats', () => {
    const p = resolveForecastParams({ target: 'y' });
    expect(p).toMatchObject({ ...FORECAST_DEFAULTS, target: 'y' });
  });

  it('names the bad parameter', () => {
    const cases: Array<[Partial<LstmForecastParams>, string, string]> = [
      [{ lookback: 0 }, 'lookback', 'lookback: expected a positive integer, got 0'],
      [{ horizon: 2.5 }, 'horizon', 'horizon: expected a positive integer, got 2.5'],
      [{ testFraction: 1 }, 'testFraction', 'testFraction: expected a number in (0, 1), got 1'],
      [{ validationFraction: 0 }, 'validationFraction', 'validationFraction: expected a number in (0, 1), got 0'],
      [{ learningRate: -1 }, 'learningRate', 'learningRate: expected a positive number, got -1'],
      [{ missing: 'drop' as 'error' }, 'missing', 'missing: expected "error" or "interpolate", got "drop"'],
      [{ seed: 1.5 }, 'seed', 'seed: expected an integer, got 1.5'],
      [{ time: 'y' }, 'time', 'time: the time column cannot also be the target ("y")'],
      [{ earlyStoppingPatience: 0 }, 'earlyStoppingPatience', 'earlyStoppingPatience: expected a positive integer, got 0'],
    ];
    for (const [extra, field, message] of cases) {
      const error = thrown(() => resolveForecastParams({ target: 'y', ...extra }));
      expect(error.code).toBe('TEMPLATE_PARAMS');
      expect(error.detail.field).toBe(field);
      expect(error.message).toBe(message);
    }
  });
});

describe('prepareSeries', () => {
  const monthly = (months: string[], values: unknown[]): FeatureRecord[] => months.map((m, i) => ({ month: m, y: values[i] }));

  it('sorts rows by the time column and labels the times', () => {
    const s = prepareSeries(monthly(['2020-03-01', '2020-01-01', '2020-02-01'], [3, 1, 2]), { target: 'y', time: 'month' });
    expect(s.values).toEqual([1, 2, 3]);
    expect(s.times).toEqual(['2020-01-01', '2020-02-01', '2020-03-01']);
    expect(s.rows).toEqual([1, 2, 0]);
    expect(s.filled).toBe(0);
  });

  it('takes the rows in order without a time column', () => {
    const s = prepareSeries([{ y: 5 }, { y: 4 }, { y: 6 }], { target: 'y' });
    expect(s.values).toEqual([5, 4, 6]);
    expect(s.times).toEqual([0, 1, 2]);
  });

  it('names both rows of a duplicate timestamp', () => {
    const error = thrown(() => prepareSeries(monthly(['2020-01-01', '2020-02-01', '2020-02-01'], [1, 2, 3]), { target: 'y', time: 'month' }));
    expect(error.code).toBe('DATA_INVALID');
    expect(error.message).toBe('records[1].month and records[2].month: duplicate timestamp 2020-02-01; a series needs one value per time');
    expect(error.detail.row).toBe(2);
  });

  it('names the row after a missing timestamp, or fills it linearly with missing: "interpolate"', () => {
    // Steps 31, 60, 30, 31 days: the median is 31 days, so the 60-day step (ratio 1.94) misses one month (March).
    const records = monthly(['2020-01-01', '2020-02-01', '2020-04-01', '2020-05-01', '2020-06-01'], [10, 20, 40, 50, 60]);
    const error = thrown(() => prepareSeries(records, { target: 'y', time: 'month' }));
    expect(error.code).toBe('DATA_INVALID');
    expect(error.message).toBe('records[2].month (2020-04-01): 1 missing timestamp before it (after records[1].month (2020-02-01); the series is monthly)');
    expect(error.detail).toMatchObject({ row: 2, missingTimestamps: 1 });
    const s = prepareSeries(records, { target: 'y', time: 'month', missing: 'interpolate' });
    expect(s.values).toEqual([10, 20, 30, 40, 50, 60]);
    expect(s.rows).toEqual([0, 1, -1, 2, 3, 4]);
    expect(s.filled).toBe(1);
    // The inserted time is midway between its neighbours (Feb 1 + 30 days, midnight UTC).
    expect(s.times[2]).toBe('2020-03-02');
  });

  it('calls calendar-monthly (28-31 days), month-end and yearly steps by name, keeping the gap\'s position', () => {
    // co2-concentration.csv (vega-datasets) as it is: monthly on the 1st, and 1958-06-01 is not there.
    const lines = readFileSync(vegaDataset('co2-concentration.csv'), 'utf8').trim().split('\n').slice(1, 40);
    const co2 = lines.map((l) => ({ Date: l.split(',')[0], CO2: Number(l.split(',')[1]) }));
    expect(thrown(() => prepareSeries(co2, { target: 'CO2', time: 'Date' })).message).toBe('records[3].Date (1958-07-01): 1 missing timestamp before it (after records[2].Date (1958-05-01); the series is monthly)');
    const ends = monthly(['2021-01-31', '2021-02-28', '2021-03-31', '2021-05-31', '2021-06-30'], [1, 2, 3, 4, 5]);
    expect(thrown(() => prepareSeries(ends, { target: 'y', time: 'month' })).message).toBe('records[3].month (2021-05-31): 1 missing timestamp before it (after records[2].month (2021-03-31); the series is monthly)');
    const years = monthly(['2019-07-01', '2020-07-01', '2021-07-01', '2023-07-01'], [1, 2, 3, 4]);
    expect(thrown(() => prepareSeries(years, { target: 'y', time: 'month' })).message).toBe('records[3].month (2023-07-01): 1 missing timestamp before it (after records[2].month (2021-07-01); the series is yearly)');
    // Not on one day of the month: days, as before.
    const drift = monthly(['2021-01-01', '2021-01-31', '2021-03-02', '2021-05-01', '2021-05-31'], [1, 2, 3, 4, 5]);
    expect(thrown(() => prepareSeries(drift, { target: 'y', time: 'month' })).message).toBe('records[3].month (2021-05-01): 1 missing timestamp before it (after records[2].month (2021-03-02); the series steps every 30 days)');
  });

  it('refuses an irregular step', () => {
    const error = thrown(() => prepareSeries(monthly(['2020-01-01', '2020-02-01', '2020-02-05', '2020-03-01', '2020-04-01'], [1, 2, 3, 4, 5]), { target: 'y', time: 'month' }));
    expect(error.message).toMatch(/^records\[2\]\.month \(2020-02-05\): irregular series: only 4 days after records\[1\]\.month \(2020-02-01\)/);
  });

  it('writes numeric steps at the data\'s precision, not with floating-point noise', () => {
    // 1960.2 - 1960 is 0.20000000000004547 in binary floating point; the data has 1 decimal.
    const years = [1958, 1959, 1960, 1960.2, 1961, 1962].map((t, i) => ({ t, y: i }));
    expect(thrown(() => prepareSeries(years, { target: 'y', time: 't' })).message).toBe('records[3].t (1960.2): irregular series: only 0.2 after records[2].t (1960), while the series steps every 1');
    // The median of an even number of steps can need one more decimal than the data: steps 1, 1, 1, 2, 2, 5 -> (1 + 2) / 2 = 1.5.
    const even = [0, 1, 2, 4, 6, 11, 12].map((t, i) => ({ t, y: i }));
    expect(thrown(() => prepareSeries(even, { target: 'y', time: 't' })).message).toBe('records[5].t (11): 2 missing timestamps before it (after records[4].t (6); the series steps every 1.5)');
    const gap = thrown(() => prepareSeries([0.5, 1.5, 2.5, 5.5].map((t, i) => ({ t, y: i })), { target: 'y', time: 't' }));
    expect(gap.message).toBe('records[3].t (5.5): 2 missing timestamps before it (after records[2].t (2.5); the series steps every 1)');
  });

  it('names a missing value, or interpolates it; a missing first or last value is always an error', () => {
    const rows: FeatureRecord[] = [{ y: 1 }, { y: 2 }, { y: null }, { y: Number.NaN }, { y: 8 }];
    const error = thrown(() => prepareSeries(rows, { target: 'y' }));
    expect(error.code).toBe('DATA_INVALID');
    expect(error.message).toBe('records[2].y: the value is missing');
    expect(error.detail.field).toBe('records[2].y');
    expect(prepareSeries(rows, { target: 'y', missing: 'interpolate' }).values).toEqual([1, 2, 4, 6, 8]);
    expect(prepareSeries(rows, { target: 'y', missing: 'interpolate' }).filled).toBe(2);
    const first = thrown(() => prepareSeries([{ y: null }, { y: 1 }, { y: 2 }], { target: 'y', missing: 'interpolate' }));
    expect(first.message).toBe('records[0].y: the value is missing at the start of the series, where it cannot be interpolated');
    const withTime = thrown(() => prepareSeries(monthly(['2020-01-01', '2020-02-01', '2020-03-01'], [1, '', 3]), { target: 'y', time: 'month' }));
    expect(withTime.message).toBe('records[1].y (month 2020-02-01): the value is missing');
  });

  it('reads naive timestamps as UTC wall-clock time, whatever the machine\'s time zone (no false DST gap or duplicate)', () => {
    const hourly = (day: string): FeatureRecord[] => [0, 1, 2, 3, 4].map((h, i) => ({ t: `${day}T0${h}:00:00`, y: i }));
    const before = process.env.TZ;
    process.env.TZ = 'America/New_York'; // Node re-reads TZ when it is set
    try {
      // Local time here: 01:00 happens twice on 2012-11-04 and 02:00 never on 2012-03-11 (Date.parse gave a 2 h step and a duplicate).
      expect(new Date(2012, 10, 4, 2).getTime() - new Date(2012, 10, 4, 1).getTime()).toBe(7_200_000);
      const fall = prepareSeries(hourly('2012-11-04'), { target: 'y', time: 't' });
      expect(fall.step).toBe(3_600_000);
      expect(fall.values).toEqual([0, 1, 2, 3, 4]);
      expect(fall.times).toEqual(['2012-11-04', '2012-11-04T01:00:00', '2012-11-04T02:00:00', '2012-11-04T03:00:00', '2012-11-04T04:00:00']);
      const spring = prepareSeries(hourly('2012-03-11').map((r) => ({ ...r, t: String(r.t).replace('T', ' ') })), { target: 'y', time: 't' });
      expect(spring.step).toBe(3_600_000);
      expect(spring.times[2]).toBe('2012-03-11T02:00:00');
      // A naive gap is named without a zone; zoned input keeps its Z.
      const gap = thrown(() => prepareSeries(hourly('2012-03-11').filter((_, i) => i !== 2), { target: 'y', time: 't' }));
      expect(gap.message).toBe('records[2].t (2012-03-11T03:00:00): 1 missing timestamp before it (after records[1].t (2012-03-11T01:00:00); the series steps every 1.0 hours)');
      const zoned = prepareSeries([0, 1, 2].map((h) => ({ t: `2012-11-04T0${h}:00:00-04:00`, y: h })), { target: 'y', time: 't' });
      expect(zoned.times).toEqual(['2012-11-04T04:00:00.000Z', '2012-11-04T05:00:00.000Z', '2012-11-04T06:00:00.000Z']);
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it('refuses non-numeric values, unreadable timestamps and unknown columns, naming them', () => {
    expect(thrown(() => prepareSeries([{ y: 1 }, { y: 'high' }], { target: 'y' })).message).toBe('records[1].y: a series value must be a finite number, got "high"');
    // A BigInt (from the JSON, PostgreSQL or Parquet connectors) is named, not a crash of the message itself.
    expect(thrown(() => prepareSeries([{ y: 1 }, { y: 12n }], { target: 'y' })).message).toBe('records[1].y: a series value must be a finite number, got 12n (a BigInt)');
    expect(thrown(() => prepareSeries([{ t: '2020-01-01', y: 1 }, { t: 'soon', y: 2 }], { target: 'y', time: 't' })).message).toBe('records[1].t: cannot read "soon" as a timestamp');
    expect(thrown(() => prepareSeries([{ t: 1, y: 1 }, { t: null, y: 2 }], { target: 'y', time: 't' })).message).toBe('records[1].t: the timestamp is missing');
    const unknown = thrown(() => prepareSeries([{ y: 1 }], { target: 'CO2' }));
    expect(unknown.code).toBe('TEMPLATE_PARAMS');
    expect(unknown.message).toBe('target: unknown column "CO2"');
    expect(unknown.hint).toBe('Available columns: "y".');
  });
});

describe('split and windows', () => {
  const P = { lookback: 10, horizon: 2, testFraction: 0.2, validationFraction: 0.1 };

  it('splits chronologically: training, validation, test (by hand)', () => {
    // 100 rows: test = round(20) = rows 80..99; validation = round(80 * 0.1) = 8 rows 72..79.
    const s = splitSeries(100, P);
    expect(s).toEqual({
      rows: 100,
      validationStart: 72,
      testStart: 80,
      // Training origins: inputs t-9..t >= 0 and targets t+1..t+2 <= 71. Validation targets in 72..79, test targets in 80..99.
      origins: { train: [9, 69], validation: [71, 77], test: [79, 97] },
      windows: { train: 61, validation: 7, test: 19 },
    });
  });

  it('cuts exact windows', () => {
    expect(makeWindows([1, 2, 4, 7, 11, 16, 22], 2, 2, 1, 4)).toEqual({
      origins: [1, 2, 3, 4],
      inputs: [[1, 2], [2, 4], [4, 7], [7, 11]],
      targets: [[4, 7], [7, 11], [11, 16], [16, 22]],
    });
    expect(thrown(() => makeWindows([1, 2, 3], 2, 2, 1, 1)).code).toBe('DATA_INVALID');
  });

  it('no window of a part reads a target of a later part', () => {
    const values = Array.from({ length: 741 }, (_, i) => i);
    const s = splitSeries(values.length, { lookback: 24, horizon: 12, testFraction: 0.2, validationFraction: 0.1 });
    const train = makeWindows(values, 24, 12, ...s.origins.train);
    const validation = makeWindows(values, 24, 12, ...s.origins.validation);
    const test = makeWindows(values, 24, 12, ...s.origins.test);
    expect(Math.max(...train.targets.flat())).toBe(s.validationStart - 1);
    expect(Math.min(...validation.targets.flat())).toBe(s.validationStart);
    expect(Math.max(...validation.targets.flat())).toBe(s.testStart - 1);
    expect(Math.min(...test.targets.flat())).toBe(s.testStart);
    expect(Math.max(...test.targets.flat())).toBe(740);
    // Every test row is the target of some window (each 1-step-ahead target once).
    expect(test.targets.map((t) => t[0])).toEqual(values.slice(s.testStart, 741 - 11));
  });

  it('says how many rows the settings need when the series is too short', () => {
    // Needed: round(0.2 n) >= 12 test rows, round(0.1 c) >= 12 validation rows of the c = n - test
    // rows, and c - validation >= 36 training rows. n = 144: test 29, c = 115, validation round(11.5)
    // = 12, training 103; n = 143: c = 114, validation round(11.4) = 11 < 12.
    const error = thrown(() => splitSeries(30, { lookback: 24, horizon: 12, testFraction: 0.2, validationFraction: 0.1 }));
    expect(error.code).toBe('DATA_INVALID');
    expect(error.message).toBe(
      'the series has 30 rows, too few for lookback 24 and horizon 12 with testFraction 0.2 and validationFraction 0.1: one training window needs lookback + horizon = 36 training rows (got 22), ' +
      'and the validation and test parts need horizon = 12 rows each (got 2 and 6); these settings need at least 144 rows',
    );
    expect(error.detail).toMatchObject({ rows: 30, needed: 144 });
    expect(() => splitSeries(144, { lookback: 24, horizon: 12, testFraction: 0.2, validationFraction: 0.1 })).not.toThrow();
  });

  it('scales by the standard deviation of the one-step differences', () => {
    // Differences 1, 2, 3, 4: population standard deviation sqrt(1.25) (numpy np.diff(x).std() = 1.118033988749895).
    expect(differenceScale([1, 2, 4, 7, 11])).toBeCloseTo(1.118033988749895, 12);
    // Constant differences: the values' standard deviation; a constant series: 1.
    expect(differenceScale([1, 2, 3])).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(differenceScale([5, 5, 5])).toBe(1);
  });
});

describe('forecast metrics', () => {
  it('match scikit-learn 1.2.1 per step and overall', () => {
    // y = [[2,4],[4,5],[5,8]], p = [[3,4],[4,7],[2,8]]; sklearn.metrics on columns and on y.ravel():
    // step 1: MAE 4/3, RMSE sqrt(10/3) = 1.8257418583505538, MAPE (1/2 + 3/5)/3 = 0.3666666666666667
    // step 2: MAE 2/3, RMSE sqrt(4/3) = 1.1547005383792515, MAPE (2/5)/3 = 0.13333333333333333
    // all: MAE 1.0, RMSE sqrt(14/6) = 1.5275252316519468, MAPE 0.25
    const r = forecastErrors([[2, 4], [4, 5], [5, 8]], [[3, 4], [4, 7], [2, 8]]);
    expect(r.n).toBe(3);
    expect(r.perStep[0].mae).toBeCloseTo(1.3333333333333333, 12);
    expect(r.perStep[0].rmse).toBeCloseTo(1.8257418583505538, 12);
    expect(r.perStep[0].mape).toBeCloseTo(0.3666666666666667, 12);
    expect(r.perStep[1].mae).toBeCloseTo(0.6666666666666666, 12);
    expect(r.perStep[1].rmse).toBeCloseTo(1.1547005383792515, 12);
    expect(r.perStep[1].mape).toBeCloseTo(0.13333333333333333, 12);
    expect(r.mae).toBeCloseTo(1, 12);
    // The pooled RMSE, not scikit-learn's multioutput="uniform_average" mean of per-step RMSEs (1.4902211983649027).
    expect(r.rmse).toBeCloseTo(1.5275252316519468, 12);
    expect(r.mape).toBeCloseTo(0.25, 12);
    expect(r.undefinedReasons).toEqual({});
  });

  it('reports MAPE as undefined, with the reason, when an actual value is 0 (scikit-learn gives 2.25e15)', () => {
    const r = forecastErrors([[1, 0], [2, 3]], [[1, 1], [2, 3]]);
    expect(r.mape).toBeNull();
    expect(r.perStep[0].mape).toBe(0);
    expect(r.perStep[1].mape).toBeNull();
    expect(r.undefinedReasons).toEqual({ mape: 'an actual value is 0 (window 0, step 2): MAPE is not defined', 'mape[step 2]': 'an actual value is 0 (window 0, step 2): MAPE is not defined' });
    expect(r.mae).toBeCloseTo(0.25, 12);
  });

  it('refuses mismatched shapes and non-finite values', () => {
    expect(thrown(() => forecastErrors([], [])).message).toBe('cannot evaluate forecasts of zero windows');
    expect(thrown(() => forecastErrors([[1, 2]], [[1]])).message).toBe('window 0 has 2 actual and 1 predicted values, expected 2');
    expect(thrown(() => forecastErrors([[1]], [[Number.NaN]])).message).toBe('predicted[0][0] is not a finite number (the model diverged?)');
  });

  it('evaluates the naive last-value forecast on the same windows (scikit-learn 1.2.1 values)', () => {
    const w = makeWindows([1, 2, 4, 7, 11, 16, 22], 2, 2, 1, 4);
    // A perfect model: MAE 0, ratio 0, skill 1.
    const e = evaluateForecasts(w, w.targets, { times: [1, 2, 3, 4, 5, 6], values: [2, 4, 7, 11, 16, 22] }, { rows: 7, validationStart: 0, testStart: 2, filled: 0 });
    expect(e).toMatchObject({ task: 'forecasting', n: 4, lookback: 2, horizon: 2, mae: 0, rmse: 0, mape: 0, maeRatio: 0, skill: 1 });
    // Baseline forecasts [[2,2],[4,4],[7,7],[11,11]]: errors [2,5],[3,7],[4,9],[5,11].
    // scikit-learn: step 1 MAE 3.5, RMSE 3.6742346141747673, MAPE 0.40117694805194803;
    // step 2 MAE 8.0, RMSE 8.306623862918075, MAPE 0.6032873376623377; all MAE 5.75, RMSE 6.422616289332565, MAPE 0.5022321428571428.
    expect(e.baselineMae).toBeCloseTo(5.75, 12);
    expect(e.baseline.rmse).toBeCloseTo(6.422616289332565, 12);
    expect(e.baseline.mape).toBeCloseTo(0.5022321428571428, 12);
    expect(e.baseline.perStep.map((s) => [s.mae, s.rmse, s.mape])).toEqual([
      [3.5, expect.closeTo(3.6742346141747673, 12), expect.closeTo(0.40117694805194803, 12)],
      [8, expect.closeTo(8.306623862918075, 12), expect.closeTo(0.6032873376623377, 12)],
    ]);
    // A model as bad as the baseline on step 1 and exact on step 2: MAE (3.5 * 4) / 8 = 1.75, ratio 1.75 / 5.75.
    const half = evaluateForecasts(w, w.inputs.map((inp, i) => [inp[1], w.targets[i][1]]), e.testPeriod, e.split);
    expect(half.mae).toBeCloseTo(1.75, 12);
    expect(half.maeRatio).toBeCloseTo(1.75 / 5.75, 12);
    expect(half.skill).toBeCloseTo(1 - 1.75 / 5.75, 12);
  });
});

/** A monthly-like series: trend + 12-step season + a little deterministic wiggle. */
function synthetic(n: number, level = 100): FeatureRecord[] {
  return Array.from({ length: n }, (_, i) => ({ t: i, y: level + 0.2 * i + 3 * Math.sin((2 * Math.PI * i) / 12) + 0.3 * Math.sin(i * 1.7) }));
}
const TINY: LstmForecastParams = { target: 'y', time: 't', lookback: 8, horizon: 3, units: 4, epochs: 2, batchSize: 32, learningRate: 0.01, seed: 7 };

describe('trainLstmForecaster (tiny network, synthetic series)', () => {
  let model: TrainedModel;
  beforeAll(async () => {
    model = await trainLstmForecaster(synthetic(120), TINY);
  });

  it('returns a forecasting model with windows, the example request and a summary beside the baseline', () => {
    expect(model).toMatchObject({ task: 'forecasting', templateId: 'timeseries.lstm-forecast', target: 'y', features: ['history'], labels: [] });
    expect(model.adapter).toMatchObject({ kind: 'tfjs-layers', task: 'forecasting', inputWidth: 8, outputWidth: 3 });
    // 120 rows: test 24 (96..119), validation round(9.6) = 10 (86..95); windows 86 - 8 - 3 + 1 = 76 and 24 - 3 + 1 = 22.
    expect(model.sizes).toEqual({ train: 76, test: 22 });
    expect(model.history).toHaveLength(2);
    expect(model.history.every((h) => Number.isFinite(h.valLoss))).toBe(true);
    const e = model.evaluation;
    if (e.task !== 'forecasting') throw new Error('expected a forecasting evaluation');
    // Validation windows: origins 85..92 (every target inside rows 86..95) = 10 - 3 + 1 = 8.
    expect(e.split).toEqual({ rows: 120, validationStart: 86, testStart: 96, filled: 0, windows: { train: 76, validation: 8, test: 22 } });
    expect(e.forecasts).toHaveLength(22);
    expect(e.testPeriod.values).toHaveLength(25);
    expect(model.example).toEqual({ history: synthetic(120).slice(-8).map((r) => r.y) });
    const text = modelSummary(model);
    expect(text).toContain('"y" 3 steps ahead from the last 8 values, LSTM 4 units');
    expect(text).toContain('train rows 0-85, validation 86-95, test 96-119; 76 training windows, 22 test windows; 2 epochs');
    expect(text).toMatch(/\nstep +MAE +RMSE +MAPE % +naive MAE +naive RMSE +naive MAPE % +MAE ratio\n1 /);
    expect(text).toMatch(/\nall +\d/);
    // The summary's percent and the stored fraction name each other (runs show prints the fraction).
    const mape = e.mape ?? Number.NaN;
    expect(text).toContain(`MAPE ${(100 * mape).toFixed(2)} % vs`);
    expect(text).toContain(`the run records it as a fraction, like scikit-learn: mape = ${Number(mape.toPrecision(3))} (${(100 * mape).toFixed(2)} %).`);
    expect(text).toBe(forecastSummary(model));
  });

  it('evaluates exactly the windows it reports: forecasts equal a prediction from the history up to each origin', () => {
    const e = model.evaluation;
    if (e.task !== 'forecasting') throw new Error('expected a forecasting evaluation');
    const values = synthetic(120).map((r) => r.y as number);
    const [p0] = predictTabular(model, [{ history: values.slice(0, 96) }]) as Array<{ forecast: number[] }>;
    p0.forecast.forEach((v, k) => expect(v).toBeCloseTo(e.forecasts[0][k], 9));
    expect(e.testPeriod.values[0]).toBe(values[95]);
  });

  it('is translation-equivariant: the network works relative to the last value', () => {
    const values = synthetic(120).map((r) => r.y as number);
    const window = values.slice(40, 48);
    const [a, b] = predictForecast(model.adapter, [{ history: window }, { history: window.map((v) => v + 250) }]);
    a.forecast.forEach((v, k) => expect(b.forecast[k] - v).toBeCloseTo(250, 3));
  });

  it('uses the last lookback values of a longer history, and names bad request values', () => {
    const values = synthetic(120).map((r) => r.y as number);
    const [long, short] = predictForecast(model.adapter, [{ history: values.slice(30, 48) }, { history: values.slice(40, 48) }]);
    expect(long.forecast).toEqual(short.forecast);
    expect(thrown(() => predictForecast(model.adapter, [{ history: values.slice(0, 8) }, { history: [1, 2, 3] }])).message).toBe('records[1].history has 3 values; the model needs at least lookback = 8');
    const bad = thrown(() => predictForecast(model.adapter, [{ history: [...values.slice(0, 7), Number.NaN] }]));
    expect(bad.code).toBe('REQUEST_INVALID');
    expect(bad.message).toBe('records[0].history[7] must be a finite number (got NaN)');
    expect(bad.detail.field).toBe('records[0].history[7]');
    expect(thrown(() => predictForecast(model.adapter, [{ history: [...values.slice(0, 9), '3'] }])).message).toBe('records[0].history[9] must be a finite number (got "3")');
    expect(thrown(() => predictForecast(model.adapter, [{ values: [1] }])).message).toBe('records[0].history must be an array of at least 8 numbers (got nothing)');
  });

  it('saves and loads to identical forecasts (|Δ| <= 1e-6), and predicting leaks no tensor', async () => {
    const files = await model.adapter.save();
    const loaded = await loadAdapter('tfjs-layers', 'forecasting', files, 'memory');
    try {
      const values = synthetic(150, 300).map((r) => r.y as number);
      const records = Array.from({ length: 20 }, (_, i) => ({ history: values.slice(i * 5, i * 5 + 8) }));
      const before = predictForecast(model.adapter, records);
      const after = predictForecast(loaded, records);
      after.forEach((p, i) => p.forecast.forEach((v, k) => expect(Math.abs(v - before[i].forecast[k])).toBeLessThanOrEqual(1e-6)));
      predictForecast(loaded, records);
      const count = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) predictForecast(loaded, records);
      expect(tf.memory().numTensors).toBe(count);
    } finally {
      loaded.dispose();
    }
  });

  it('draws the test period: actual, 1-step and horizon-step forecasts, and the naive forecast', () => {
    const figure = forecastPlot(model);
    expect(figure.data.map((t) => t.name)).toEqual(['actual y', '1 step ahead', '3 steps ahead', 'naive last value, 3 steps ahead']);
    const e = model.evaluation;
    if (e.task !== 'forecasting') throw new Error('expected a forecasting evaluation');
    // The 1-step forecast of origin w is drawn at the time of row w + 1 of the test period.
    expect(figure.data[1].x).toEqual(e.testPeriod.times.slice(1, 23));
    expect(figure.data[3].y).toEqual(e.testPeriod.values.slice(0, 22));
    // The same figure is the model's `forecast` evaluation plot (stored as artifact plot:forecast of tracked runs).
    expect(applicablePlots(model)).toEqual(['forecast', 'learning-curves']);
    expect(modelPlot(model, 'forecast')).toEqual(figure);
  });

  it('is reproducible: same data and seed, same forecasts', async () => {
    const again = await trainLstmForecaster(synthetic(120), TINY);
    try {
      const e1 = model.evaluation;
      const e2 = again.evaluation;
      if (e1.task !== 'forecasting' || e2.task !== 'forecasting') throw new Error('expected forecasting evaluations');
      expect(e2.forecasts).toEqual(e1.forecasts);
      expect(again.history).toEqual(model.history);
    } finally {
      again.adapter.dispose();
    }
  });

  it('does not learn from the test part: changing it leaves the trained network unchanged', async () => {
    const changed = synthetic(120).map((r, i) => (i >= 96 ? { ...r, y: (r.y as number) * 10 - 500 } : r));
    const other = await trainLstmForecaster(changed, TINY);
    try {
      expect(other.history).toEqual(model.history);
      const window = { history: synthetic(120).slice(50, 58).map((r) => r.y) };
      expect(predictTabular(other, [window])).toEqual(predictTabular(model, [window]));
      // ...while the test metrics do change.
      expect(other.evaluation).not.toMatchObject({ mae: (model.evaluation as { mae: number }).mae });
    } finally {
      other.adapter.dispose();
    }
  });

  it('stops early on the validation loss when asked, and says the test part was not used', async () => {
    const m = await trainLstmForecaster(synthetic(120), { ...TINY, epochs: 30, learningRate: 0.05, earlyStoppingPatience: 1 });
    try {
      expect(m.earlyStopping).toMatchObject({ patience: 1, restoredBest: true });
      expect(m.history.length).toBe(m.earlyStopping?.stoppedEpoch ?? 30);
      expect(m.earlyStopping?.bestValLoss).toBe(Math.min(...m.history.map((h) => h.valLoss as number)));
      expect(modelSummary(m)).toContain('early stopping on the validation part: ');
      expect(modelSummary(m)).toContain('The test part was not used.');
    } finally {
      m.adapter.dispose();
    }
  });

  it('leaves no tensor behind after training and disposing', async () => {
    const before = tf.memory().numTensors;
    const m = await trainLstmForecaster(synthetic(80), { ...TINY, epochs: 1, lookback: 6, horizon: 2 });
    m.adapter.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('trainLstmForecaster data errors', () => {
  it('names the problem before training', async () => {
    const short = await rejection(trainLstmForecaster(synthetic(30), { target: 'y', time: 't' }));
    expect(short.code).toBe('DATA_INVALID');
    expect(short.message).toMatch(/^the series has 30 rows, too few for lookback 24 and horizon 12 .* these settings need at least 144 rows$/);
    const gap = synthetic(60).filter((r) => r.t !== 20);
    expect((await rejection(trainLstmForecaster(gap, TINY))).message).toBe('records[20].t (21): 1 missing timestamp before it (after records[19].t (19); the series steps every 1)');
    expect((await rejection(trainLstmForecaster(synthetic(60), { ...TINY, target: 'level' }))).message).toBe('target: unknown column "level"');
    expect((await rejection(trainLstmForecaster(synthetic(60), { ...TINY, units: 0 }))).detail.field).toBe('units');
  });
});
