import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../tf/backend.ts';
import { thrown } from '../testing.ts';
import { trainDecisionTree } from './classic.ts';
import { evaluateClassification, evaluateRegression } from './evaluate.ts';
import { heldOutOutputs, permutationImportance, type FeatureImportance } from './importance.ts';
import { trainMlpClassifier } from './mlp.ts';
import type { ModelAdapter, TrainedModel } from './model.ts';
import { fitPreprocessor, transformRecords } from './preprocess.ts';
import type { FeatureRecord, NumericFeatureStep } from './types.ts';

beforeAll(async () => {
  await initBackend();
});

/** A TrainedModel around a hand-written predict function, evaluated on `records` (its held-out rows). */
function handModel(options: { task: 'classification' | 'regression'; records: FeatureRecord[]; y: string[] | number[]; features: string[]; categorical?: string[]; labels?: string[]; predict: (x: Float32Array, rows: number) => Float64Array }): TrainedModel {
  const preprocessor = fitPreprocessor(options.records, { features: options.features, categorical: options.categorical ?? [] });
  const labels = options.labels ?? [];
  const adapter: ModelAdapter = {
    kind: 'ml-cart', task: options.task, inputWidth: preprocessor.outputWidth, outputWidth: options.task === 'classification' ? labels.length : 1,
    predict: options.predict, save: async () => ({}), parameterCount: () => 0, dispose: () => {},
  };
  const out = adapter.predict(transformRecords(preprocessor, options.records), options.records.length);
  const evaluation = options.task === 'classification' ? evaluateClassification(options.y as string[], out, labels) : evaluateRegression(options.y as number[], out);
  return {
    task: options.task, templateId: 'test.hand', target: 'y', features: options.features, labels, preprocessor, adapter, evaluation, history: [], backend: 'js',
    params: { seed: 7 }, sizes: { train: 0, test: options.records.length }, heldOut: { records: options.records, y: options.y },
  };
}

const byName = (features: FeatureImportance[], name: string): FeatureImportance => features.find((f) => f.feature === name) as FeatureImportance;

describe('permutationImportance on a hand-built classifier: one decisive categorical feature, one pure-noise feature', () => {
  // 100 held-out rows: classes a/b/c in proportions 0.5/0.3/0.2. `signal` (categorical A/B/C) is
  // the class; `noise` is uniform random. The model predicts the class of its one-hot `signal`
  // columns and never reads `noise`: baseline accuracy 1.
  // By hand: after shuffling `signal`, row i is right when the class moved into it equals its own,
  // which for a uniform permutation happens with probability sum_c p_c^2 = 0.25 + 0.09 + 0.04 = 0.38
  // (the accuracy of a label-shuffling "chance" predictor), so importance = 1 - 0.38 = 0.62.
  const counts = { a: 50, b: 30, c: 20 };
  const rng = seedrandom('importance-test');
  const y = Object.entries(counts).flatMap(([label, n]) => Array.from({ length: n }, () => label));
  const records = y.map((label) => ({ signal: label.toUpperCase(), noise: rng() }));
  const seen: Float32Array[] = [];
  // Input columns: signal=A, signal=B, signal=C (sorted categories), then noise.
  const model = handModel({
    task: 'classification', records, y, features: ['signal', 'noise'], categorical: [], labels: ['a', 'b', 'c'],
    predict: (x, rows) => {
      seen.push(x.slice());
      const out = new Float64Array(rows * 3);
      for (let i = 0; i < rows; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = x[i * 4 + c];
      return out;
    },
  });

  it('decisive feature: mean decrease = baseline 1 - chance 0.38 within its standard error; noise: exactly 0', () => {
    const result = permutationImportance(model, { nRepeats: 40 });
    expect(result).toMatchObject({ scoring: 'accuracy', baseline: 1, rows: 100, nRepeats: 40, seed: 7 });
    expect(result.features.map((f) => f.feature)).toEqual(['signal', 'noise']);
    const signal = byName(result.features, 'signal');
    expect(signal.importances).toHaveLength(40);
    // each repeat's decrease is 1 - (correct rows)/100
    for (const v of signal.importances) expect(Math.abs(v * 100 - Math.round(v * 100))).toBeLessThan(1e-9);
    expect(signal.std).toBeGreaterThan(0);
    expect(Math.abs(signal.mean - 0.62)).toBeLessThan(3 * (signal.std / Math.sqrt(40)));
    const noise = byName(result.features, 'noise');
    expect(noise.importances).toEqual(new Array(40).fill(0));
    expect(noise).toMatchObject({ mean: 0, std: 0 });
  });

  it('moves the one-hot group of a categorical feature together: every permuted row stays one-hot, the column counts are kept, other columns untouched', () => {
    seen.length = 0;
    permutationImportance(model, { nRepeats: 3 });
    // seen[0] = baseline, then 3 matrices for `signal`, then 3 for `noise`
    expect(seen).toHaveLength(7);
    const base = seen[0];
    for (const x of seen.slice(1, 4)) {
      const colSums = [0, 0, 0];
      let moved = 0;
      for (let i = 0; i < 100; i++) {
        const row = [x[i * 4], x[i * 4 + 1], x[i * 4 + 2]];
        expect(row.filter((v) => v === 1)).toHaveLength(1);
        expect(row.filter((v) => v === 0)).toHaveLength(2);
        row.forEach((v, c) => (colSums[c] += v));
        if (row.some((v, c) => v !== base[i * 4 + c])) moved++;
        expect(x[i * 4 + 3]).toBe(base[i * 4 + 3]);
      }
      expect(colSums).toEqual([50, 30, 20]);
      expect(moved).toBeGreaterThan(20);
    }
  });

  it('is reproducible for a seed and changes with it; maxSamples scores a seeded subset', () => {
    const a = permutationImportance(model, { nRepeats: 5, seed: 3 });
    // A copy of the model is a new object, so this recomputes (the result is cached per model object).
    expect(permutationImportance({ ...model }, { nRepeats: 5, seed: 3 })).toEqual(a);
    expect(permutationImportance(model, { nRepeats: 5, seed: 4 }).features[0].importances).not.toEqual(a.features[0].importances);
    const sub = permutationImportance(model, { nRepeats: 5, seed: 3, maxSamples: 30 });
    expect(sub.rows).toBe(30);
    expect(sub.baseline).toBe(1);
    expect(permutationImportance({ ...model }, { nRepeats: 5, seed: 3, maxSamples: 30 })).toEqual(sub);
  });

  it('computes once per model and options: a second call predicts nothing and returns an equal copy', () => {
    const first = permutationImportance(model, { nRepeats: 2, seed: 11 });
    const before = seen.length;
    const again = permutationImportance(model, { nRepeats: 2, seed: 11 });
    expect(seen.length).toBe(before);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    permutationImportance(model, { nRepeats: 2, seed: 12 });
    expect(seen.length).toBe(before + 1 + 2 * 2);
  });

  it('balanced accuracy scoring: baseline 1, chance level by hand is 1/3 per class on average', () => {
    const r = permutationImportance(model, { nRepeats: 40, scoring: 'balancedAccuracy' });
    expect(r.baseline).toBe(1);
    // E[recall_c] after shuffling = p_c, so E[balanced accuracy] = (0.5 + 0.3 + 0.2) / 3 = 1/3.
    const signal = byName(r.features, 'signal');
    expect(Math.abs(signal.mean - 2 / 3)).toBeLessThan(3 * (signal.std / Math.sqrt(40)));
  });
});

describe('permutationImportance on a hand-built regressor: y = 2x exactly, plus noise', () => {
  // By hand: baseline R^2 = 1. Shuffling x by a uniform permutation pi gives
  // E[sum_i (y_i - y_pi(i))^2] = (1/n) sum_i sum_j (y_i - y_j)^2 = 2 SS_tot, so E[R^2] = 1 - 2 = -1
  // and the expected importance is 1 - (-1) = 2.
  const rng = seedrandom('importance-regression');
  const records = Array.from({ length: 200 }, () => ({ x: rng() * 10 - 5, noise: rng(), missingSometimes: rng() < 0.1 ? null : rng() }));
  const y = records.map((r) => 2 * r.x);
  const xStep = fitPreprocessor(records, { features: ['x'] }).steps[0] as NumericFeatureStep;
  const model = handModel({
    task: 'regression', records, y, features: ['x', 'noise', 'missingSometimes'],
    predict: (x, rows) => Float64Array.from({ length: rows }, (_, i) => 2 * (x[i * 3] * xStep.std + xStep.mean)),
  });

  it('decisive feature ~ 2 within its standard error, noise features exactly 0', () => {
    const r = permutationImportance(model, { nRepeats: 30 });
    expect(r.scoring).toBe('r2');
    expect(r.baseline).toBeCloseTo(1, 6); // float32 preprocessing
    const x = byName(r.features, 'x');
    expect(Math.abs(x.mean - 2)).toBeLessThan(3 * (x.std / Math.sqrt(30)) + 1e-6);
    expect(byName(r.features, 'noise').mean).toBe(0);
    expect(byName(r.features, 'missingSometimes').mean).toBe(0);
  });

  it('shuffling the preprocessed block equals preprocessing the shuffled raw column (with missing values imputed)', () => {
    // Recover the order of the first shuffle of `x` from the distinct x values, then check that
    // transformRecords of the records with x (and separately missingSometimes) moved that way gives the same matrix.
    const base = transformRecords(model.preprocessor, records, { unseen: 'ignore' });
    const seen: Float32Array[] = [];
    const spy: TrainedModel = { ...model, adapter: { ...model.adapter, predict: (x, rows) => (seen.push(x.slice()), model.adapter.predict(x, rows)) } };
    permutationImportance(spy, { nRepeats: 1 });
    // seen = [baseline, x shuffled, noise shuffled, missingSometimes shuffled]; every feature gets
    // the same shuffle (one seed per feature, as scikit-learn), recovered here from the distinct x values.
    expect(seen).toHaveLength(4);
    const order = Array.from({ length: 200 }, (_, i) => records.findIndex((_r, k) => base[k * 3] === seen[1][i * 3]));
    expect(new Set(order).size).toBe(200);
    for (const [feature, matrix] of [['x', seen[1]], ['missingSometimes', seen[3]]] as const) {
      const moved = records.map((r, i) => ({ ...r, [feature]: records[order[i]][feature] }));
      expect(Array.from(transformRecords(model.preprocessor, moved, { unseen: 'ignore' }))).toEqual(Array.from(matrix));
    }
  });

  it('negMeanAbsoluteError scoring, and errors for a task/scoring mismatch and a constant target', () => {
    const r = permutationImportance(model, { nRepeats: 2, scoring: 'negMeanAbsoluteError' });
    expect(r.baseline).toBeCloseTo(0, 5);
    expect(byName(r.features, 'x').mean).toBeGreaterThan(1);
    expect(thrown(() => permutationImportance(model, { scoring: 'accuracy' })).detail.field).toBe('scoring');
    const flat = handModel({ task: 'regression', records: records.slice(0, 5), y: [1, 1, 1, 1, 1], features: ['x'], predict: (_x, rows) => new Float64Array(rows).fill(1) });
    expect(thrown(() => permutationImportance(flat)).message).toMatch(/R\^2 is not defined.*constant/);
    expect(permutationImportance(flat, { scoring: 'negMeanAbsoluteError' }).baseline === 0).toBe(true);
  });
});

describe('permutationImportance: options and models it cannot score', () => {
  const records = [{ x: 1 }, { x: 2 }, { x: 3 }];
  const model = handModel({ task: 'regression', records, y: [1, 2, 3], features: ['x'], predict: (x, rows) => Float64Array.from({ length: rows }, (_, i) => x[i]) });

  it('rejects bad options naming the field', () => {
    expect(thrown(() => permutationImportance(model, { nRepeats: 0 })).detail.field).toBe('nRepeats');
    expect(thrown(() => permutationImportance(model, { seed: 1.5 })).detail.field).toBe('seed');
    expect(thrown(() => permutationImportance(model, { maxSamples: 0 })).detail.field).toBe('maxSamples');
    expect(thrown(() => permutationImportance(model, { scoring: 'f1' as 'r2' })).detail.field).toBe('scoring');
  });

  it('explains a model without held-out rows, and a clustering model', () => {
    const { heldOut: _h, ...old } = model;
    const e = thrown(() => permutationImportance(old));
    expect(e.code).toBe('DATA_INVALID');
    expect(e.hint).toMatch(/Retrain/);
    expect(thrown(() => permutationImportance({ ...model, task: 'clustering' })).message).toMatch(/classification or regression.*clustering/);
  });
});

// Palmer penguins (vega-datasets): 344 rows, some with missing measurements.
const penguins = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as FeatureRecord[];

describe('permutationImportance on real models (penguins + an added noise column)', () => {
  const rng = seedrandom('penguin-noise');
  const rows = penguins.map((p) => ({ ...p, noise: rng() }));
  const params = { target: 'Species', features: ['Beak Length (mm)', 'Flipper Length (mm)', 'Island', 'noise'], seed: 1 };

  it('decision tree: the three measured features matter, the noise column does not (within 2 std)', async () => {
    const tree = await trainDecisionTree(rows, { ...params, maxDepth: 3 });
    const r = permutationImportance(tree, { nRepeats: 10 });
    expect(r.baseline).toBe(tree.evaluation.task === 'classification' ? tree.evaluation.accuracy : NaN);
    // Measured: beak 0.16 ± 0.03, flipper 0.25 ± 0.04, island 0.34 ± 0.06 (baseline 0.957).
    for (const name of ['Beak Length (mm)', 'Flipper Length (mm)', 'Island']) {
      const f = byName(r.features, name);
      expect(f.mean).toBeGreaterThan(Math.max(0.1, 3 * f.std));
    }
    const noise = byName(r.features, 'noise');
    expect(Math.abs(noise.mean)).toBeLessThanOrEqual(2 * noise.std + 1e-12);
  });

  it('MLP classifier (TrainedClassifier): works, baseline = its held-out accuracy, no tensor left behind', async () => {
    const mlp = await trainMlpClassifier(rows, { ...params, hiddenLayers: [8], epochs: 5, batchSize: 32, learningRate: 0.01 });
    try {
      const before = tf.memory().numTensors;
      const r = permutationImportance(mlp, { nRepeats: 3 });
      const out = heldOutOutputs(mlp);
      expect(tf.memory().numTensors).toBe(before);
      expect(r.baseline).toBeCloseTo(mlp.evaluation.accuracy, 12);
      expect(r.features.map((f) => f.feature)).toEqual(params.features);
      expect(out.output).toHaveLength(mlp.sizes.test * 3);
      expect(out.yTrue).toHaveLength(mlp.sizes.test);
    } finally {
      mlp.model.dispose();
    }
  });
});
