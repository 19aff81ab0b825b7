import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../tf/backend.ts';
import { balancedClassWeights, buildDenseNetwork, fitSeededReport, gatherRows, type Matrix } from './fit.ts';
import { shuffledIndexes } from './split.ts';
import { trainMlpClassifier, trainingSummary } from './mlp.ts';
import { trainLinearRegression, trainLogisticRegression } from './neural.ts';
import { modelSummary } from './predict.ts';
import type { FeatureRecord } from './types.ts';

beforeAll(async () => {
  await initBackend();
});

/** 64 points x in [-1, 1]; training target y = x, held-out target y = -x, so fitting the training set makes the held-out loss rise. */
function conflicting(): { train: Matrix; test: Matrix } {
  const x = Float32Array.from({ length: 64 }, (_, i) => -1 + (2 * i) / 63);
  return { train: { x, y: x.slice(), rows: 64 }, test: { x, y: x.map((v) => -v), rows: 64 } };
}

/** Standard normal draws (Box-Muller) from a seeded generator. */
function normal(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

describe('balancedClassWeights', () => {
  it('is n / (n_classes * count_c), as scikit-learn compute_class_weight("balanced")', () => {
    // scikit-learn: compute_class_weight("balanced", classes=[0, 1], y=[0, 0, 0, 1]) -> [0.66666667, 2.0]
    const two = balancedClassWeights(['a', 'a', 'a', 'b'], ['a', 'b']);
    expect(two[0]).toBeCloseTo(4 / 6, 12);
    expect(two[1]).toBe(2);
    // 5 / 3 / 2 rows of three classes: 10/15, 10/9, 10/6.
    const y = [...Array<string>(5).fill('a'), ...Array<string>(3).fill('b'), ...Array<string>(2).fill('c')];
    const three = balancedClassWeights(y, ['a', 'b', 'c']);
    [10 / 15, 10 / 9, 10 / 6].forEach((w, i) => expect(three[i]).toBeCloseTo(w, 12));
  });

  it('refuses a class with no training rows', () => {
    expect(() => balancedClassWeights(['a', 'a'], ['a', 'b'])).toThrow(expect.objectContaining({ code: 'DATA_INVALID' }));
  });
});

describe('fitSeededReport early stopping', () => {
  it('stops `patience` epochs after the best held-out loss, restores the best weights and leaks no tensor', async () => {
    const { train, test } = conflicting();
    const model = buildDenseNetwork(1, 1, 'linear', { hiddenLayers: [], seed: 1 });
    const before = tf.memory().numTensors;
    const result = await fitSeededReport(model, train, test, 1, { epochs: 60, batchSize: 16, learningRate: 0.05, seed: 1, loss: 'meanSquaredError', earlyStopping: { monitor: 'valLoss', patience: 3, restoreBest: true } });
    expect(tf.memory().numTensors).toBe(before);
    const es = result.earlyStopping;
    if (!es) throw new Error('expected an early-stopping report');
    const valLosses = result.history.map((h) => h.valLoss as number);
    expect(es.stoppedEpoch).toBe(result.history.length);
    expect(result.history.length).toBeLessThan(60);
    expect(es.stoppedEpoch).toBe(es.bestEpoch + 3);
    expect(es.bestValLoss).toBe(Math.min(...valLosses));
    expect(valLosses[es.bestEpoch - 1]).toBe(es.bestValLoss);
    expect(es.restoredBest).toBe(true);
    // The model now has the best epoch's weights: its held-out MSE is that epoch's valLoss.
    const mse = tf.tidy(() => tf.losses.meanSquaredError(tf.tensor2d(test.y, [64, 1]), model.predict(tf.tensor2d(test.x, [64, 1])) as tf.Tensor).dataSync()[0]);
    expect(mse).toBeCloseTo(es.bestValLoss, 5);
    expect(mse).toBeLessThan(valLosses.at(-1) as number);
    model.dispose();
  });

  it('keeps the last weights without restoreBest, and counts only improvements larger than minDelta', async () => {
    const { train, test } = conflicting();
    const model = buildDenseNetwork(1, 1, 'linear', { hiddenLayers: [], seed: 1 });
    const before = tf.memory().numTensors;
    const result = await fitSeededReport(model, train, test, 1, { epochs: 60, batchSize: 16, learningRate: 0.05, seed: 1, loss: 'meanSquaredError', earlyStopping: { monitor: 'valLoss', patience: 2, minDelta: 1e9 } });
    expect(tf.memory().numTensors).toBe(before);
    // With a huge minDelta only epoch 1 "improves" (from nothing): stop at 1 + patience.
    expect(result.earlyStopping).toMatchObject({ bestEpoch: 1, stoppedEpoch: 3, restoredBest: false, patience: 2, minDelta: 1e9 });
    expect(result.history).toHaveLength(3);
    model.dispose();
  });

  it('rejects a patience that is not a positive integer', async () => {
    const { train, test } = conflicting();
    const model = buildDenseNetwork(1, 1, 'linear', { hiddenLayers: [], seed: 1 });
    await expect(fitSeededReport(model, train, test, 1, { epochs: 2, batchSize: 16, learningRate: 0.05, seed: 1, loss: 'meanSquaredError', earlyStopping: { monitor: 'valLoss', patience: 0 } })).rejects.toMatchObject({ code: 'TEMPLATE_PARAMS', detail: { field: 'earlyStoppingPatience' } });
    model.dispose();
  });

  it('is exposed as earlyStoppingPatience by the TF.js trainers, and the summary says the held-out split selected the model', async () => {
    const rng = seedrandom('es');
    const rows: FeatureRecord[] = Array.from({ length: 120 }, () => {
      const x = normal(rng);
      return { x, y: 3 * x + 0.5 * normal(rng) };
    });
    const m = await trainLinearRegression(rows, { target: 'y', features: ['x'], epochs: 200, learningRate: 0.05, earlyStoppingPatience: 3 });
    try {
      expect(m.earlyStopping?.stoppedEpoch).toBe(m.history.length);
      expect(m.history.length).toBeLessThan(200);
      expect(m.params.earlyStoppingPatience).toBe(3);
      expect(modelSummary(m)).toContain('The held-out split was used for model selection');
    } finally {
      m.adapter.dispose();
    }
    const clf = await trainMlpClassifier(rows.map((r) => ({ x: r.x, c: (r.y as number) > 0 ? 'pos' : 'neg' })), { target: 'c', features: ['x'], hiddenLayers: [4], epochs: 200, learningRate: 0.05, earlyStoppingPatience: 2 });
    try {
      expect(clf.earlyStopping?.patience).toBe(2);
      expect(clf.history.length).toBe(clf.earlyStopping?.stoppedEpoch ?? 200);
      expect(trainingSummary(clf)).toContain('early stopping: ');
    } finally {
      clf.model.dispose();
    }
  });
});

describe('class weights', () => {
  it('are applied without leaking tensors, and must match the outputs', async () => {
    const x = Float32Array.from({ length: 8 }, (_, i) => i / 8);
    const y = Float32Array.from({ length: 16 }, (_, j) => (j % 2 === (Math.floor(j / 2) < 6 ? 0 : 1) ? 1 : 0));
    const data: Matrix = { x, y, rows: 8 };
    const model = buildDenseNetwork(1, 2, 'softmax', { hiddenLayers: [], seed: 2 });
    const before = tf.memory().numTensors;
    const result = await fitSeededReport(model, data, data, 2, { epochs: 2, batchSize: 4, learningRate: 0.01, seed: 1, loss: 'categoricalCrossentropy', classWeight: balancedClassWeights(['a', 'a', 'a', 'a', 'a', 'a', 'b', 'b'], ['a', 'b']) });
    expect(result.history).toHaveLength(2);
    expect(result.earlyStopping).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
    await expect(fitSeededReport(model, data, data, 2, { epochs: 1, batchSize: 4, learningRate: 0.01, seed: 1, loss: 'categoricalCrossentropy', classWeight: [1] })).rejects.toMatchObject({ code: 'TEMPLATE_PARAMS', detail: { field: 'classWeight' } });
    model.dispose();
  });

  it('improves balanced accuracy on an imbalanced problem (logistic regression, 90% / 10%)', async () => {
    // Class a ~ N(0, 1) (900 rows), class b ~ N(2, 1) (100 rows). The Bayes threshold for the 9:1
    // prior is x = 1 + ln(9)/2 ~ 2.10 (balanced accuracy ~ 0.72); with balanced weights the classes
    // count equally and the threshold moves to x = 1 (balanced accuracy ~ 0.84).
    const rng = seedrandom('imbalanced');
    const rows: FeatureRecord[] = Array.from({ length: 1000 }, (_, i) => (i < 900 ? { x: normal(rng), c: 'a' } : { x: 2 + normal(rng), c: 'b' }));
    const common = { target: 'c', features: ['x'], epochs: 30, batchSize: 50, learningRate: 0.05, testFraction: 0.5, seed: 7 };
    const plain = await trainLogisticRegression(rows, common);
    const weighted = await trainLogisticRegression(rows, { ...common, classWeight: 'balanced' });
    try {
      if (plain.evaluation.task !== 'classification' || weighted.evaluation.task !== 'classification') throw new Error('expected classification');
      const plainBa = plain.evaluation.balancedAccuracy as number;
      const weightedBa = weighted.evaluation.balancedAccuracy as number;
      expect(weightedBa).toBeGreaterThan(plainBa + 0.05);
      expect(weightedBa).toBeGreaterThan(0.78);
      expect(modelSummary(weighted)).toContain('class weights: balanced');
    } finally {
      plain.adapter.dispose();
      weighted.adapter.dispose();
    }
  });
});

/**
 * The loop fitSeededReport ran before it took the steps itself: each epoch's rows in the same seeded
 * order, handed to TF.js `model.fit` for one epoch (no shuffle) with the held-out split as
 * validation data. The reference for "the custom loop computes what model.fit computes".
 */
async function fitWithModelFit(model: tf.Sequential, train: Matrix, test: Matrix, outputs: number, options: { epochs: number; batchSize: number; learningRate: number; seed: number; loss: 'categoricalCrossentropy' | 'meanSquaredError'; classWeight?: number[] }) {
  const width = train.x.length / train.rows;
  const optimizer = tf.train.adam(options.learningRate);
  model.compile({ optimizer, loss: options.loss, metrics: options.loss === 'categoricalCrossentropy' ? ['accuracy'] : [] });
  const xTest = tf.tensor2d(test.x, [test.rows, width]);
  const yTest = tf.tensor2d(test.y, [test.rows, outputs]);
  const rng = seedrandom(`stratum-shuffle:${options.seed}`);
  const value = (h: tf.History, key: string) => {
    const v = h.history[key]?.[0];
    return v === undefined ? undefined : typeof v === 'number' ? v : v.dataSync()[0];
  };
  const logs = [];
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const order = shuffledIndexes(train.rows, rng);
    const xs = tf.tensor2d(gatherRows(train.x, width, order), [train.rows, width]);
    const ys = tf.tensor2d(gatherRows(train.y, outputs, order), [train.rows, outputs]);
    const classWeight = options.classWeight ? Object.fromEntries(options.classWeight.map((w, i) => [i, w])) : undefined;
    const h = await model.fit(xs, ys, { epochs: 1, batchSize: options.batchSize, shuffle: false, verbose: 0, validationData: [xTest, yTest], ...(classWeight ? { classWeight } : {}) });
    tf.dispose([xs, ys]);
    logs.push({ loss: value(h, 'loss'), accuracy: value(h, 'acc'), valLoss: value(h, 'val_loss'), valAccuracy: value(h, 'val_acc') });
  }
  tf.dispose([xTest, yTest]);
  optimizer.dispose();
  return logs;
}

/** Largest absolute difference between two models' weights. */
function weightGap(a: tf.LayersModel, b: tf.LayersModel): number {
  const wa = a.getWeights().map((w) => w.dataSync());
  const wb = b.getWeights().map((w) => w.dataSync());
  let gap = 0;
  wa.forEach((values, i) => values.forEach((v, j) => (gap = Math.max(gap, Math.abs(v - (wb[i]?.[j] ?? Number.NaN))))));
  return gap;
}

describe('fitSeededReport computes what TF.js model.fit computes', () => {
  // 3 classes from two features (with noise), 83 training rows (batches of 16: the last one has 3 rows).
  function threeClasses(rows: number, seed: string): Matrix {
    const rng = seedrandom(seed);
    const x = new Float32Array(rows * 2);
    const y = new Float32Array(rows * 3);
    for (let r = 0; r < rows; r++) {
      const a = normal(rng);
      const b = normal(rng);
      x[2 * r] = a;
      x[2 * r + 1] = b;
      y[3 * r + (a + 0.3 * normal(rng) > 0.5 ? 0 : b > 0 ? 1 : 2)] = 1;
    }
    return { x, y, rows };
  }

  it('classification with class weights: same per-epoch loss, accuracy, held-out loss and accuracy, same weights', async () => {
    const train = threeClasses(83, 'cw-train');
    const test = threeClasses(29, 'cw-test');
    const options = { epochs: 3, batchSize: 16, learningRate: 0.01, seed: 5, loss: 'categoricalCrossentropy' as const, classWeight: [0.5, 1, 2] };
    const ours = buildDenseNetwork(2, 3, 'softmax', { hiddenLayers: [8], seed: 3 });
    const reference = buildDenseNetwork(2, 3, 'softmax', { hiddenLayers: [8], seed: 3 });
    const before = tf.memory().numTensors;
    const { history } = await fitSeededReport(ours, train, test, 3, options);
    expect(tf.memory().numTensors).toBe(before);
    const expected = await fitWithModelFit(reference, train, test, 3, options);
    expect(history).toHaveLength(3);
    history.forEach((log, i) => {
      const e = expected[i];
      if (!e) throw new Error('missing reference epoch');
      expect(log.loss).toBeCloseTo(e.loss as number, 6);
      expect(log.accuracy).toBeCloseTo(e.accuracy as number, 6);
      expect(log.valLoss).toBeCloseTo(e.valLoss as number, 6);
      expect(log.valAccuracy).toBeCloseTo(e.valAccuracy as number, 6);
    });
    // The weighted loss is not the unweighted one: the weights were applied (the check could fail).
    expect(history[0]?.loss).not.toBeCloseTo(history[0]?.valLoss ?? 0, 2);
    expect(weightGap(ours, reference)).toBeLessThan(1e-6);
    ours.dispose();
    reference.dispose();
  });

  it('regression with an L2 penalty: same loss (penalty included), same held-out loss, same weights', async () => {
    const rng = seedrandom('l2');
    const rows = 70;
    const x = Float32Array.from({ length: rows * 3 }, () => normal(rng));
    const y = Float32Array.from({ length: rows }, (_, r) => 2 * (x[3 * r] as number) - (x[3 * r + 2] as number) + 0.1 * normal(rng));
    const train: Matrix = { x: x.slice(0, 50 * 3), y: y.slice(0, 50), rows: 50 };
    const test: Matrix = { x: x.slice(50 * 3), y: y.slice(50), rows: 20 };
    const options = { epochs: 4, batchSize: 8, learningRate: 0.05, seed: 9, loss: 'meanSquaredError' as const };
    const ours = buildDenseNetwork(3, 1, 'linear', { hiddenLayers: [4], seed: 1, l2: 0.01 });
    const reference = buildDenseNetwork(3, 1, 'linear', { hiddenLayers: [4], seed: 1, l2: 0.01 });
    const { history } = await fitSeededReport(ours, train, test, 1, options);
    const expected = await fitWithModelFit(reference, train, test, 1, options);
    history.forEach((log, i) => {
      expect(log.loss).toBeCloseTo(expected[i]?.loss as number, 6);
      expect(log.valLoss).toBeCloseTo(expected[i]?.valLoss as number, 6);
      expect(log.accuracy).toBeNaN();
      expect(log.valAccuracy).toBeUndefined();
    });
    expect(weightGap(ours, reference)).toBeLessThan(1e-6);
    ours.dispose();
    reference.dispose();
  });

  it('refuses an empty training set', async () => {
    const model = buildDenseNetwork(1, 1, 'linear', { hiddenLayers: [], seed: 1 });
    const empty: Matrix = { x: new Float32Array(0), y: new Float32Array(0), rows: 0 };
    await expect(fitSeededReport(model, empty, conflicting().test, 1, { epochs: 1, batchSize: 4, learningRate: 0.1, seed: 1, loss: 'meanSquaredError' })).rejects.toMatchObject({ code: 'DATA_INVALID' });
    model.dispose();
  });
});
