/**
 * TF.js model families behind {@link ModelAdapter}: logistic regression (softmax, binary and
 * multinomial), linear regression (MSE) and the MLP regressor. All train deterministically for a
 * seed and backend (seeded Glorot-uniform kernels, zero biases, a seeded per-epoch shuffle).
 *
 * Regression trains on the standardized target `(y - mean) / std` (training-set mean and
 * population standard deviation) for well-conditioned steps, then folds the scaling into the last
 * Dense layer (`W' = W * std`, `b' = b * std + mean`), so the saved model is a plain
 * `tf.LayersModel` that outputs target units.
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { StratumError } from '../errors.ts';
import { deserializeModel, MODEL_JSON_FILE, modelJsonText, serializeModel, WEIGHTS_FILE } from '../serving/model-io.ts';
import { initBackend } from '../tf/backend.ts';
import { evaluateClassification, evaluateRegression } from './evaluate.ts';
import type { ModelTask, SerializedModelFiles, TfjsModelAdapter, TrainedModel } from './model.ts';
import { shuffledIndexes } from './split.ts';
import { prepareSupervised, type TabularColumns } from './supervised.ts';
import type { EpochLog, FeatureRecord } from './types.ts';

/** Progress hooks of the TF.js trainers. */
export interface NeuralHooks {
  /** Called after each epoch (`accuracy` is NaN for regression; `valLoss` is the held-out loss). */
  onEpoch?: (log: EpochLog) => void;
}

/** Optimization parameters shared by the TF.js templates. */
export interface NeuralParams extends TabularColumns {
  /** Passes over the training set. */
  epochs?: number;
  /** Rows per gradient step. */
  batchSize?: number;
  /** Adam learning rate. */
  learningRate?: number;
  /** L2 penalty on kernels (`l2 * sum(W^2)` added to the loss); default 0. */
  l2?: number;
  /** Fraction held out for evaluation, in (0, 1); default 0.2. */
  testFraction?: number;
  /** Seed of the split, initializers and shuffle; default 42. */
  seed?: number;
}

/** Parameters of {@link trainLogisticRegression}. */
export type LogisticRegressionParams = NeuralParams & { target: string };
/** Parameters of {@link trainLinearRegression}. */
export type LinearRegressionParams = NeuralParams & { target: string };
/** Parameters of {@link trainMlpRegressor}. */
export type MlpRegressorParams = NeuralParams & { target: string; hiddenLayers?: number[] };

/** Defaults of the TF.js templates. */
export const NEURAL_DEFAULTS = { epochs: 100, batchSize: 32, learningRate: 0.01, l2: 0, testFraction: 0.2, seed: 42, hiddenLayers: [32, 16] } as const;

/**
 * Wraps a TF.js layers model as a {@link TfjsModelAdapter}: `predict` runs inside `tf.tidy`
 * (no tensor survives); `save` gives `model.json` + `weights.bin` (core/serving/model-io.ts).
 *
 * @param model - the model (ownership passes to the adapter)
 * @param task - classification (softmax output) or regression (one linear output)
 */
export function tfjsAdapter(model: tf.LayersModel, task: ModelTask): TfjsModelAdapter {
  const inputWidth = model.inputs[0]?.shape[1] ?? 0;
  const outputWidth = model.outputs[0]?.shape[1] ?? 0;
  let disposed = false;
  return {
    kind: 'tfjs-layers',
    task,
    inputWidth,
    outputWidth,
    model,
    predict(x, rows) {
      if (rows === 0) return new Float64Array(0);
      const out = tf.tidy(() => {
        const y = model.predict(tf.tensor2d(x, [rows, inputWidth]));
        return (Array.isArray(y) ? y[0] : y).dataSync();
      });
      return Float64Array.from(out);
    },
    async save(): Promise<SerializedModelFiles> {
      const { modelJson, weights } = await serializeModel(model);
      return { [WEIGHTS_FILE]: weights, [MODEL_JSON_FILE]: Buffer.from(modelJsonText(modelJson), 'utf8') };
    },
    parameterCount: () => model.countParams(),
    dispose() {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
}

/**
 * Rebuilds a {@link tfjsAdapter} from `model.json` + `weights.bin` bytes.
 *
 * @throws StratumError `BUNDLE_INVALID` when a file is missing or TF.js rejects them
 */
export async function loadTfjsAdapter(files: SerializedModelFiles, task: ModelTask, source: string): Promise<TfjsModelAdapter> {
  const json = files[MODEL_JSON_FILE];
  const weights = files[WEIGHTS_FILE];
  if (!json || !weights) throw new StratumError('BUNDLE_INVALID', `${source}: a TF.js model needs ${MODEL_JSON_FILE} and ${WEIGHTS_FILE}`, { detail: { path: source } });
  await initBackend();
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(Buffer.from(json).toString('utf8')) as tf.io.ModelJSON;
  } catch (error) {
    throw new StratumError('BUNDLE_INVALID', `${source}/${MODEL_JSON_FILE} is not valid JSON: ${(error as Error).message}`, { detail: { path: source } });
  }
  return tfjsAdapter(await deserializeModel(modelJson, weights, source), task);
}

interface Resolved {
  epochs: number;
  batchSize: number;
  learningRate: number;
  l2: number;
  testFraction: number;
  seed: number;
  hiddenLayers: number[];
}

function resolve(p: NeuralParams & { hiddenLayers?: number[] }, withHidden: boolean): Resolved {
  const r: Resolved = {
    epochs: p.epochs ?? NEURAL_DEFAULTS.epochs,
    batchSize: p.batchSize ?? NEURAL_DEFAULTS.batchSize,
    learningRate: p.learningRate ?? NEURAL_DEFAULTS.learningRate,
    l2: p.l2 ?? NEURAL_DEFAULTS.l2,
    testFraction: p.testFraction ?? NEURAL_DEFAULTS.testFraction,
    seed: p.seed ?? NEURAL_DEFAULTS.seed,
    hiddenLayers: withHidden ? [...(p.hiddenLayers ?? NEURAL_DEFAULTS.hiddenLayers)] : [],
  };
  const bad = (field: string, message: string): StratumError => new StratumError('TEMPLATE_PARAMS', `${field}: ${message}`, { detail: { field } });
  const positiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
  if (!positiveInt(r.epochs)) throw bad('epochs', `expected a positive integer, got ${JSON.stringify(r.epochs)}`);
  if (!positiveInt(r.batchSize)) throw bad('batchSize', `expected a positive integer, got ${JSON.stringify(r.batchSize)}`);
  if (!(r.learningRate > 0 && Number.isFinite(r.learningRate))) throw bad('learningRate', `expected a positive number, got ${JSON.stringify(r.learningRate)}`);
  if (!(r.l2 >= 0 && Number.isFinite(r.l2))) throw bad('l2', `expected a number >= 0, got ${JSON.stringify(r.l2)}`);
  if (!(r.testFraction > 0 && r.testFraction < 1)) throw bad('testFraction', `expected a number in (0, 1), got ${JSON.stringify(r.testFraction)}`);
  if (!Number.isInteger(r.seed)) throw bad('seed', `expected an integer, got ${JSON.stringify(r.seed)}`);
  if (!r.hiddenLayers.every(positiveInt)) throw bad('hiddenLayers', `expected positive integers, got ${JSON.stringify(r.hiddenLayers)}`);
  return r;
}

function buildDense(inputWidth: number, outputs: number, activation: 'softmax' | 'linear', r: Resolved): tf.Sequential {
  const model = tf.sequential();
  const reg = r.l2 > 0 ? { kernelRegularizer: tf.regularizers.l2({ l2: r.l2 }) } : {};
  r.hiddenLayers.forEach((units, i) => {
    model.add(tf.layers.dense({ units, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: r.seed + i }), ...reg, ...(i === 0 ? { inputShape: [inputWidth] } : {}) }));
  });
  model.add(tf.layers.dense({
    units: outputs,
    activation,
    kernelInitializer: tf.initializers.glorotUniform({ seed: r.seed + r.hiddenLayers.length }),
    ...reg,
    ...(r.hiddenLayers.length === 0 ? { inputShape: [inputWidth] } : {}),
  }));
  return model;
}

function gatherRows(x: Float32Array, width: number, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(x.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

function firstValue(logs: tf.History['history'], ...keys: string[]): number | undefined {
  for (const key of keys) {
    const v = logs[key]?.[0];
    if (v !== undefined) return typeof v === 'number' ? v : v.dataSync()[0];
  }
  return undefined;
}

/** Fits `model` epoch by epoch with a seeded shuffle; disposes the optimizer; disposes the model on failure. */
async function fitSeeded(model: tf.Sequential, x: Float32Array, y: Float32Array, rows: number, outputs: number, test: { x: Float32Array; y: Float32Array; rows: number }, r: Resolved, loss: 'categoricalCrossentropy' | 'meanSquaredError', hooks: NeuralHooks): Promise<EpochLog[]> {
  const width = x.length / Math.max(rows, 1);
  const optimizer = tf.train.adam(r.learningRate);
  model.compile({ optimizer, loss, metrics: loss === 'categoricalCrossentropy' ? ['accuracy'] : [] });
  const xTest = tf.tensor2d(test.x, [test.rows, width]);
  const yTest = tf.tensor2d(test.y, [test.rows, outputs]);
  const rng = seedrandom(`stratum-shuffle:${r.seed}`);
  const history: EpochLog[] = [];
  try {
    for (let epoch = 1; epoch <= r.epochs; epoch++) {
      const order = shuffledIndexes(rows, rng);
      const xs = tf.tensor2d(gatherRows(x, width, order), [rows, width]);
      const ys = tf.tensor2d(gatherRows(y, outputs, order), [rows, outputs]);
      let result: tf.History;
      try {
        result = await model.fit(xs, ys, { epochs: 1, batchSize: r.batchSize, shuffle: false, verbose: 0, validationData: [xTest, yTest] });
      } finally {
        xs.dispose();
        ys.dispose();
      }
      const log: EpochLog = {
        epoch,
        loss: firstValue(result.history, 'loss') ?? Number.NaN,
        accuracy: firstValue(result.history, 'acc', 'accuracy') ?? Number.NaN,
        valLoss: firstValue(result.history, 'val_loss'),
        valAccuracy: firstValue(result.history, 'val_acc', 'val_accuracy'),
      };
      if (!Number.isFinite(log.loss)) {
        throw new StratumError('TRAINING_FAILED', `training loss became ${log.loss} at epoch ${epoch}`, { detail: { field: 'learningRate', epoch }, hint: 'Lower the learning rate or check the features for extreme values.' });
      }
      history.push(log);
      hooks.onEpoch?.(log);
    }
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    xTest.dispose();
    yTest.dispose();
    optimizer.dispose();
  }
  return history;
}

/**
 * Trains a (multinomial) logistic regression: one `Dense(k, softmax)` layer on the preprocessed
 * features, categorical cross-entropy (+ optional L2), Adam. With two classes the softmax over
 * two logits is exactly a binary logistic regression on their difference.
 *
 * @param records - training data, one object per row
 * @param params - columns and optimization parameters (defaults {@link NEURAL_DEFAULTS})
 * @returns a classification {@link TrainedModel} evaluated on the stratified held-out split
 * @throws StratumError `TEMPLATE_PARAMS`, `DATA_INVALID`, `TRAINING_FAILED`
 * @example
 * ```ts
 * const m = await trainLogisticRegression(rows, { target: 'Species', features: ['Beak Length (mm)'] });
 * ```
 */
export async function trainLogisticRegression(records: FeatureRecord[], params: LogisticRegressionParams, hooks: NeuralHooks = {}): Promise<TrainedModel> {
  return trainClassifierNet(records, params, resolve(params, false), 'tabular.logistic-regression', hooks);
}

async function trainClassifierNet(records: FeatureRecord[], params: NeuralParams, r: Resolved, templateId: string, hooks: NeuralHooks): Promise<TrainedModel> {
  const data = prepareSupervised(records, params, r, 'classification');
  const k = data.labels.length;
  const oneHot = (y: string[]): Float32Array => {
    const out = new Float32Array(y.length * k);
    y.forEach((label, i) => (out[i * k + data.labels.indexOf(label)] = 1));
    return out;
  };
  const backend = (await initBackend()).name;
  const width = data.preprocessor.outputWidth;
  const model = buildDense(width, k, 'softmax', r);
  const started = performance.now();
  const history = await fitSeeded(model, data.train.x, oneHot(data.train.y as string[]), data.train.rows, k, { x: data.test.x, y: oneHot(data.test.y as string[]), rows: data.test.rows }, r, 'categoricalCrossentropy', hooks);
  const trainMs = performance.now() - started;
  const adapter = tfjsAdapter(model, 'classification');
  const evaluation = evaluateClassification(data.test.y as string[], adapter.predict(data.test.x, data.test.rows), data.labels, data.train.y as string[]);
  return {
    task: 'classification',
    templateId,
    target: params.target as string,
    features: [...params.features],
    labels: data.labels,
    preprocessor: data.preprocessor,
    adapter,
    evaluation,
    history,
    backend,
    params: { ...params, ...r, categorical: params.categorical ?? [], unseen: params.unseen ?? 'error' },
    sizes: { train: data.train.rows, test: data.test.rows },
    dropped: { missingTarget: data.missingTarget },
    timing: { trainMs },
  };
}

/**
 * Trains a linear regression: one `Dense(1)` layer, mean squared error (+ optional L2), Adam, on
 * the standardized target (see the module doc).
 *
 * @returns a regression {@link TrainedModel}; evaluation has MAE, RMSE, R^2, residuals and the mean-predictor baseline
 * @throws StratumError `TEMPLATE_PARAMS`, `DATA_INVALID` (non-numeric target), `TRAINING_FAILED`
 */
export async function trainLinearRegression(records: FeatureRecord[], params: LinearRegressionParams, hooks: NeuralHooks = {}): Promise<TrainedModel> {
  return trainRegressorNet(records, params, resolve(params, false), 'tabular.linear-regression', hooks);
}

/**
 * Trains an MLP regressor: `Dense(relu)` x `hiddenLayers` then `Dense(1)`, MSE, Adam, on the
 * standardized target (see the module doc).
 *
 * @returns a regression {@link TrainedModel}
 * @throws StratumError `TEMPLATE_PARAMS`, `DATA_INVALID`, `TRAINING_FAILED`
 */
export async function trainMlpRegressor(records: FeatureRecord[], params: MlpRegressorParams, hooks: NeuralHooks = {}): Promise<TrainedModel> {
  return trainRegressorNet(records, params, resolve(params, true), 'tabular.mlp-regressor', hooks);
}

async function trainRegressorNet(records: FeatureRecord[], params: NeuralParams, r: Resolved, templateId: string, hooks: NeuralHooks): Promise<TrainedModel> {
  const data = prepareSupervised(records, params, r, 'regression');
  const yTrain = data.train.y as number[];
  const mean = yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
  const sd = Math.sqrt(yTrain.reduce((a, b) => a + (b - mean) ** 2, 0) / yTrain.length) || 1;
  const scaled = (y: number[]): Float32Array => Float32Array.from(y, (v) => (v - mean) / sd);
  const backend = (await initBackend()).name;
  const model = buildDense(data.preprocessor.outputWidth, 1, 'linear', r);
  const started = performance.now();
  const history = await fitSeeded(model, data.train.x, scaled(yTrain), data.train.rows, 1, { x: data.test.x, y: scaled(data.test.y as number[]), rows: data.test.rows }, r, 'meanSquaredError', hooks);
  const trainMs = performance.now() - started;
  // Fold the target scaling into the output layer: y = (xW + b) * sd + mean.
  const last = model.layers[model.layers.length - 1];
  const [kernel, bias] = last.getWeights();
  const scaledWeights = tf.tidy(() => [kernel.mul(sd), bias.mul(sd).add(mean)]);
  last.setWeights(scaledWeights);
  tf.dispose(scaledWeights);
  const adapter = tfjsAdapter(model, 'regression');
  const evaluation = evaluateRegression(data.test.y as number[], adapter.predict(data.test.x, data.test.rows), mean);
  return {
    task: 'regression',
    templateId,
    target: params.target as string,
    features: [...params.features],
    labels: [],
    preprocessor: data.preprocessor,
    adapter,
    evaluation,
    history,
    backend,
    params: { ...params, ...r, categorical: params.categorical ?? [], unseen: params.unseen ?? 'error', ...(r.hiddenLayers.length ? {} : { hiddenLayers: undefined }) },
    sizes: { train: data.train.rows, test: data.test.rows },
    dropped: { missingTarget: data.missingTarget },
    timing: { trainMs },
  };
}
