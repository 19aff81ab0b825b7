/**
 * Every tabular template end to end on real data (vega-datasets, read from disk):
 * - classification on `penguins.json` (344 rows, real missing values in the numbers and in `Sex`,
 *   plus a "." category), target `Species`;
 * - regression on `cars.json` (406 rows, 8 missing targets and 6 missing `Horsepower`),
 *   `Miles_per_Gallon` from `Horsepower`, `Weight_in_lbs`, `Cylinders`, `Origin`;
 * - k-means on the penguins' four numeric columns.
 * Each test runs the code the template renders (through `stratum.*`), checks that the model beats
 * its trivial baseline by the margin stated in the test, exports a bundle, checks the
 * saved-then-loaded model predicts the same as the in-process one (|Δ| <= 1e-6), and asks the
 * service for one prediction. Starts HTTP servers, hence `.integration.`.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vegaDataset } from '../core/datasets/vega.ts';
import { trainDecisionTree, trainNaiveBayes, trainRandomForest } from '../core/ml/classic.ts';
import { trainKMeans } from '../core/ml/kmeans.ts';
import type { TrainedModel } from '../core/ml/model.ts';
import { trainLinearRegression, trainLogisticRegression, trainMlpRegressor } from '../core/ml/neural.ts';
import { evaluationPlots } from '../core/ml/plots.ts';
import { modelSummary, predictTabular, type TaskPrediction } from '../core/ml/predict.ts';
import type { FeatureRecord, Prediction } from '../core/ml/types.ts';
import { exportBundle, loadBundle } from '../core/serving/bundle.ts';
import { startService } from '../core/serving/server.ts';
import { initBackend } from '../core/tf/backend.ts';
import { renderTemplateCode } from './index.ts';

const PENGUIN_FEATURES = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'];
const PENGUIN_NUMERIC = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
const CAR_FEATURES = ['Horsepower', 'Weight_in_lbs', 'Cylinders', 'Origin'];

let penguins: FeatureRecord[];
let cars: FeatureRecord[];
let root: string;

/** The `stratum` functions the templates call, as the kernel binds them (without the kernel). */
const stratum = {
  toRecords: (x: FeatureRecord[]) => x,
  progress: () => {},
  modelSummary,
  evaluationPlots: (model: TrainedModel) => evaluationPlots(model).map((p) => p.figure),
  trainLogisticRegression,
  trainNaiveBayes,
  trainDecisionTree,
  trainRandomForest,
  trainLinearRegression,
  trainMlpRegressor,
  trainKMeans,
};

/** Runs a template's rendered code the way the kernel would (an async function over the scope). */
async function runTemplate(id: string, params: Record<string, unknown>, data: FeatureRecord[]): Promise<{ model: TrainedModel; shown: unknown[] }> {
  const code = renderTemplateCode(id, params);
  const shown: unknown[] = [];
  const body = code.replace(/\n(\w+)\n$/, '\nreturn $1;\n');
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;
  const fn = new AsyncFunction('stratum', 'display', 'data', body);
  const model = (await fn(stratum, (x: unknown) => shown.push(x), data)) as TrainedModel;
  return { model, shown };
}

const complete = (records: FeatureRecord[], features: string[]): FeatureRecord[] => records.filter((r) => features.every((f) => r[f] !== null && r[f] !== undefined));

/** Export, reload, compare predictions (<= 1e-6), serve and ask once; returns the service's answer. */
async function roundTrip(model: TrainedModel, name: string, sample: FeatureRecord[]): Promise<TaskPrediction> {
  const dir = join(root, name);
  const manifest = await exportBundle(model, { dir, name });
  expect(manifest.task).toBe(model.task);
  expect(manifest.modelKind).toBe(model.adapter.kind);
  const loaded = await loadBundle(dir);
  try {
    expect(loaded.modelKind).toBe(model.adapter.kind);
    const before = predictTabular(model, sample);
    const after = predictTabular(loaded, sample);
    expect(after.length).toBe(sample.length);
    after.forEach((p, i) => expectClose(p, before[i]));
    const service = await startService(loaded, { port: 0 });
    try {
      const response = await fetch(`${service.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sample[0]) });
      expect(response.status).toBe(200);
      const answer = (await response.json()) as TaskPrediction;
      expectClose(answer, before[0]);
      const openapi = (await (await fetch(`${service.url}/openapi.json`)).json()) as { components: { schemas: { Prediction: { required: string[] } } } };
      expect(openapi.components.schemas.Prediction.required).toEqual(model.task === 'classification' ? ['label', 'probabilities'] : model.task === 'regression' ? ['value'] : ['cluster']);
      return answer;
    } finally {
      await service.close();
    }
  } finally {
    loaded.dispose();
  }
}

function expectClose(actual: TaskPrediction, expected: TaskPrediction | undefined): void {
  if ('label' in actual) {
    const e = expected as Prediction;
    expect(actual.label).toBe(e.label);
    for (const [label, p] of Object.entries(e.probabilities)) expect(Math.abs((actual.probabilities[label] ?? Number.NaN) - p)).toBeLessThanOrEqual(1e-6);
  } else if ('value' in actual) {
    expect(Math.abs(actual.value - (expected as { value: number }).value)).toBeLessThanOrEqual(1e-6);
  } else if ('cluster' in actual) {
    expect(actual.cluster).toBe((expected as { cluster: number }).cluster);
  } else {
    throw new Error(`unexpected prediction ${JSON.stringify(actual)}`);
  }
}

beforeAll(async () => {
  await initBackend();
  penguins = JSON.parse(await readFile(vegaDataset('penguins.json'), 'utf8')) as FeatureRecord[];
  cars = JSON.parse(await readFile(vegaDataset('cars.json'), 'utf8')) as FeatureRecord[];
  root = await mkdtemp(join(tmpdir(), 'stratum-templates-'));
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('classification templates on penguins (majority baseline: Adelie, about 0.44 of the test set)', () => {
  // Margin: test accuracy >= 0.9 and at least 0.4 above the majority-class baseline; macro ROC AUC >= 0.95.
  const cases: Array<[string, Record<string, unknown>]> = [
    ['tabular.logistic-regression', { epochs: 40, learningRate: 0.05 }],
    // Gaussian naive Bayes on the numeric columns only: one-hot columns are far from Gaussian and cost it
    // accuracy (scikit-learn 1.2.1 GaussianNB, same preprocessing, 5 stratified 80/20 splits: 0.94-1.0
    // numeric only, 0.65-0.73 with Island one-hot, 0.73-0.81 with Island and Sex).
    ['tabular.naive-bayes', { features: PENGUIN_NUMERIC }],
    ['tabular.decision-tree', { maxDepth: 5 }],
    ['tabular.random-forest', { nEstimators: 25 }],
  ];
  for (const [id, extra] of cases) {
    it(`${id} beats the majority class and round-trips through a bundle and the service`, async () => {
      const tensorsBefore = tf.memory().numTensors;
      const { model, shown } = await runTemplate(id, { data: 'data', target: 'Species', features: PENGUIN_FEATURES, seed: 7, ...extra }, penguins);
      try {
        const e = model.evaluation;
        if (e.task !== 'classification') throw new Error('expected a classification evaluation');
        expect(model.dropped?.missingTarget).toBe(0);
        expect(e.baseline?.label).toBe('Adelie');
        expect(e.accuracy).toBeGreaterThanOrEqual(0.9);
        expect(e.accuracy - (e.baseline?.accuracy ?? 1)).toBeGreaterThanOrEqual(0.4);
        expect(e.rocAuc).toBeGreaterThanOrEqual(0.95);
        expect(e.logLoss).not.toBeNull();
        expect(String(shown[0])).toContain('majority baseline');
        const sample = complete(penguins, PENGUIN_FEATURES).filter((r) => r.Sex !== '.').slice(0, 40);
        const answer = await roundTrip(model, id.replace('tabular.', ''), sample);
        expect(model.labels).toContain((answer as Prediction).label);
      } finally {
        model.adapter.dispose();
      }
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    }, 60_000);
  }
});

describe('regression templates on cars (Miles_per_Gallon)', () => {
  // Margin: test R^2 > 0.6 (the mean predictor scores about 0 or below) and RMSE below 0.7 x the mean predictor's.
  const cases: Array<[string, Record<string, unknown>]> = [
    ['tabular.linear-regression', { epochs: 60 }],
    ['tabular.mlp-regressor', { epochs: 60, hiddenLayers: [16] }],
  ];
  for (const [id, extra] of cases) {
    it(`${id} beats the mean predictor and round-trips through a bundle and the service`, async () => {
      const tensorsBefore = tf.memory().numTensors;
      const { model } = await runTemplate(id, { data: 'data', target: 'Miles_per_Gallon', features: CAR_FEATURES, categorical: ['Cylinders'], seed: 3, ...extra }, cars);
      try {
        const e = model.evaluation;
        if (e.task !== 'regression') throw new Error('expected a regression evaluation');
        expect(model.dropped?.missingTarget).toBe(8);
        expect(e.r2).toBeGreaterThan(0.6);
        expect(e.baseline?.r2 ?? 1).toBeLessThanOrEqual(0.05);
        expect(e.rmse).toBeLessThan(0.7 * (e.baseline?.rmse ?? 0));
        expect(e.residuals.length).toBe(e.n);
        await roundTrip(model, id.replace('tabular.', ''), complete(cars, CAR_FEATURES).slice(0, 40));
      } finally {
        model.adapter.dispose();
      }
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    }, 60_000);
  }
});

describe('k-means template on the penguins numeric columns', () => {
  it('finds structure (silhouette well above 0), a decreasing elbow, and round-trips', async () => {
    const { model, shown } = await runTemplate('tabular.kmeans', { data: 'data', features: PENGUIN_NUMERIC, k: 3, elbowKs: [2, 3, 4, 5], seed: 1 }, penguins);
    const e = model.evaluation;
    if (e.task !== 'clustering') throw new Error('expected a clustering evaluation');
    // Margin: a random assignment has a silhouette near 0; demand > 0.3.
    expect(e.silhouette).toBeGreaterThan(0.3);
    expect(e.elbow.map((p) => p.k)).toEqual([2, 3, 4, 5]);
    for (let i = 1; i < e.elbow.length; i++) expect(e.elbow[i].inertia).toBeLessThan(e.elbow[i - 1].inertia);
    expect(e.clusterSizes.reduce((a, b) => a + b, 0)).toBe(penguins.length);
    expect(String(shown[0])).toContain('elbow');
    await roundTrip(model, 'kmeans', complete(penguins, PENGUIN_NUMERIC).slice(0, 40));
  }, 60_000);
});
