// compareRuns on hand-built runs: every expected value below is read off the runs by hand.
import { describe, expect, it } from 'vitest';
import { thrown } from '../testing.ts';
import { compareRuns, metricDirection } from './compare.ts';
import type { ExperimentName, MetricPoint, RunDetail, RunId } from './types.ts';

function run(id: string, params: Record<string, unknown>, evaluation: Record<string, unknown> | null, metrics: Array<[string, number, number | null]> = []): RunDetail {
  return {
    id: id as RunId,
    experiment: 'e' as ExperimentName,
    status: 'finished',
    notebook: null,
    templateId: 'tabular.mlp-classifier',
    params,
    data: null,
    backend: 'cpu',
    seed: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:01.000Z',
    durationMs: 1000,
    evaluation,
    error: null,
    metrics: metrics.map(([name, epoch, value]): MetricPoint => ({ name, epoch, value, stepMs: 10 })),
    artifacts: [],
  };
}

const A = 'aaaaaaaaaaaa';
const B = 'bbbbbbbbbbbb';
const C = 'cccccccccccc';

describe('compareRuns', () => {
  it('diffs params by value (key order ignored), keeping absent ones apart from null', () => {
    const cmp = compareRuns([
      run(A, { lr: 0.01, layers: [64, 64], opts: { a: 1, b: 2 }, note: null }, null),
      run(B, { lr: 0.1, layers: [64, 64], opts: { b: 2, a: 1 } }, null),
    ]);
    expect(cmp.paramsDiff).toEqual([
      { name: 'lr', values: [0.01, 0.1] },
      { name: 'note', values: [null, undefined] },
    ]);
    expect(cmp.paramsSame).toEqual({ layers: [64, 64], opts: { a: 1, b: 2 } });
  });

  it('builds the metric table from evaluation numbers and last epoch values, null where missing', () => {
    const cmp = compareRuns([
      run(A, {}, { accuracy: 0.75, n: 292, labels: ['x', 'y'], sizes: { train: 10, test: 2 } }, [['loss', 2, 0.5], ['loss', 1, 0.9], ['valLoss', 1, null]]),
      run(B, {}, { accuracy: 0.8, r2: 0.5 }, [['loss', 1, 0.7]]),
      run(C, {}, null),
    ]);
    expect(cmp.metrics).toEqual([
      { name: 'accuracy', values: [0.75, 0.8, null] },
      { name: 'last.loss', values: [0.5, 0.7, null] },
      { name: 'last.valLoss', values: [null, null, null] },
      { name: 'n', values: [292, null, null] },
      { name: 'r2', values: [null, 0.5, null] },
    ]);
    // Epochs were given out of order for run A: the curve is in epoch order, so `last` is epoch 2.
    expect(cmp.curves).toEqual({
      loss: { [A]: [{ epoch: 1, value: 0.9 }, { epoch: 2, value: 0.5 }], [B]: [{ epoch: 1, value: 0.7 }] },
      valLoss: { [A]: [{ epoch: 1, value: null }] },
    });
    expect(cmp.directions).toEqual({ accuracy: 'higher', 'last.loss': 'lower', 'last.valLoss': 'lower', r2: 'higher' });
    expect(cmp.runs.map((r) => r.id)).toEqual([A, B, C]);
    expect(cmp.runs[0]).not.toHaveProperty('metrics');
  });

  it('refuses fewer than two runs and a run given twice', () => {
    expect(thrown(() => compareRuns([run(A, {}, null)])).code).toBe('USAGE');
    const twice = thrown(() => compareRuns([run(A, {}, null), run(A, {}, null)]));
    expect(twice.code).toBe('USAGE');
    expect(twice.message).toBe(`run ${A} is listed twice; compare distinct runs`);
  });
});

describe('metricDirection', () => {
  it('knows scores, losses and errors, with or without the last. prefix', () => {
    expect(['accuracy', 'macroF1', 'rocAuc', 'r2', 'silhouette', 'last.valAccuracy'].map(metricDirection)).toEqual(['higher', 'higher', 'higher', 'higher', 'higher', 'higher']);
    expect(['logLoss', 'rmse', 'mae', 'inertia', 'last.loss'].map(metricDirection)).toEqual(['lower', 'lower', 'lower', 'lower', 'lower']);
    expect(['precision', 'recall', 'f1', 'averagePrecision', 'skill', 'maeRatio'].map(metricDirection)).toEqual(['higher', 'higher', 'higher', 'higher', 'higher', 'lower']);
    expect(metricDirection('n')).toBeUndefined();
  });
});
