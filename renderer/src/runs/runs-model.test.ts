// The Runs view's pure helpers on hand-built runs (expected values read off the inputs by hand).
import { describe, expect, it } from 'vitest';
import type { RunComparisonInfo, RunSummary } from '../../../core/api/contract.ts';
import { bestIndex, curveFigures, formatDuration, formatMetric, formatNamedMetric, metricColumns, nextSort, orderComparedMetrics, runTask, sortRuns, suggestedModelName } from './runs-model.ts';

function run(id: string, startedAt: string, metrics: Record<string, number>, extra: Partial<RunSummary> = {}): RunSummary {
  return { id, experiment: 'default', status: 'finished', templateId: 'tabular.mlp-classifier', notebook: null, data: null, backend: 'wasm', seed: 1, startedAt, endedAt: null, durationMs: null, metrics, error: null, ...extra };
}

const a = run('aaaaaaaaaaaa', '2026-01-01T10:00:00.000Z', { accuracy: 0.8, macroF1: 0.5, n: 292 }, { durationMs: 3000, data: { source: 's', rowCount: 100, sha256: 'x' } });
const b = run('bbbbbbbbbbbb', '2026-01-01T11:00:00.000Z', { accuracy: 0.9, n: 292 }, { durationMs: 1000 });
const c = run('cccccccccccc', '2026-01-01T09:00:00.000Z', { r2: 0.7, rmse: 4.2, mae: 3, zeta: 1 }, { templateId: 'tabular.linear-regression', durationMs: 2000, data: { source: 's', rowCount: 50, sha256: 'y' } });

// Evaluations as core/ml writes them (top-level numbers only, as runs.list gives them): a forecast
// (ForecastEvaluation), an anomaly detector with a label column (AnomalyEvaluation), k-means.
const forecast = run('dddddddddddd', '2026-01-01T12:00:00.000Z', { n: 144, lookback: 12, horizon: 6, mae: 1.9, rmse: 2.3, mape: 0.0048, baselineMae: 3, maeRatio: 0.63, skill: 0.37 }, { templateId: 'timeseries.lstm-forecast' });
const anomaly = run('eeeeeeeeeeee', '2026-01-01T13:00:00.000Z', { n: 81, threshold: 0.83, thresholdQuantile: 0.99, thresholdRows: 81, flagged: 1, flaggedShare: 0.0123, meanScore: 0.13, labelled: 81, anomalies: 2, precision: 0, recall: 0, f1: 0, rocAuc: 0.35, averagePrecision: 0.03, excludedFromTraining: 0 }, { templateId: 'tabular.autoencoder-anomaly' });
const clusters = run('ffffffffffff', '2026-01-01T14:00:00.000Z', { n: 344, k: 3, inertia: 190.6, silhouette: 0.52 }, { templateId: 'tabular.kmeans' });
const custom = run('999999999999', '2026-01-01T15:00:00.000Z', { zeta: 1, n: 5 }, { templateId: null });
const failed = run('888888888888', '2026-01-01T16:00:00.000Z', {}, { status: 'failed' });

describe('runTask', () => {
  it('reads the task off the evaluation numbers, search runs and failed runs included', () => {
    expect([a, c, forecast, anomaly, clusters, custom, failed].map(runTask)).toEqual(['classification', 'regression', 'forecasting', 'anomaly', 'clustering', undefined, undefined]);
    // A search run records the searched metric and its spread only.
    expect(runTask({ metrics: { accuracy: 0.96, accuracyStd: 0.01 } })).toBe('classification');
    expect(runTask({ metrics: { rmse: 3.1, rmseStd: 0.2 } })).toBe('regression');
  });
});

describe('metricColumns', () => {
  it("shows one task's headline metrics, in their order, never counts or settings", () => {
    expect(metricColumns([a, b])).toEqual(['accuracy', 'macroF1']);
    expect(metricColumns([c])).toEqual(['r2', 'rmse', 'mae']);
    // At most MAX_METRIC_COLUMNS (5): baselineMae, averagePrecision, flaggedShare do not fit.
    expect(metricColumns([forecast])).toEqual(['mae', 'rmse', 'mape', 'skill', 'maeRatio']);
    expect(metricColumns([anomaly])).toEqual(['f1', 'precision', 'recall', 'rocAuc', 'threshold']);
    expect(metricColumns([failed])).toEqual([]);
    expect(metricColumns([])).toEqual([]);
  });

  it('shares the columns between tasks round-robin, most common task first, a shared metric once', () => {
    // classification (2 runs) first; then regression, forecasting, anomaly (1 run each) in RUN_TASKS order.
    // Round 1: accuracy, r2, mae (forecasting), f1; round 2: macroF1 -> 5, grouped by task.
    expect(metricColumns([a, b, c, forecast, anomaly])).toEqual(['accuracy', 'macroF1', 'r2', 'mae', 'f1']);
    // One run each: RUN_TASKS order (clustering, forecasting, anomaly); round 1, then inertia and rmse.
    expect(metricColumns([forecast, anomaly, clusters])).toEqual(['silhouette', 'inertia', 'mae', 'rmse', 'f1']);
  });

  it('adds the other numbers of runs of no known task, if there is room', () => {
    expect(metricColumns([c, custom])).toEqual(['r2', 'rmse', 'mae', 'zeta']);
  });
});

describe('orderComparedMetrics', () => {
  it("puts the runs' headline metrics first, then other numbers, then sizes, then last.*", () => {
    const names = ['baselineMae', 'horizon', 'last.loss', 'lookback', 'mae', 'maeRatio', 'mape', 'n', 'rmse', 'skill'].map((name) => ({ name }));
    expect(orderComparedMetrics(names, [forecast]).map((m) => m.name)).toEqual(['mae', 'rmse', 'mape', 'skill', 'maeRatio', 'baselineMae', 'horizon', 'lookback', 'n', 'last.loss']);
    expect(orderComparedMetrics([{ name: 'zeta' }, { name: 'n' }, { name: 'accuracy' }], [a]).map((m) => m.name)).toEqual(['accuracy', 'zeta', 'n']);
  });
});

describe('sortRuns', () => {
  it('sorts by time, numbers and text, keeping runs without the value last', () => {
    expect(sortRuns([a, b, c], { key: 'started', dir: 'desc' }).map((r) => r.id[0])).toEqual(['b', 'a', 'c']);
    expect(sortRuns([a, b, c], { key: 'metric:accuracy', dir: 'desc' }).map((r) => r.id[0])).toEqual(['b', 'a', 'c']);
    expect(sortRuns([a, b, c], { key: 'metric:accuracy', dir: 'asc' }).map((r) => r.id[0])).toEqual(['a', 'b', 'c']);
    expect(sortRuns([a, b, c], { key: 'rows', dir: 'asc' }).map((r) => r.id[0])).toEqual(['c', 'a', 'b']);
    expect(sortRuns([a, b, c], { key: 'duration', dir: 'asc' }).map((r) => r.id[0])).toEqual(['b', 'c', 'a']);
    expect(sortRuns([a, b, c], { key: 'template', dir: 'asc' }).map((r) => r.id[0])).toEqual(['c', 'a', 'b']);
  });

  it('flips the direction of the same column; a new text column starts ascending', () => {
    expect(nextSort({ key: 'started', dir: 'desc' }, 'started')).toEqual({ key: 'started', dir: 'asc' });
    expect(nextSort({ key: 'started', dir: 'desc' }, 'template')).toEqual({ key: 'template', dir: 'asc' });
    expect(nextSort({ key: 'started', dir: 'asc' }, 'metric:r2')).toEqual({ key: 'metric:r2', dir: 'desc' });
  });
});

describe('formatting', () => {
  it('prints counts as integers and scores with 4 decimals', () => {
    expect([292, 0.83904, 12345.678, 0.00001234, null].map((v) => formatMetric(v))).toEqual(['292', '0.8390', '12345.7', '1.234e-5', '–']);
    // Known metrics always with decimals, counts as integers, unknown names as formatMetric.
    expect([formatNamedMetric('f1', 0), formatNamedMetric('last.valAccuracy', 1), formatNamedMetric('n', 81), formatNamedMetric('lookback', 12), formatNamedMetric('zeta', 3), formatNamedMetric('zeta', 0.5)]).toEqual(['0.0000', '1.0000', '81', '12', '3', '0.5000']);
    // A score column prints 0 and 1 like its other values.
    expect([0, 1, 0.5].map((v) => formatMetric(v, false))).toEqual(['0.0000', '1.0000', '0.5000']);
    expect([null, 850, 12_345, 125_000].map(formatDuration)).toEqual(['–', '850 ms', '12.3 s', '2 min 05 s']);
  });

  it('marks the best value only when the direction is known and values differ', () => {
    expect(bestIndex([0.8, 0.9, null], 'higher')).toBe(1);
    expect(bestIndex([0.5, 0.7], 'lower')).toBe(0);
    expect(bestIndex([0.5, 0.5], 'lower')).toBe(-1);
    expect(bestIndex([292, 300], undefined)).toBe(-1);
    expect(bestIndex([0.5, null], 'higher')).toBe(-1);
  });
});

describe('curveFigures', () => {
  it('overlays training (solid) and validation (dashed) curves per metric, one colour per run, loss first', () => {
    const cmp: RunComparisonInfo = {
      runs: [a, b],
      paramsDiff: [],
      paramsSame: {},
      metrics: [],
      curves: {
        accuracy: { [a.id]: [{ epoch: 1, value: 0.5 }, { epoch: 2, value: 0.6 }], [b.id]: [{ epoch: 1, value: 0.55 }, { epoch: 2, value: 0.7 }] },
        loss: { [a.id]: [{ epoch: 1, value: 1 }, { epoch: 2, value: 0.8 }], [b.id]: [{ epoch: 1, value: 0.9 }, { epoch: 2, value: 0.6 }] },
        valLoss: { [a.id]: [{ epoch: 1, value: 1.1 }, { epoch: 2, value: 0.9 }] },
        valAccuracy: { [b.id]: [{ epoch: 1, value: null }] },
      },
    };
    const figures = curveFigures(cmp);
    expect(figures.map((f) => f.metric)).toEqual(['loss', 'accuracy']);
    const loss = figures[0]?.figure.data as Array<{ name: string; y: number[]; line: { color: string; dash: string } }>;
    expect(loss.map((t) => [t.name, t.line.color, t.line.dash, t.y])).toEqual([
      ['aaaaaaaa training', '#1f77b4', 'solid', [1, 0.8]],
      ['bbbbbbbb training', '#ff7f0e', 'solid', [0.9, 0.6]],
      ['aaaaaaaa validation', '#1f77b4', 'dash', [1.1, 0.9]],
    ]);
    // valAccuracy has no value at all: only the two training curves of accuracy.
    expect((figures[1]?.figure.data as unknown[]).length).toBe(2);
  });

  it('puts one tick per epoch on short runs only', () => {
    const curves = (epochs: number): RunComparisonInfo => ({ runs: [a], paramsDiff: [], paramsSame: {}, metrics: [], curves: { loss: { [a.id]: Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, value: 1 / (i + 1) })) } } });
    const xaxis = (epochs: number): unknown => (curveFigures(curves(epochs))[0]?.figure.layout as { xaxis: unknown }).xaxis;
    expect(xaxis(5)).toMatchObject({ tickformat: 'd', dtick: 1 });
    expect(xaxis(60)).not.toHaveProperty('dtick');
  });
});

describe('suggestedModelName', () => {
  it('offers the notebook file name, else the template, cleaned to a valid model name', () => {
    expect(suggestedModelName({ notebook: { path: 'sub/seattle weather.stratum.json' }, templateId: 'tabular.mlp-classifier' })).toBe('seattle-weather');
    expect(suggestedModelName({ notebook: null, templateId: 'tabular.mlp-classifier' })).toBe('mlp-classifier');
    expect(suggestedModelName({ notebook: { path: '__.stratum.json' }, templateId: null })).toBe('model');
  });
});
