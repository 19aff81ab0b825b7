import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { thrown } from '../testing.ts';
import { StratumError } from '../errors.ts';
import { trainDecisionTree, type DecisionTreeParams } from './classic.ts';
import { crossValidate, crossValidationSummary, kFold, stratifiedKFold, type TabularTrainer } from './cv.ts';
import type { TrainedModel } from './model.ts';
import { explicitSplit, prepareSupervised } from './supervised.ts';
import type { FeatureRecord, NumericFeatureStep } from './types.ts';
import { initBackend } from '../tf/backend.ts';

// Palmer penguins (vega-datasets): 344 rows, 3 species, some missing measurements.
const penguins = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as FeatureRecord[];

function expectPartition(folds: Array<{ train: number[]; test: number[] }>, n: number): void {
  const tested = folds.flatMap((f) => f.test).sort((a, b) => a - b);
  expect(tested).toEqual(Array.from({ length: n }, (_, i) => i)); // every row in exactly one test fold
  for (const f of folds) {
    expect(f.train.filter((i) => f.test.includes(i))).toEqual([]);
    expect([...f.train, ...f.test].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  }
}

describe('kFold', () => {
  it('cuts the shuffled rows into folds of n // k (+1 for the first n % k), as scikit-learn KFold', () => {
    // scikit-learn 1.2.1: [len(te) for _, te in KFold(3, shuffle=True, random_state=0).split(np.zeros(10))] == [4, 3, 3]
    const folds = kFold(10, { folds: 3, seed: 7 });
    expect(folds.map((f) => f.test.length)).toEqual([4, 3, 3]);
    expectPartition(folds, 10);
    // KFold(4) on 10 rows: [3, 3, 2, 2]
    expect(kFold(10, { folds: 4, seed: 7 }).map((f) => f.test.length)).toEqual([3, 3, 2, 2]);
  });

  it('is reproducible for a seed, shuffled, and different for another seed', () => {
    const a = kFold(30, { folds: 3, seed: 1 });
    expect(kFold(30, { folds: 3, seed: 1 })).toEqual(a);
    expect(kFold(30, { folds: 3, seed: 2 })).not.toEqual(a);
    expect(a[0].test).not.toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('refuses fewer than 2 folds, more folds than rows, and a non-integer seed', () => {
    expect(thrown(() => kFold(10, { folds: 1, seed: 1 })).detail.field).toBe('folds');
    expect(thrown(() => kFold(3, { folds: 4, seed: 1 })).message).toBe('folds: cannot make 4 folds from 3 rows');
    expect(thrown(() => kFold(10, { folds: 2, seed: 0.5 })).detail.field).toBe('seed');
  });
});

describe('stratifiedKFold', () => {
  const count = (labels: string[], rows: number[], c: string): number => rows.filter((i) => labels[i] === c).length;

  it('keeps class proportions per fold with scikit-learn StratifiedKFold\'s counts (19 rows: 10 a, 6 b, 3 c)', () => {
    const y = ['b', 'a', 'c', 'a', 'b', 'a', 'a', 'c', 'b', 'a', 'a', 'b', 'a', 'c', 'a', 'a', 'b', 'b', 'a'];
    const { folds, warnings } = stratifiedKFold(y, { folds: 3, seed: 0 });
    // By hand: classes by first appearance b (6), a (10), c (3); y_order = b x6, a x10, c x3 dealt
    // round-robin: fold 0 gets positions 0,3,...,18 = b b a a a a c; folds 1 and 2 get b b a a a c.
    // scikit-learn 1.2.1 StratifiedKFold(3, shuffle=True, random_state=0): a/b/c = 4/2/1, 3/2/1, 3/2/1.
    expect(folds.map((f) => ['a', 'b', 'c'].map((c) => count(y, f.test, c)))).toEqual([[4, 2, 1], [3, 2, 1], [3, 2, 1]]);
    expectPartition(folds, y.length);
    expect(warnings).toEqual([]);
  });

  it('orders classes by first appearance as scikit-learn does, and warns for a class smaller than the folds', () => {
    // c (3), a (5), b (4) in first-appearance order; 4 folds. y_order = c c c a a a a a b b b b:
    // folds 0-2 get one of each, fold 3 gets a a b (sorting the classes alphabetically would give a a b to fold 0).
    // scikit-learn 1.2.1 StratifiedKFold(4, shuffle=True, random_state=1): a/b/c = 1/1/1, 1/1/1, 1/1/1, 2/1/0 (and a UserWarning).
    const y = ['c', 'a', 'b', 'a', 'b', 'c', 'a', 'b', 'a', 'b', 'c', 'a'];
    const { folds, warnings } = stratifiedKFold(y, { folds: 4, seed: 5 });
    expect(folds.map((f) => ['a', 'b', 'c'].map((c) => count(y, f.test, c)))).toEqual([[1, 1, 1], [1, 1, 1], [1, 1, 1], [2, 1, 0]]);
    expect(warnings).toEqual(['class "c" has 3 rows, fewer than the 4 folds: some folds test none of it']);
  });

  it('shuffles within classes by seed and refuses more folds than every class has rows', () => {
    const y = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 'x' : 'y'));
    const a = stratifiedKFold(y, { folds: 5, seed: 1 }).folds;
    expect(stratifiedKFold(y, { folds: 5, seed: 1 }).folds).toEqual(a);
    expect(stratifiedKFold(y, { folds: 5, seed: 2 }).folds).not.toEqual(a);
    expect(a.map((f) => count(y, f.test, 'x'))).toEqual([4, 4, 4, 4, 4]);
    const error = thrown(() => stratifiedKFold(['a', 'a', 'b', 'b', 'c'], { folds: 3, seed: 1 }));
    expect(error.message).toBe('folds: 3 folds is more than the rows of every class (largest class: 2 rows)');
  });
});

describe('explicitSplit (the trainers\' splitIndexes)', () => {
  it('maps positions in the records to positions among the rows kept (target present), in order', () => {
    // Rows 1 and 4 have no target: kept rows are 0, 2, 3, 5 -> positions 0, 1, 2, 3.
    expect(explicitSplit({ train: [5, 0, 1], test: [3, 4] }, [0, 2, 3, 5], 6)).toEqual({ train: [3, 0], test: [2] });
  });

  it('names the bad position', () => {
    expect(thrown(() => explicitSplit({ train: [0, 0], test: [1] }, [0, 1], 2)).message).toBe('splitIndexes.train[1]: row 0 is listed twice');
    expect(thrown(() => explicitSplit({ train: [0], test: [0] }, [0, 1], 2)).message).toBe('splitIndexes.test[0]: row 0 is on both the training and the held-out side');
    expect(thrown(() => explicitSplit({ train: [0], test: [2] }, [0, 1], 2)).detail.field).toBe('splitIndexes.test[0]');
    expect(thrown(() => explicitSplit({ train: [0], test: [1] }, [0], 2)).code).toBe('DATA_INVALID');
  });

  it('is used by prepareSupervised instead of the seeded split', () => {
    const records = [0, 1, 2, 3, 4, 5].map((x) => ({ x, y: x < 3 ? 'a' : 'b' }));
    const data = prepareSupervised(records, { target: 'y', features: ['x'], splitIndexes: { train: [0, 1, 3, 4], test: [2, 5] } }, { testFraction: 0.2, seed: 1 }, 'classification');
    expect(data.test.records).toEqual([records[2], records[5]]);
    // Standardization fitted on the training rows only: mean of 0, 1, 3, 4 = 2.
    expect((data.preprocessor.steps[0] as NumericFeatureStep).mean).toBe(2);
  });
});

// 12 rows: class a at x = 0, 2, 3, 4, 5; class b at x = 10..15, plus one b "outlier" at x = 1.
const OUTLIER = [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15].map((x) => ({ x, y: x === 1 || x >= 10 ? 'b' : 'a' }));

describe('crossValidate', () => {
  it('gives the hand-computed mean and population std on a tiny deterministic case', async () => {
    // A one-split tree (maxDepth 1) learns a threshold between 5 and 10 whatever the fold, so it
    // misclassifies exactly the outlier when the outlier is in the test fold. Stratified 3 folds of
    // 5 a + 7 b are 4 rows each (a/b = 2/2, 2/2, 1/3), so the fold scores are {3/4, 1, 1} in some
    // order: mean 11/12 = 0.91666..., population std sqrt(((1/12)^2 * 2 + (1/6)^2) / 3) = sqrt(1/72)
    // = 0.11785113019775792 (numpy: np.std([1, 1, .75])).
    for (const seed of [1, 2, 3]) {
      const cv = await crossValidate({ templateId: 'tabular.decision-tree', records: OUTLIER, params: { target: 'y', features: ['x'], maxDepth: 1, minSamples: 1 }, folds: 3, seed });
      expect(cv.perFold.map((f) => f.testRows)).toEqual([4, 4, 4]);
      expect([...cv.scores].sort()).toEqual([0.75, 1, 1]);
      expect(cv.mean).toBeCloseTo(11 / 12, 12);
      expect(cv.std).toBeCloseTo(0.11785113019775792, 12);
      expect(cv).toMatchObject({ metric: 'accuracy', direction: 'maximize', folds: 3, stratified: true, rows: 12, missingTarget: 0 });
      expect(cv.metrics.accuracy).toEqual({ mean: cv.mean, std: cv.std });
    }
  });

  it('fits the preprocessing inside each fold, on that fold\'s training rows only', async () => {
    const seen: Array<{ train: number[]; mean: number }> = [];
    const records = penguins.filter((_, i) => i % 3 === 0); // 115 rows of the 3 species, row 3 without measurements
    const spy: TabularTrainer = async (recs, params) => {
      const model = await trainDecisionTree(recs, params as unknown as DecisionTreeParams);
      const split = params.splitIndexes as { train: number[] };
      seen.push({ train: split.train, mean: (model.preprocessor.steps[0] as NumericFeatureStep).mean });
      return model;
    };
    const cv = await crossValidate({ train: spy, task: 'classification', records, params: { target: 'Species', features: ['Flipper Length (mm)'] }, folds: 3, seed: 4 });
    expect(cv.perFold).toHaveLength(3);
    for (const { train, mean } of seen) {
      // Median imputation then the mean, both over the fold's training rows (computed here independently).
      const values = train.map((i) => records[i]['Flipper Length (mm)']).filter((v): v is number => typeof v === 'number');
      const sorted = [...values].sort((a, b) => a - b);
      const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
      const imputed = train.map((i) => (typeof records[i]['Flipper Length (mm)'] === 'number' ? (records[i]['Flipper Length (mm)'] as number) : median));
      expect(mean).toBeCloseTo(imputed.reduce((a, b) => a + b, 0) / imputed.length, 9);
    }
    expect(new Set(seen.map((s) => s.mean)).size).toBe(3);
  });

  it('drops rows without a target and reports every metric per fold', async () => {
    const records = [...OUTLIER, { x: 7, y: null }, { x: 8 }];
    const cv = await crossValidate({ templateId: 'tabular.decision-tree', records, params: { target: 'y', features: ['x'], maxDepth: 1, minSamples: 1 }, folds: 3, seed: 1, metric: 'macroF1' });
    expect(cv.rows).toBe(12);
    expect(cv.missingTarget).toBe(2);
    expect(cv.metric).toBe('macroF1');
    expect(Object.keys(cv.perFold[0].metrics).sort()).toEqual(['accuracy', 'balancedAccuracy', 'logLoss', 'macroF1', 'rocAuc', 'weightedF1']);
    expect(crossValidationSummary(cv)).toContain('3-fold stratified cross-validation of tabular.decision-tree on 12 rows (seed 1; 2 rows without a target left out)');
  });

  it('cross-validates the MLP classifier (older result shape) and a TF.js regressor without leaking tensors', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const mlp = await crossValidate({ templateId: 'tabular.mlp-classifier', records: penguins, params: { target: 'Species', features: ['Beak Length (mm)', 'Flipper Length (mm)'], hiddenLayers: [8], epochs: 3, batchSize: 64, learningRate: 0.05 }, folds: 2, seed: 1, metric: 'rocAuc' });
    expect(mlp.perFold.map((f) => f.trainRows + f.testRows)).toEqual([344, 344]);
    for (const f of mlp.perFold) {
      expect(f.metrics.accuracy).toBeGreaterThan(0.4);
      expect(f.metrics.rocAuc).toBeGreaterThan(0.5);
    }
    const cars = JSON.parse(readFileSync('node_modules/vega-datasets/data/cars.json', 'utf8')) as FeatureRecord[];
    const reg = await crossValidate({ templateId: 'tabular.linear-regression', records: cars, params: { target: 'Miles_per_Gallon', features: ['Horsepower', 'Weight_in_lbs'], epochs: 5, batchSize: 64 }, folds: 3, seed: 2 });
    expect(reg).toMatchObject({ metric: 'r2', direction: 'maximize', stratified: false, missingTarget: 8 });
    // 406 cars, 8 without Miles_per_Gallon: 398 rows = 3 x 132 + 2, so folds of 133, 133, 132 (plain k-fold for regression).
    expect(reg.perFold.map((f) => f.testRows)).toEqual([133, 133, 132]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops inside a fold when the signal aborts (after an epoch), disposing the model', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let epochs = 0;
    const error = await crossValidate({
      templateId: 'tabular.logistic-regression', records: penguins, params: { target: 'Species', features: ['Beak Length (mm)'], epochs: 50 }, folds: 3, seed: 1,
      signal: controller.signal,
      onEpoch: (log, fold) => {
        epochs++;
        if (fold === 1 && log.epoch === 3) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StratumError);
    expect((error as StratumError).code).toBe('KERNEL_INTERRUPTED');
    expect((error as StratumError).message).toBe('cross-validation (fold 1 of 3, epoch 3) was cancelled');
    expect(epochs).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names what is wrong', async () => {
    const params = { target: 'y', features: ['x'] };
    const err = async (p: Promise<unknown>): Promise<StratumError> => (await p.catch((e: unknown) => e)) as StratumError;
    expect((await err(crossValidate({ templateId: 'tabular.kmeans', records: OUTLIER, params }))).code).toBe('TEMPLATE_UNKNOWN');
    expect((await err(crossValidate({ templateId: 'tabular.decision-tree', records: OUTLIER, params, metric: 'rmse' }))).message).toBe('metric: "rmse" is not a classification metric; use one of accuracy, balancedAccuracy, macroF1, weightedF1, rocAuc, logLoss');
    expect((await err(crossValidate({ templateId: 'tabular.decision-tree', records: OUTLIER, params, folds: 1 }))).detail.field).toBe('folds');
    expect((await err(crossValidate({ templateId: 'tabular.decision-tree', records: OUTLIER, params: { ...params, target: 'z' } }))).detail.field).toBe('target');
    expect((await err(crossValidate({ records: OUTLIER, params, train: (async () => ({}) as TrainedModel) as TabularTrainer }))).detail.field).toBe('task');
  });
});
