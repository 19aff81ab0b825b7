import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { StratumError } from '../errors.ts';
import { thrown } from '../testing.ts';
import { trainDecisionTree, type DecisionTreeParams } from './classic.ts';
import { crossValidate, type TabularTrainer } from './cv.ts';
import type { TrainedModel } from './model.ts';
import {
  gridCoverageWarning, gridPoints, gridSize, hyperparameterSearch, randomPoints, rankedTrials, searchParallelCoordinates, searchResultsTable, searchSummary, templateParamsSchema, validateSearchSpace,
  type SearchResult, type SearchTrial,
} from './search.ts';
import { stratifiedSplit } from './split.ts';
import type { FeatureRecord } from './types.ts';
import { initBackend } from '../tf/backend.ts';

// Palmer penguins (vega-datasets): 344 rows, 3 species, some missing measurements.
const penguins = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as FeatureRecord[];
const FEATURES = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
const TREE = templateParamsSchema('tabular.decision-tree');

function take<T>(it: Iterator<T>, n: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const next = it.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

async function rejected(p: Promise<unknown>): Promise<StratumError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof StratumError)) throw new Error(`expected a StratumError, got ${String(error)}`);
  return error;
}

describe('search space', () => {
  it('enumerates a grid in scikit-learn ParameterGrid order (params sorted, the last varying fastest) and counts it', () => {
    const dims = validateSearchSpace({ space: { minSamples: [2, 5, 10], maxDepth: [2, 4] }, strategy: 'grid', paramsSchema: TREE });
    expect(gridSize(dims)).toBe(6);
    // scikit-learn 1.2.1: list(ParameterGrid({'minSamples': [2, 5, 10], 'maxDepth': [2, 4]}))
    expect([...gridPoints(dims)]).toEqual([
      { maxDepth: 2, minSamples: 2 }, { maxDepth: 2, minSamples: 5 }, { maxDepth: 2, minSamples: 10 },
      { maxDepth: 4, minSamples: 2 }, { maxDepth: 4, minSamples: 5 }, { maxDepth: 4, minSamples: 10 },
    ]);
  });

  it('draws random points reproducibly by seed, without replacement over lists, within ranges', () => {
    const lists = validateSearchSpace({ space: { maxDepth: [2, 3, 4, 5], minSamples: [2, 5, 10] }, strategy: 'random', paramsSchema: TREE });
    const a = [...randomPoints(lists, 7)];
    expect(a).toHaveLength(12); // the whole grid, each point once
    expect(new Set(a.map((p) => JSON.stringify(p))).size).toBe(12);
    expect([...randomPoints(lists, 7)]).toEqual(a);
    expect([...randomPoints(lists, 8)]).not.toEqual(a);

    const lr = templateParamsSchema('tabular.logistic-regression');
    const ranges = validateSearchSpace({ space: { learningRate: { min: 1e-4, max: 1e-1, log: true }, epochs: { min: 5, max: 20 }, l2: [0, 0.01] }, strategy: 'random', paramsSchema: lr });
    const draws = take(randomPoints(ranges, 3), 200);
    expect(take(randomPoints(ranges, 3), 200)).toEqual(draws);
    for (const d of draws) {
      expect(d.learningRate as number).toBeGreaterThanOrEqual(1e-4);
      expect(d.learningRate as number).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(d.epochs)).toBe(true);
      expect([0, 0.01]).toContain(d.l2);
    }
    const epochs = draws.map((d) => d.epochs as number);
    expect(Math.min(...epochs)).toBe(5); // both ends of an integer range occur in 200 draws of 16 values
    expect(Math.max(...epochs)).toBe(20);
    // Log-uniform: about a third of the draws in each decade [1e-4, 1e-3), [1e-3, 1e-2), [1e-2, 1e-1].
    const low = draws.filter((d) => (d.learningRate as number) < 1e-3).length;
    expect(low).toBeGreaterThan(40);
    expect(low).toBeLessThan(95);
  });

  it('refuses a bad space with an error naming the param', () => {
    const space = (s: unknown, strategy: 'grid' | 'random' = 'grid', schema = TREE): StratumError => thrown(() => validateSearchSpace({ space: s, strategy, paramsSchema: schema, templateId: 'tabular.decision-tree' }));
    const unknown = space({ depth: [2, 3] });
    expect(unknown.message).toBe('space.depth: depth is not a param of tabular.decision-tree');
    expect(unknown.hint).toBe('Searchable params: maxDepth, minSamples, gainThreshold.');
    expect(space({ maxDepth: [2, 0] }).message).toBe('space.maxDepth[1]: 0 is not a valid maxDepth: must be >= 1');
    expect(space({ maxDepth: [2, 0] }).detail.field).toBe('space.maxDepth[1]');
    expect(space({ maxDepth: [2.5] }).message).toBe('space.maxDepth[0]: 2.5 is not a valid maxDepth: must be integer');
    expect(space({ seed: [1, 2] }).message).toBe('space.seed: seed cannot be searched: it seeds the split and the folds (every trial uses the same)');
    expect(space({ testFraction: [0.2, 0.3] }).detail.field).toBe('space.testFraction');
    expect(space({ maxDepth: { min: 2, max: 8 } }).message).toBe('space.maxDepth: a range needs strategy "random"; grid search takes a list of values');
    expect(space({ maxDepth: [] }).message).toBe('space.maxDepth: the list of values is empty');
    expect(space({ maxDepth: [3, 3] }).message).toBe('space.maxDepth[1]: 3 is listed twice');
    expect(space({}).detail.field).toBe('space');
    expect(space({ maxDepth: { min: 8, max: 2 } }, 'random').message).toBe('space.maxDepth: min (8) must be less than max (2)');
    expect(space({ maxDepth: { min: 2, max: 8, integer: false } }, 'random').detail.field).toBe('space.maxDepth.integer');
    expect(space({ maxDepth: { min: 1, max: 100 } }, 'random').message).toBe('space.maxDepth.max: 100 is not a valid maxDepth: must be <= 64');
    const lr = templateParamsSchema('tabular.logistic-regression');
    expect(space({ learningRate: { min: 0, max: 0.1 } }, 'random', lr).message).toBe('space.learningRate.min: 0 is not a valid learningRate: must be > 0');
    expect(space({ l2: { min: 0, max: 1, log: true } }, 'random', lr).message).toBe('space.l2.min: a log range needs min > 0, got 0');
    expect(space({ classWeight: { min: 0, max: 1 } }, 'random', lr).message).toBe('space.classWeight: classWeight is not numeric (type "string"): give a list of values');
    expect(space({ classWeight: ['balanced', 'auto'] }, 'grid', lr).message).toBe('space.classWeight[1]: "auto" is not a valid classWeight: must be equal to one of the allowed values');
  });
});

/** Every row with a target, then the template's own seeded split: the rows a search cross-validates. */
function trainingSide(records: FeatureRecord[], testFraction = 0.2, seed = 42): FeatureRecord[] {
  const kept = records.filter((r) => r.Species !== null && r.Species !== undefined);
  return stratifiedSplit(kept.map((r) => String(r.Species)), { testFraction, seed }).train.map((i) => kept[i]);
}

describe('hyperparameterSearch', () => {
  const base = { target: 'Species', features: FEATURES };

  it('finds decision-tree params on penguins whose CV accuracy is at least the default params\' (same rows, same folds), and refits them', async () => {
    const result = await hyperparameterSearch({
      templateId: 'tabular.decision-tree', records: penguins, baseParams: base,
      space: { maxDepth: [2, 3, 4, 6], minSamples: [2, 5, 10] }, strategy: 'grid', folds: 3,
    });
    expect(result.trials).toHaveLength(12);
    expect(result.stopReason).toBe('exhausted');
    expect(result.trials.map((t) => t.params)).toEqual([...gridPoints(result.dimensions)]);
    const searched = trainingSide(penguins);
    expect(result.rows).toEqual({ search: searched.length, heldOut: 344 - searched.length, missingTarget: 0 });
    // The defaults (maxDepth 8, minSamples 3) are not in the grid: this comparison could fail.
    const defaults = await crossValidate({ templateId: 'tabular.decision-tree', records: searched, params: base, folds: 3, seed: 42 });
    expect(result.best.mean).toBeGreaterThanOrEqual(defaults.mean as number);
    expect(result.best.mean).toBe(Math.max(...result.trials.map((t) => t.mean as number)));
    expect(result.best.mean).toBeGreaterThan(0.9);
    // The refit trains on exactly the rows the search used and is evaluated on the others.
    const model = result.model as TrainedModel;
    expect(model.sizes).toEqual({ train: result.rows.search, test: result.rows.heldOut });
    expect(model.params).toMatchObject(result.best.params);
    expect(searchSummary(result)).toContain(`best: trial ${result.best.trial}, accuracy ${result.best.mean.toFixed(4)}`);
    // The table is sorted by the metric, best first.
    const table = searchResultsTable(result);
    const meanColumn = table.columns.findIndex((c) => c.name === 'accuracy (mean)');
    const means = table.rows.map((r) => r[meanColumn] as number);
    expect(means).toEqual([...means].sort((a, b) => b - a));
    expect(table.rows[0][1]).toBe(result.best.trial);
    expect(table.columns.map((c) => c.name)).toEqual(['rank', 'trial', 'maxDepth', 'minSamples', 'accuracy (mean)', 'accuracy (std)', 'status', 'seconds']);
  });

  it('stops at exactly N trials with a trials budget, and by the clock with a minutes budget (checked between trials)', async () => {
    const space = { maxDepth: [2, 3, 4], minSamples: [2, 5, 10] };
    const byTrials = await hyperparameterSearch({ templateId: 'tabular.decision-tree', records: penguins, baseParams: base, space, strategy: 'grid', budget: { trials: 4 }, folds: 2, refit: false });
    expect(byTrials.trials.map((t) => t.index)).toEqual([1, 2, 3, 4]);
    expect(byTrials.stopReason).toBe('trials');
    expect(byTrials.stopDetail).toBe('the budget of 4 trials was reached');
    // 4 of the 9 grid points, in grid order: the summary says so and suggests random search.
    expect(byTrials.warnings).toEqual(["the grid has 9 combinations but the budget of 4 trials stopped it after 4, the first 4 in grid order (the last param varies fastest); use strategy: 'random' to sample the whole space within the same budget, or shrink the grid"]);
    expect(searchSummary(byTrials)).toContain(`\nwarning: ${(byTrials.warnings as string[])[0]}`);
    expect(byTrials.model).toBeUndefined();

    let clock = 0;
    const byTime = await hyperparameterSearch({
      templateId: 'tabular.decision-tree', records: penguins, baseParams: base, space, strategy: 'random', budget: { minutes: 2.5 }, folds: 2, refit: false,
      now: () => clock,
      onTrial: () => (clock += 60_000), // each trial "takes" one minute
    });
    // After trials 1, 2, 3 the clock reads 1, 2, 3 minutes: the third check (3 >= 2.5) stops it.
    expect(byTime.trials).toHaveLength(3);
    expect(byTime.stopReason).toBe('minutes');
    expect(byTime.warnings).toBeUndefined(); // random search samples the whole space
    const exhausted = await hyperparameterSearch({ templateId: 'tabular.decision-tree', records: penguins, baseParams: base, space: { maxDepth: [2, 3] }, strategy: 'grid', budget: { trials: 2 }, folds: 2, refit: false });
    expect(exhausted.warnings).toBeUndefined();
  });

  it('is reproducible by seed for random search', async () => {
    const options = { templateId: 'tabular.decision-tree', records: penguins, baseParams: base, space: { maxDepth: { min: 1, max: 10 }, gainThreshold: { min: 0.001, max: 0.1, log: true } }, strategy: 'random' as const, budget: { trials: 3 }, folds: 2, refit: false };
    const a = await hyperparameterSearch({ ...options, seed: 5 });
    const b = await hyperparameterSearch({ ...options, seed: 5 });
    const c = await hyperparameterSearch({ ...options, seed: 6 });
    expect(b.trials.map((t) => [t.params, t.mean])).toEqual(a.trials.map((t) => [t.params, t.mean]));
    expect(c.trials.map((t) => t.params)).not.toEqual(a.trials.map((t) => t.params));
  });

  it('searches a TF.js template (log range of the learning rate) and leaves no tensor but the refit model\'s', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const result = await hyperparameterSearch({
      templateId: 'tabular.logistic-regression', records: penguins, baseParams: { ...base, features: ['Beak Length (mm)', 'Flipper Length (mm)'], epochs: 3, batchSize: 64 },
      space: { learningRate: { min: 0.001, max: 0.3, log: true } }, strategy: 'random', budget: { trials: 2 }, folds: 2, metric: 'logLoss', seed: 9,
    });
    expect(result.trials.map((t) => t.status)).toEqual(['finished', 'finished']);
    expect(result.direction).toBe('minimize');
    expect(result.best.mean).toBe(Math.min(...result.trials.map((t) => t.mean as number)));
    const model = result.model as TrainedModel;
    expect(model.params.learningRate).toBe(result.best.params.learningRate);
    model.adapter.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('records a failing trial and goes on; fails only when every trial failed', async () => {
    const flaky: TabularTrainer = async (records, params) => {
      if (params.maxDepth === 3) throw new StratumError('TRAINING_FAILED', 'depth 3 is cursed');
      return trainDecisionTree(records, params as unknown as DecisionTreeParams);
    };
    const result = await hyperparameterSearch({ train: flaky, task: 'classification', paramsSchema: TREE, records: penguins, baseParams: base, space: { maxDepth: [2, 3, 4] }, strategy: 'grid', folds: 2 });
    expect(result.trials.map((t) => t.status)).toEqual(['finished', 'failed', 'finished']);
    expect(result.trials[1].error).toEqual({ code: 'TRAINING_FAILED', message: 'depth 3 is cursed' });
    expect(rankedTrials(result).at(-1)?.index).toBe(2);
    const error = await rejected(hyperparameterSearch({ train: flaky, task: 'classification', records: penguins, baseParams: base, space: { maxDepth: [3] }, strategy: 'grid', folds: 2 }));
    expect(error.code).toBe('TRAINING_FAILED');
    expect(error.message).toBe('no trial of the search gave a accuracy score (1 trials); trial 1 failed with TRAINING_FAILED: depth 3 is cursed');
  });

  it('stops between trials when cancelled', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const error = await rejected(hyperparameterSearch({
      templateId: 'tabular.decision-tree', records: penguins, baseParams: base, space: { maxDepth: [2, 3, 4, 5] }, strategy: 'grid', folds: 2, signal: controller.signal,
      onTrial: (t) => {
        seen.push(t.index);
        if (t.index === 2) controller.abort();
      },
    }));
    expect(error.code).toBe('KERNEL_INTERRUPTED');
    expect(error.message).toBe('the search (after 2 trials) was cancelled');
    expect(seen).toEqual([1, 2]);
  });

  it('checks base params, budget, metric and direction', async () => {
    const run = (extra: object): Promise<StratumError> => rejected(hyperparameterSearch({ templateId: 'tabular.decision-tree', records: penguins, baseParams: base, space: { maxDepth: [2] }, strategy: 'grid', ...extra }));
    expect((await run({ baseParams: { ...base, maxdepth: 3 } })).message).toBe('baseParams.maxdepth: maxdepth is not a trainer param of tabular.decision-tree');
    expect((await run({ baseParams: { ...base, maxDepth: 3 } })).message).toBe('baseParams.maxDepth: maxDepth is searched: remove it from the base params');
    expect((await run({ baseParams: { ...base, minSamples: 0 } })).detail.field).toBe('baseParams.minSamples');
    expect((await run({ budget: { trials: 0 } })).detail.field).toBe('budget.trials');
    expect((await run({ metric: 'r2' })).detail.field).toBe('metric');
    expect((await run({ metric: 'logLoss', direction: 'maximize' })).message).toBe('direction: logLoss is minimized (lower is better), not "maximize"');
    expect((await run({ templateId: 'tabular.kmeans' })).code).toBe('TEMPLATE_UNKNOWN');
  });
});

describe('search outputs', () => {
  const trial = (index: number, params: Record<string, unknown>, mean: number | null, status: SearchTrial['status'] = 'finished'): SearchTrial => ({ index, params, status, mean, std: mean === null ? null : 0.01, foldScores: [], metrics: {}, durationMs: 1000 * index });
  const result = {
    templateId: 'tabular.mlp-classifier', task: 'classification', strategy: 'random', metric: 'logLoss', direction: 'minimize', folds: 3, seed: 1,
    dimensions: [
      { name: 'hiddenLayers', kind: 'list', values: [[8], [16, 8]] },
      { name: 'learningRate', kind: 'range', min: 0.0005, max: 0.05, log: true, integer: false },
    ],
    baseParams: {}, budget: {},
    trials: [trial(1, { hiddenLayers: [16, 8], learningRate: 0.001 }, 0.3), trial(2, { hiddenLayers: [8], learningRate: 0.01 }, 0.2), trial(3, { hiddenLayers: [8], learningRate: 0.05 }, null, 'failed')],
    best: { trial: 2, params: { hiddenLayers: [8], learningRate: 0.01 }, mean: 0.2, std: 0.01 },
    stopReason: 'trials', stopDetail: 'the budget of 3 trials was reached', planned: null, rows: { search: 100, heldOut: 25, missingTarget: 0 }, durationMs: 6000,
  } as SearchResult;

  it('draws one parcoords axis per searched param plus the metric, with categorical values as tick labels and log ranges in decades', () => {
    const figure = searchParallelCoordinates(result);
    expect(figure.data).toHaveLength(1);
    const trace = figure.data[0] as { type: string; dimensions: Array<Record<string, unknown>>; line: { color: number[]; reversescale: boolean } };
    expect(trace.type).toBe('parcoords');
    expect(trace.dimensions.map((d) => d.label)).toEqual(['hiddenLayers', 'learningRate (log)', 'logLoss (CV mean)']);
    // Only the scored trials (1 and 2): hiddenLayers [16, 8] -> tick 1, [8] -> tick 0.
    expect(trace.dimensions[0]).toMatchObject({ values: [1, 0], tickvals: [0, 1], ticktext: ['[8]', '[16,8]'] });
    expect(trace.dimensions[1].values).toEqual([-3, -2]); // log10(0.001), log10(0.01)
    expect(trace.dimensions[1]).toMatchObject({ tickvals: [-4, -3, -2, -1], ticktext: ['1e-4', '1e-3', '1e-2', '1e-1'] });
    expect(trace.dimensions[2].values).toEqual([0.3, 0.2]);
    expect(trace.line.color).toEqual([0.3, 0.2]);
    expect(trace.line.reversescale).toBe(true); // lower log loss is better: the bright end is the low end
  });

  it('warns when a budget stops a grid far from its end, naming the params that never changed', () => {
    const values = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
    const dimensions = [
      { name: 'epochs', kind: 'list', values: values(200) },
      { name: 'maxDepth', kind: 'list', values: values(100) },
      { name: 'minSamples', kind: 'list', values: values(160) },
    ] as SearchResult['dimensions'];
    const big = { strategy: 'grid', dimensions, planned: 200 * 100 * 160, stopReason: 'trials', budget: { trials: 2 }, trials: [trial(1, { epochs: 1, maxDepth: 1, minSamples: 1 }, 0.5), trial(2, { epochs: 1, maxDepth: 1, minSamples: 2 }, 0.6)] } satisfies Parameters<typeof gridCoverageWarning>[0];
    expect(gridCoverageWarning(big)).toBe(
      "the grid has 3,200,000 combinations but the budget of 2 trials stopped it after 2, the first 2 in grid order (the last param varies fastest): epochs stayed 1, maxDepth stayed 1; use strategy: 'random' to sample the whole space within the same budget, or shrink the grid",
    );
    expect(gridCoverageWarning({ ...big, stopReason: 'minutes', budget: { minutes: 0.5 } })).toMatch(/^the grid has 3,200,000 combinations but the time budget of 0\.5 min stopped it after 2, /);
    expect(gridCoverageWarning({ ...big, strategy: 'random' })).toBeUndefined();
  });

  it('types integer-valued params as int32 columns and fractional ones as float32', () => {
    const ints = { ...result, dimensions: [{ name: 'maxDepth', kind: 'range', min: 1, max: 10, log: false, integer: true }, { name: 'gainThreshold', kind: 'list', values: [0.01, 1] }], trials: [trial(1, { maxDepth: 3, gainThreshold: 0.01 }, 0.3), trial(2, { maxDepth: 7, gainThreshold: 1 }, 0.2)] } as SearchResult;
    const table = searchResultsTable(ints);
    expect(table.columns.slice(2, 4)).toEqual([{ name: 'maxDepth', dtype: 'int32' }, { name: 'gainThreshold', dtype: 'float32' }]);
    expect(table.rows.map((r) => r[2])).toEqual([7, 3]);
  });

  it('ranks the table best first (lowest log loss), failed trials last without a rank', () => {
    const table = searchResultsTable(result);
    expect(table.rows.map((r) => [r[0], r[1]])).toEqual([[1, 2], [2, 1], [null, 3]]);
    expect(table.rows[0][2]).toBe('[8]');
    expect(table.rows[2][6]).toBe('failed: error');
    expect(table.columns[2]).toEqual({ name: 'hiddenLayers', dtype: 'string' });
    expect(table.columns[3]).toEqual({ name: 'learningRate', dtype: 'float32' });
  });
});
