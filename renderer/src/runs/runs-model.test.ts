// The Runs view's pure helpers on hand-built runs (expected values read off the inputs by hand).
import { describe, expect, it } from 'vitest';
import type { RunComparisonInfo, RunSummary } from '../../../core/api/contract.ts';
import { bestIndex, curveFigures, formatDuration, formatMetric, metricColumns, nextSort, sortRuns, suggestedModelName } from './runs-model.ts';

function run(id: string, startedAt: string, metrics: Record<string, number>, extra: Partial<RunSummary> = {}): RunSummary {
  return { id, experiment: 'default', status: 'finished', templateId: 'tabular.mlp-classifier', notebook: null, data: null, backend: 'wasm', seed: 1, startedAt, endedAt: null, durationMs: null, metrics, error: null, ...extra };
}

const a = run('aaaaaaaaaaaa', '2026-01-01T10:00:00.000Z', { accuracy: 0.8, macroF1: 0.5, n: 292 }, { durationMs: 3000, data: { source: 's', rowCount: 100, sha256: 'x' } });
const b = run('bbbbbbbbbbbb', '2026-01-01T11:00:00.000Z', { accuracy: 0.9, n: 292 }, { durationMs: 1000 });
const c = run('cccccccccccc', '2026-01-01T09:00:00.000Z', { r2: 0.7, rmse: 4.2, mae: 3, zeta: 1 }, { templateId: 'tabular.linear-regression', durationMs: 2000, data: { source: 's', rowCount: 50, sha256: 'y' } });

describe('metricColumns', () => {
  it('puts headline metrics first in their fixed order, never counts, at most 4', () => {
    expect(metricColumns([a, b])).toEqual(['accuracy', 'macroF1']);
    expect(metricColumns([c])).toEqual(['r2', 'rmse', 'mae', 'zeta']);
    expect(metricColumns([a, c])).toEqual(['accuracy', 'macroF1', 'r2', 'rmse']);
    expect(metricColumns([])).toEqual([]);
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
    expect([292, 0.83904, 12345.678, 0.00001234, null].map(formatMetric)).toEqual(['292', '0.8390', '12345.7', '1.234e-5', '–']);
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
});

describe('suggestedModelName', () => {
  it('offers the notebook file name, else the template, cleaned to a valid model name', () => {
    expect(suggestedModelName({ notebook: { path: 'sub/seattle weather.stratum.json' }, templateId: 'tabular.mlp-classifier' })).toBe('seattle-weather');
    expect(suggestedModelName({ notebook: null, templateId: 'tabular.mlp-classifier' })).toBe('mlp-classifier');
    expect(suggestedModelName({ notebook: { path: '__.stratum.json' }, templateId: null })).toBe('model');
  });
});
