import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { StratumError } from '../errors.ts';
import { initBackend } from '../tf/backend.ts';
import { predictRecords, trainMlpClassifier, trainingSummary } from './mlp.ts';
import type { EpochLog, FeatureRecord, TrainedClassifier } from './types.ts';

// Seattle weather (vega-datasets), parsed with papaparse until the CSV connector lands.
function seattle(): FeatureRecord[] {
  const csv = readFileSync('node_modules/vega-datasets/data/seattle-weather.csv', 'utf8');
  return Papa.parse<FeatureRecord>(csv, { header: true, dynamicTyping: true, skipEmptyLines: true }).data;
}

// Palmer penguins: 344 rows, 2 with every measurement null and 11 with a null Sex.
function penguins(): FeatureRecord[] {
  return JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as FeatureRecord[];
}

const PENGUIN_PARAMS = {
  target: 'Species',
  features: ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'],
  categorical: ['Island'],
  hiddenLayers: [16],
  epochs: 15,
  seed: 5,
};

function thrownAsync(promise: Promise<unknown>): Promise<StratumError> {
  return promise.then(
    () => { throw new Error('expected a StratumError'); },
    (error: unknown) => {
      if (error instanceof StratumError) return error;
      throw error;
    },
  );
}

beforeAll(async () => {
  await initBackend();
});

describe('trainMlpClassifier on Seattle weather', () => {
  it('reaches test accuracy >= 0.75 predicting weather from 4 features', async () => {
    // Reference on the same 4 features (scikit-learn, 5-fold CV): majority class 0.439,
    // logistic regression 0.775, MLP(64, 64) 0.835. 30 epochs of MLP(64, 64) here reach 0.808
    // with seed 42 on the stratified 20% held-out split (0.808-0.822 over seeds 42, 3, 11 on the
    // wasm backend; 0.80-0.85 at 20-40 epochs): the 0.75 threshold holds with margin.
    const epochs: EpochLog[] = [];
    const t = await trainMlpClassifier(seattle(), {
      target: 'weather',
      features: ['precipitation', 'temp_max', 'temp_min', 'wind'],
      epochs: 30,
      seed: 42,
    }, { onEpoch: (log) => epochs.push(log) });
    try {
      expect(t.evaluation.accuracy).toBeGreaterThanOrEqual(0.75);
      expect(t.labels).toEqual(['drizzle', 'fog', 'rain', 'snow', 'sun']);
      // 1461 rows; per class round(0.2 n_c): drizzle 53 -> 11, fog 101 -> 20, rain 641 -> 128, snow 26 -> 5, sun 640 -> 128.
      expect(t.sizes).toEqual({ train: 1461 - 292, test: 292 });
      expect(t.evaluation.n).toBe(292);
      expect(t.evaluation.perClass.map((c) => c.support)).toEqual([11, 20, 128, 5, 128]);
      expect(epochs.map((e) => e.epoch)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(t.history).toEqual(epochs);
      expect(epochs.every((e) => Number.isFinite(e.loss) && e.valLoss !== undefined)).toBe(true);
      expect(epochs[29].loss).toBeLessThan(epochs[0].loss);
      expect(t.params).toMatchObject({ hiddenLayers: [64, 64], batchSize: 32, learningRate: 0.001, testFraction: 0.2, seed: 42, epochs: 30 });
      const summary = trainingSummary(t);
      expect(summary).toContain(`backend ${t.backend}`);
      expect(summary).toContain(`test accuracy ${t.evaluation.accuracy.toFixed(3)}`);
      expect(summary).toContain('confusion matrix (rows = true, columns = predicted):');
    } finally {
      t.model.dispose();
    }
  });
});

describe('trainMlpClassifier on penguins (categorical feature, missing values)', () => {
  let first: TrainedClassifier;

  beforeAll(async () => {
    first = await trainMlpClassifier(penguins(), PENGUIN_PARAMS);
    return () => first.model.dispose();
  });

  it('trains with a categorical feature and imputed values, and predicts', () => {
    expect(first.labels).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(first.preprocessor.steps[0]).toMatchObject({ kind: 'categorical', categories: ['Biscoe', 'Dream', 'Torgersen'] });
    expect(first.preprocessor.steps[5]).toMatchObject({ kind: 'categorical', name: 'Sex' }); // strings: categorical without being listed
    expect(first.dropped).toEqual({ missingTarget: 0 });
    // The species are nearly separable on these measurements; anything far below is a bug.
    expect(first.evaluation.accuracy).toBeGreaterThan(0.9);
    const rows = penguins();
    const predictions = predictRecords(first, [rows[3], rows[0]]); // rows[3] has every measurement null
    expect(predictions).toHaveLength(2);
    for (const p of predictions) {
      expect(Object.keys(p.probabilities)).toEqual(first.labels);
      expect(Object.values(p.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(p.probabilities[p.label]).toBe(Math.max(...Object.values(p.probabilities)));
    }
  });

  it('gives identical predictions when trained twice with the same seed', async () => {
    const second = await trainMlpClassifier(penguins(), PENGUIN_PARAMS);
    try {
      const rows = penguins();
      expect(predictRecords(second, rows)).toEqual(predictRecords(first, rows));
      expect(second.history).toEqual(first.history);
    } finally {
      second.model.dispose();
    }
  });

  it('predicts the same after a JSON round trip of the preprocessor', () => {
    const rows = penguins().slice(0, 50);
    const restored = { ...first, preprocessor: JSON.parse(JSON.stringify(first.preprocessor)) as TrainedClassifier['preprocessor'] };
    expect(predictRecords(restored, rows)).toEqual(predictRecords(first, rows));
  });

  it('rejects invalid records in serving mode, naming field and row', () => {
    const ok = penguins()[0];
    const cases: Array<[FeatureRecord, string]> = [
      [{ ...ok, Island: 'Atlantis' }, 'records[1].Island: unknown category "Atlantis" (known: "Biscoe", "Dream", "Torgersen")'],
      [{ ...ok, Sex: null }, 'records[1].Sex: expected a string, got null'],
      [{ ...ok, 'Body Mass (g)': '3750' }, 'records[1]["Body Mass (g)"]: expected a number, got "3750"'],
    ];
    for (const [bad, message] of cases) {
      expect(() => predictRecords(first, [ok, bad], { missing: 'error' })).toThrow(message);
    }
  });

  it('keeps the tensor count flat: training leaves only the weights, predicting leaves nothing', async () => {
    const before = tf.memory().numTensors;
    const t = await trainMlpClassifier(penguins(), { ...PENGUIN_PARAMS, epochs: 2 });
    // One kernel and one bias per dense layer: [16] hidden + output = 4 tensors.
    expect(t.model.weights).toHaveLength(4);
    expect(tf.memory().numTensors).toBe(before + 4);
    predictRecords(t, penguins());
    expect(tf.memory().numTensors).toBe(before + 4);
    t.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('trainMlpClassifier parameter and data checks', () => {
  it('names an unknown feature and lists the available columns', async () => {
    const error = await thrownAsync(trainMlpClassifier(penguins(), { ...PENGUIN_PARAMS, features: ['Island', 'Beak Lenght (mm)'] }));
    expect(error.code).toBe('TEMPLATE_PARAMS');
    expect(error.message).toBe('features: unknown column "Beak Lenght (mm)"');
    expect(error.detail.field).toBe('features');
    expect(error.hint).toContain('"Beak Length (mm)"');
  });

  it('names an unknown target', async () => {
    const error = await thrownAsync(trainMlpClassifier(penguins(), { ...PENGUIN_PARAMS, target: 'species' }));
    expect(error.message).toBe('target: unknown column "species"');
    expect(error.hint).toContain('"Species"');
  });

  it('names a bad numeric parameter', async () => {
    const error = await thrownAsync(trainMlpClassifier(penguins(), { ...PENGUIN_PARAMS, epochs: 0 }));
    expect(error).toMatchObject({ code: 'TEMPLATE_PARAMS', message: 'epochs: expected a positive integer, got 0' });
  });

  it('drops and counts rows with a missing target', async () => {
    const rows = penguins().map((r, i) => (i % 50 === 0 ? { ...r, Species: null } : r)); // rows 0, 50, ..., 300: 7 rows
    const t = await trainMlpClassifier(rows, { ...PENGUIN_PARAMS, epochs: 1 });
    try {
      expect(t.dropped).toEqual({ missingTarget: 7 });
      expect(t.sizes.train + t.sizes.test).toBe(344 - 7);
    } finally {
      t.model.dispose();
    }
  });

  it('refuses a target with a single class', async () => {
    const rows = penguins().filter((r) => r.Species === 'Adelie');
    const error = await thrownAsync(trainMlpClassifier(rows, PENGUIN_PARAMS));
    expect(error.code).toBe('DATA_INVALID');
    expect(error.message).toContain('has 1 class ("Adelie")');
  });
});
