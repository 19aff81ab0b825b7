/**
 * The one training loop of Stratum's TF.js templates: dense networks built with seeded
 * initializers, fitted epoch by epoch on a seeded shuffle, with the held-out split as validation
 * data. Same seed, same data -> same weights, same history.
 *
 * The loop computes what TF.js `model.fit` computes (tfjs-layers `makeTrainFunction`, `BaseLogger`,
 * `testLoop`: same batches, loss, class weighting, regularization, Adam steps and epoch averages)
 * but runs the steps itself with `optimizer.minimize`: `fit` adds per-batch work (a `gather` of
 * each batch's rows, metric logs) and its own shuffle uses `Math.random`. The loss and accuracy
 * are summed on the backend and read once per epoch. Measured in docs/benchmarks.md.
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { StratumError } from '../errors.ts';
import { shuffledIndexes } from './split.ts';
import type { EpochLog } from './types.ts';

/** Network shape and regularization of {@link buildDenseNetwork}. */
export interface DenseNetworkOptions {
  /** Units of each hidden ReLU layer (empty = a single linear/softmax layer). */
  hiddenLayers: number[];
  /** Seed of the Glorot-uniform kernel initializers (layer i uses `seed + i`). */
  seed: number;
  /** L2 penalty on every kernel; 0 = none. */
  l2?: number;
}

/**
 * A sequential network: hidden `Dense(units, relu)` layers then `Dense(outputs, activation)`.
 *
 * @param inputWidth - number of input columns
 * @param outputs - output units (classes, or 1 for regression)
 * @param activation - `softmax` for classification, `linear` for regression
 */
export function buildDenseNetwork(inputWidth: number, outputs: number, activation: 'softmax' | 'linear', options: DenseNetworkOptions): tf.Sequential {
  const model = tf.sequential();
  const l2 = options.l2 ?? 0;
  const reg = l2 > 0 ? { kernelRegularizer: tf.regularizers.l2({ l2 }) } : {};
  options.hiddenLayers.forEach((units, i) => {
    model.add(tf.layers.dense({ units, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed + i }), ...reg, ...(i === 0 ? { inputShape: [inputWidth] } : {}) }));
  });
  model.add(tf.layers.dense({
    units: outputs,
    activation,
    kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed + options.hiddenLayers.length }),
    ...reg,
    ...(options.hiddenLayers.length === 0 ? { inputShape: [inputWidth] } : {}),
  }));
  return model;
}

/** Rows `rows` of a row-major matrix with `width` columns, in that order. */
export function gatherRows(x: Float32Array, width: number, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(x.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

/** A row-major matrix: `x.length === rows * width`. */
export interface Matrix {
  x: Float32Array;
  y: Float32Array;
  rows: number;
}

/** Optimization settings of {@link fitSeeded}. */
export interface FitOptions {
  epochs: number;
  /** Rows per gradient step. */
  batchSize: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Seed of the per-epoch shuffle. */
  seed: number;
  loss: 'categoricalCrossentropy' | 'meanSquaredError';
  /** Called after each epoch. */
  onEpoch?: (log: EpochLog) => void;
  /** Stop when the held-out loss stops improving (see {@link EarlyStoppingOptions}); absent = train every epoch. */
  earlyStopping?: EarlyStoppingOptions;
  /**
   * Weight of each output column's class in the training loss (classification), e.g. from
   * {@link balancedClassWeights}; passed to TF.js `fit` as `classWeight`, which multiplies each
   * sample's loss by its class's weight. The held-out loss stays unweighted.
   */
  classWeight?: number[];
}

/**
 * Early stopping on the held-out loss, as Keras `EarlyStopping(monitor="val_loss", mode="min")`:
 * an epoch improves when `valLoss < best - minDelta`; training stops once `patience` epochs in a
 * row have not improved.
 */
export interface EarlyStoppingOptions {
  /** Metric watched: the held-out (validation) loss. */
  monitor: 'valLoss';
  /** Epochs without improvement before stopping (positive integer). */
  patience: number;
  /** Smallest decrease of the loss that counts as an improvement (loss units, >= 0); default 0. */
  minDelta?: number;
  /** Put back the weights of the best epoch when training ends (stopped or not); default false. */
  restoreBest?: boolean;
}

/** What early stopping did (see {@link FitResult}). */
export interface EarlyStoppingReport {
  /** Epoch (1-based) with the lowest held-out loss. */
  bestEpoch: number;
  /** That loss. */
  bestValLoss: number;
  /** Epoch at which training stopped early; absent when every epoch ran. */
  stoppedEpoch?: number;
  /** Whether the model ends with the best epoch's weights (`restoreBest` and a finite held-out loss was seen). */
  restoredBest: boolean;
  /** Patience and minDelta as used. */
  patience: number;
  minDelta: number;
}

/** Result of {@link fitSeededReport}. */
export interface FitResult {
  /** One log per epoch run. */
  history: EpochLog[];
  /** Present when early stopping was on. */
  earlyStopping?: EarlyStoppingReport;
}

/**
 * Balanced class weights: `n_samples / (n_classes * count_c)` for each class c, as scikit-learn
 * `compute_class_weight("balanced", classes=labels, y=y)`. A class that is k times rarer weighs k
 * times more, so every class contributes the same total weight (n / n_classes).
 *
 * @param y - class label of each training row
 * @param labels - the classes, in output-column order
 * @returns one weight per label (dimensionless, mean over rows = 1)
 * @throws StratumError `DATA_INVALID` when a label never occurs in `y` (scikit-learn raises too)
 * @example
 * ```ts
 * balancedClassWeights(['a', 'a', 'a', 'b'], ['a', 'b']); // [4 / (2 * 3), 4 / (2 * 1)] = [0.667, 2]
 * ```
 */
export function balancedClassWeights(y: readonly string[], labels: readonly string[]): number[] {
  const counts = new Map<string, number>(labels.map((l) => [l, 0]));
  for (const v of y) if (counts.has(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
  return labels.map((l) => {
    const c = counts.get(l) ?? 0;
    if (c === 0) throw new StratumError('DATA_INVALID', `class ${JSON.stringify(l)} has no training rows, so it cannot be weighted`, { detail: { field: 'classWeight' } });
    return y.length / (labels.length * c);
  });
}

function checkEarlyStopping(es: EarlyStoppingOptions): { patience: number; minDelta: number; restoreBest: boolean } {
  const patience = es.patience;
  const minDelta = es.minDelta ?? 0;
  if (es.monitor !== 'valLoss') throw new StratumError('TEMPLATE_PARAMS', `earlyStopping.monitor: expected "valLoss", got ${JSON.stringify(es.monitor)}`, { detail: { field: 'earlyStopping.monitor' } });
  if (!Number.isInteger(patience) || patience < 1) throw new StratumError('TEMPLATE_PARAMS', `earlyStoppingPatience: expected a positive integer, got ${JSON.stringify(patience)}`, { detail: { field: 'earlyStoppingPatience' } });
  if (!(typeof minDelta === 'number' && minDelta >= 0 && Number.isFinite(minDelta))) throw new StratumError('TEMPLATE_PARAMS', `earlyStopping.minDelta: expected a number >= 0, got ${JSON.stringify(minDelta)}`, { detail: { field: 'earlyStopping.minDelta' } });
  return { patience, minDelta, restoreBest: es.restoreBest ?? false };
}

/** What a training step computes, fixed for a fit. */
interface StepFunctions {
  /** Per-row loss (tfjs-layers' loss of that name). */
  loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
  /** Per-row accuracy, classification only. */
  accuracy?: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
  /** The model's trainable variables. */
  variables: tf.Variable[];
}

/** One epoch's training rows in shuffled order (row-major), with their class weights. */
interface EpochData {
  x: Float32Array;
  y: Float32Array;
  weights?: Float32Array;
}

/**
 * Each row's class weight: the weight of its target's class, the class being the column of the
 * row's largest `y` value (the first on a tie), or the value itself with one output column, as
 * tfjs-layers `standardizeWeights` finds it.
 *
 * @throws StratumError `DATA_INVALID` when a row's class has no weight
 */
function classWeightPerRow(y: Float32Array, outputs: number, classWeight: number[]): Float32Array {
  const rows = y.length / outputs;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let k = 0;
    if (outputs === 1) k = y[r] as number;
    else for (let j = 1; j < outputs; j++) if ((y[r * outputs + j] as number) > (y[r * outputs + k] as number)) k = j;
    const w = classWeight[k];
    if (w === undefined) throw new StratumError('DATA_INVALID', `training row ${r} has class ${k}, which has no class weight`, { detail: { field: 'classWeight', row: r } });
    out[r] = w;
  }
  return out;
}

/** Reads a scalar sum divided by the number of rows, as tfjs-layers' `BaseLogger` averages (`(1 / seen) * total`). */
async function epochMean(total: tf.Tensor | undefined, rows: number): Promise<number> {
  if (total === undefined) return Number.NaN;
  const mean = tf.tidy(() => tf.mul(tf.div(1, rows), total));
  try {
    return (await mean.data())[0] as number;
  } finally {
    mean.dispose();
  }
}

/**
 * One pass over `data` in batches of `batchSize` rows: per batch the mean loss (each row's loss
 * times its class weight, when weighted) plus the model's regularization losses, minimized by
 * `optimizer` (one Adam step). The loss and accuracy are summed on the backend, weighted by batch
 * size, and read once at the end of the epoch.
 *
 * @returns the epoch's mean training loss and accuracy (NaN without an accuracy function)
 */
async function trainEpoch(model: tf.Sequential, optimizer: tf.Optimizer, step: StepFunctions, data: EpochData, rows: number, width: number, outputs: number, batchSize: number): Promise<{ loss: number; accuracy: number }> {
  let lossSum: tf.Tensor | undefined;
  let accuracySum: tf.Tensor | undefined;
  try {
    for (let start = 0; start < rows; start += batchSize) {
      const end = Math.min(rows, start + batchSize);
      const size = end - start;
      tf.tidy(() => {
        const xb = tf.tensor2d(data.x.subarray(start * width, end * width), [size, width]);
        const yb = tf.tensor2d(data.y.subarray(start * outputs, end * outputs), [size, outputs]);
        const wb = data.weights ? tf.tensor1d(data.weights.subarray(start, end)) : undefined;
        let batchAccuracy: tf.Tensor | undefined;
        const cost = optimizer.minimize(() => {
          const predicted = model.apply(xb, { training: true }) as tf.Tensor;
          const perRow = step.loss(yb, predicted);
          if (step.accuracy) batchAccuracy = tf.keep(tf.mean(step.accuracy(yb, predicted)));
          let total = tf.mean(wb ? tf.mul(perRow, wb) : perRow) as tf.Scalar;
          for (const penalty of model.calculateLosses()) total = tf.add(total, penalty);
          return total;
        }, true, step.variables) as tf.Scalar;
        const previous = [lossSum, accuracySum];
        lossSum = tf.keep(tf.add(lossSum ?? 0, tf.mul(cost, size)));
        if (batchAccuracy) {
          accuracySum = tf.keep(tf.add(accuracySum ?? 0, tf.mul(batchAccuracy, size)));
          batchAccuracy.dispose();
        }
        tf.dispose(previous.filter((t): t is tf.Tensor => t !== undefined));
      });
    }
    return { loss: await epochMean(lossSum, rows), accuracy: await epochMean(accuracySum, rows) };
  } finally {
    tf.dispose([lossSum, accuracySum].filter((t): t is tf.Tensor => t !== undefined));
  }
}

/**
 * The held-out loss and accuracy as tfjs-layers' `testLoop` computes them: batches of `batchSize`
 * rows in order, no class weights, no regularization, batch means weighted by batch size.
 *
 * @returns `valLoss`/`valAccuracy`, absent when `test` has no rows (and `valAccuracy` for regression)
 */
async function evaluateHeldOut(model: tf.Sequential, step: StepFunctions, test: Matrix, width: number, outputs: number, batchSize: number): Promise<Pick<EpochLog, 'valLoss' | 'valAccuracy'>> {
  if (test.rows === 0) return {};
  const [loss, accuracy] = tf.tidy(() => {
    let lossSum: tf.Tensor = tf.scalar(0);
    let accuracySum: tf.Tensor = tf.scalar(0);
    for (let start = 0; start < test.rows; start += batchSize) {
      const end = Math.min(test.rows, start + batchSize);
      const xb = tf.tensor2d(test.x.subarray(start * width, end * width), [end - start, width]);
      const yb = tf.tensor2d(test.y.subarray(start * outputs, end * outputs), [end - start, outputs]);
      const predicted = model.apply(xb) as tf.Tensor;
      lossSum = tf.add(lossSum, tf.mul(end - start, tf.mean(step.loss(yb, predicted))));
      if (step.accuracy) accuracySum = tf.add(accuracySum, tf.mul(end - start, tf.mean(step.accuracy(yb, predicted))));
    }
    return [tf.div(lossSum, test.rows), tf.div(accuracySum, test.rows)];
  });
  try {
    const valLoss = (await loss.data())[0] as number;
    if (!step.accuracy) return { valLoss };
    return { valLoss, valAccuracy: (await accuracy.data())[0] as number };
  } finally {
    tf.dispose([loss, accuracy]);
  }
}

/**
 * Compiles `model` with Adam and fits it one epoch at a time on a seeded shuffle of `train`,
 * reporting the held-out `test` loss as `valLoss`. Disposes the optimizer and the temporary
 * tensors; disposes the model when training fails.
 *
 * @param outputs - columns of `train.y` / `test.y`
 * @returns one {@link EpochLog} per epoch (`accuracy` is NaN for regression)
 * @throws StratumError `TRAINING_FAILED` when the loss becomes NaN or infinite
 */
export async function fitSeeded(model: tf.Sequential, train: Matrix, test: Matrix, outputs: number, options: FitOptions): Promise<EpochLog[]> {
  return (await fitSeededReport(model, train, test, outputs, options)).history;
}

/**
 * {@link fitSeeded}, also reporting what early stopping did. With `earlyStopping`, the held-out
 * split is used for model selection (when to stop, which weights to keep), so metrics measured on
 * it afterwards are optimistically biased. The best weights are kept as tensor copies, disposed
 * before returning (no tensor outlives the call but the model's own).
 *
 * @returns the history and, with early stopping, the best/stopped epochs
 * @throws StratumError `TRAINING_FAILED` when the loss becomes NaN or infinite; `TEMPLATE_PARAMS`
 *   for a bad early-stopping option or a `classWeight` of the wrong length; `DATA_INVALID` when
 *   `train` has no rows or a training row's class has no class weight
 */
export async function fitSeededReport(model: tf.Sequential, train: Matrix, test: Matrix, outputs: number, options: FitOptions): Promise<FitResult> {
  const es = options.earlyStopping ? checkEarlyStopping(options.earlyStopping) : undefined;
  if (options.classWeight && options.classWeight.length !== outputs) {
    throw new StratumError('TEMPLATE_PARAMS', `classWeight: expected ${outputs} weights, got ${options.classWeight.length}`, { detail: { field: 'classWeight' } });
  }
  if (!(train.rows >= 1)) throw new StratumError('DATA_INVALID', 'there are no training rows', { hint: 'Use more rows or a smaller test fraction.' });
  const width = train.x.length / train.rows;
  const optimizer = tf.train.adam(options.learningRate);
  // Compiled as before (the model keeps its training config); the loop below does the fitting.
  model.compile({ optimizer, loss: options.loss, metrics: options.loss === 'categoricalCrossentropy' ? ['accuracy'] : [] });
  const step: StepFunctions = {
    loss: options.loss === 'categoricalCrossentropy' ? tf.metrics.categoricalCrossentropy : tf.metrics.meanSquaredError,
    // tfjs-layers' "accuracy" for a categorical cross-entropy loss: binary with one output column.
    accuracy: options.loss === 'categoricalCrossentropy' ? (outputs === 1 ? tf.metrics.binaryAccuracy : tf.metrics.categoricalAccuracy) : undefined,
    variables: model.trainableWeights.map((w) => w.read() as tf.Variable),
  };
  const rowWeights = options.classWeight ? classWeightPerRow(train.y, outputs, options.classWeight) : undefined;
  const rng = seedrandom(`stratum-shuffle:${options.seed}`);
  const history: EpochLog[] = [];
  let best: { epoch: number; loss: number; weights?: tf.Tensor[] } | undefined;
  let wait = 0;
  let stoppedEpoch: number | undefined;
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const order = shuffledIndexes(train.rows, rng);
      const epochData: EpochData = {
        x: gatherRows(train.x, width, order),
        y: gatherRows(train.y, outputs, order),
        ...(rowWeights ? { weights: Float32Array.from(order, (r) => rowWeights[r] as number) } : {}),
      };
      const trained = await trainEpoch(model, optimizer, step, epochData, train.rows, width, outputs, options.batchSize);
      const held = await evaluateHeldOut(model, step, test, width, outputs, options.batchSize);
      const log: EpochLog = { epoch, ...trained, ...held };
      if (!Number.isFinite(log.loss)) {
        throw new StratumError('TRAINING_FAILED', `training loss became ${log.loss} at epoch ${epoch}`, { detail: { field: 'learningRate', epoch }, hint: 'Lower the learning rate or check the features for extreme values.' });
      }
      history.push(log);
      // One turn of the event loop per epoch: the batches above await only settled promises
      // (microtasks), so without it signal handlers (a kernel interrupt) and I/O would wait for
      // the whole fit; `onEpoch` may then stop training by throwing.
      await new Promise((resolve) => setImmediate(resolve));
      options.onEpoch?.(log);
      if (es) {
        const v = log.valLoss;
        if (v !== undefined && Number.isFinite(v) && (best === undefined || v < best.loss - es.minDelta)) {
          tf.dispose(best?.weights ?? []);
          best = { epoch, loss: v, ...(es.restoreBest ? { weights: model.getWeights().map((w) => w.clone()) } : {}) };
          wait = 0;
        } else if (++wait >= es.patience) {
          stoppedEpoch = epoch;
          break;
        }
      }
    }
    if (best?.weights && best.epoch !== history.length) {
      model.setWeights(best.weights);
    }
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    optimizer.dispose();
    tf.dispose(best?.weights ?? []);
  }
  if (!es) return { history };
  return {
    history,
    earlyStopping: {
      bestEpoch: best?.epoch ?? history.length,
      bestValLoss: best?.loss ?? Number.NaN,
      ...(stoppedEpoch === undefined ? {} : { stoppedEpoch }),
      restoredBest: es.restoreBest && best !== undefined,
      patience: es.patience,
      minDelta: es.minDelta,
    },
  };
}
