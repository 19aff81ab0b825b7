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
import { StratumError } from '../errors.ts';
import { deserializeModel, MODEL_JSON_FILE, modelJsonText, serializeModel, WEIGHTS_FILE } from '../serving/model-io.ts';
import { initBackend } from '../tf/backend.ts';
import { evaluateClassification, evaluateRegression } from './evaluate.ts';
import type { ModelTask, SerializedModelFiles, TfjsModelAdapter, TrainedModel } from './model.ts';
import { balancedClassWeights, buildDenseNetwork, fitSeededReport, type EarlyStoppingOptions } from './fit.ts';
import { checkTrainingData } from './guardrails.ts';
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
  /**
   * Early stopping: stop once the held-out loss has not improved for this many epochs, and keep
   * the best epoch's weights (see `fitSeededReport`). Absent = off (every epoch runs). When on,
   * the held-out split selects the model, so its metrics are optimistic.
   */
  earlyStoppingPatience?: number;
}

/** Parameters of {@link trainLogisticRegression}. */
export type LogisticRegressionParams = NeuralParams & {
  target: string;
  /** `balanced`: weight each class's loss by `n / (n_classes * count_c)` ({@link balancedClassWeights}); absent = unweighted. */
  classWeight?: 'balanced';
};
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
  earlyStoppingPatience?: number;
  classWeight?: 'balanced';
}

function resolve(p: NeuralParams & { hiddenLayers?: number[]; classWeight?: 'balanced' }, withHidden: boolean): Resolved {
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
  if (p.earlyStoppingPatience !== undefined) {
    if (!positiveInt(p.earlyStoppingPatience)) throw bad('earlyStoppingPatience', `expected a positive integer, got ${JSON.stringify(p.earlyStoppingPatience)}`);
    r.earlyStoppingPatience = p.earlyStoppingPatience;
  }
  if (p.classWeight !== undefined) {
    if (p.classWeight !== 'balanced') throw bad('classWeight', `expected "balanced", got ${JSON.stringify(p.classWeight)}`);
    r.classWeight = p.classWeight;
  }
  return r;
}

/** The early-stopping options of a template's `earlyStoppingPatience` (restoring the best weights). */
export function earlyStoppingFromPatience(patience: number | undefined): EarlyStoppingOptions | undefined {
  return patience === undefined ? undefined : { monitor: 'valLoss', patience, restoreBest: true };
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
  const warnings = checkTrainingData(records, { target: params.target, features: params.features, task: 'classification', testRows: data.test.rows });
  const k = data.labels.length;
  const oneHot = (y: string[]): Float32Array => {
    const out = new Float32Array(y.length * k);
    y.forEach((label, i) => (out[i * k + data.labels.indexOf(label)] = 1));
    return out;
  };
  const backend = (await initBackend()).name;
  const width = data.preprocessor.outputWidth;
  const model = buildDenseNetwork(width, k, 'softmax', r);
  const started = performance.now();
  const { history, earlyStopping } = await fitSeededReport(model, { x: data.train.x, y: oneHot(data.train.y as string[]), rows: data.train.rows }, { x: data.test.x, y: oneHot(data.test.y as string[]), rows: data.test.rows }, k, {
    ...r,
    loss: 'categoricalCrossentropy',
    onEpoch: hooks.onEpoch,
    earlyStopping: earlyStoppingFromPatience(r.earlyStoppingPatience),
    classWeight: r.classWeight === 'balanced' ? balancedClassWeights(data.train.y as string[], data.labels) : undefined,
  });
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
    params: { ...params, ...r, categorical: params.categorical ?? [], unseen: params.unseen ?? 'error', ...(r.hiddenLayers.length ? {} : { hiddenLayers: undefined }) },
    sizes: { train: data.train.rows, test: data.test.rows },
    dropped: { missingTarget: data.missingTarget },
    timing: { trainMs },
    warnings,
    ...(earlyStopping ? { earlyStopping } : {}),
    heldOut: { records: data.test.records, y: data.test.y },
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
  const warnings = checkTrainingData(records, { target: params.target, features: params.features, task: 'regression', testRows: data.test.rows });
  const yTrain = data.train.y as number[];
  const mean = yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
  const sd = Math.sqrt(yTrain.reduce((a, b) => a + (b - mean) ** 2, 0) / yTrain.length) || 1;
  const scaled = (y: number[]): Float32Array => Float32Array.from(y, (v) => (v - mean) / sd);
  const backend = (await initBackend()).name;
  const model = buildDenseNetwork(data.preprocessor.outputWidth, 1, 'linear', r);
  const started = performance.now();
  const { history, earlyStopping } = await fitSeededReport(model, { x: data.train.x, y: scaled(yTrain), rows: data.train.rows }, { x: data.test.x, y: scaled(data.test.y as number[]), rows: data.test.rows }, 1, {
    ...r,
    loss: 'meanSquaredError',
    onEpoch: hooks.onEpoch,
    classWeight: undefined,
    earlyStopping: earlyStoppingFromPatience(r.earlyStoppingPatience),
  });
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
    warnings,
    ...(earlyStopping ? { earlyStopping } : {}),
    heldOut: { records: data.test.records, y: data.test.y },
  };
}
