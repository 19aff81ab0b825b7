/**
 * The one training loop of Stratum's TF.js templates: dense networks built with seeded
 * initializers, fitted epoch by epoch on a seeded shuffle (TF.js `fit`'s own shuffle uses
 * `Math.random`, so it is off), with the held-out split as validation data.
 * Same seed, same data -> same weights, same history.
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

function historyValue(logs: tf.History['history'], ...keys: string[]): number | undefined {
  for (const key of keys) {
    const v = logs[key]?.[0];
    if (v !== undefined) return typeof v === 'number' ? v : v.dataSync()[0];
  }
  return undefined;
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
 *   for a bad early-stopping option or a `classWeight` of the wrong length
 */
export async function fitSeededReport(model: tf.Sequential, train: Matrix, test: Matrix, outputs: number, options: FitOptions): Promise<FitResult> {
  const es = options.earlyStopping ? checkEarlyStopping(options.earlyStopping) : undefined;
  if (options.classWeight && options.classWeight.length !== outputs) {
    throw new StratumError('TEMPLATE_PARAMS', `classWeight: expected ${outputs} weights, got ${options.classWeight.length}`, { detail: { field: 'classWeight' } });
  }
  const classWeight = options.classWeight ? Object.fromEntries(options.classWeight.map((w, i) => [i, w])) : undefined;
  const width = train.x.length / Math.max(train.rows, 1);
  const optimizer = tf.train.adam(options.learningRate);
  model.compile({ optimizer, loss: options.loss, metrics: options.loss === 'categoricalCrossentropy' ? ['accuracy'] : [] });
  const xTest = tf.tensor2d(test.x, [test.rows, width]);
  const yTest = tf.tensor2d(test.y, [test.rows, outputs]);
  const rng = seedrandom(`stratum-shuffle:${options.seed}`);
  const history: EpochLog[] = [];
  let best: { epoch: number; loss: number; weights?: tf.Tensor[] } | undefined;
  let wait = 0;
  let stoppedEpoch: number | undefined;
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const order = shuffledIndexes(train.rows, rng);
      const xs = tf.tensor2d(gatherRows(train.x, width, order), [train.rows, width]);
      const ys = tf.tensor2d(gatherRows(train.y, outputs, order), [train.rows, outputs]);
      let result: tf.History;
      try {
        result = await model.fit(xs, ys, { epochs: 1, batchSize: options.batchSize, shuffle: false, verbose: 0, validationData: [xTest, yTest], ...(classWeight ? { classWeight } : {}) });
      } finally {
        xs.dispose();
        ys.dispose();
      }
      const log: EpochLog = {
        epoch,
        loss: historyValue(result.history, 'loss') ?? Number.NaN,
        accuracy: historyValue(result.history, 'acc', 'accuracy') ?? Number.NaN,
        valLoss: historyValue(result.history, 'val_loss'),
        valAccuracy: historyValue(result.history, 'val_acc', 'val_accuracy'),
      };
      if (!Number.isFinite(log.loss)) {
        throw new StratumError('TRAINING_FAILED', `training loss became ${log.loss} at epoch ${epoch}`, { detail: { field: 'learningRate', epoch }, hint: 'Lower the learning rate or check the features for extreme values.' });
      }
      history.push(log);
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
    xTest.dispose();
    yTest.dispose();
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
