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
  const width = train.x.length / Math.max(train.rows, 1);
  const optimizer = tf.train.adam(options.learningRate);
  model.compile({ optimizer, loss: options.loss, metrics: options.loss === 'categoricalCrossentropy' ? ['accuracy'] : [] });
  const xTest = tf.tensor2d(test.x, [test.rows, width]);
  const yTest = tf.tensor2d(test.y, [test.rows, outputs]);
  const rng = seedrandom(`stratum-shuffle:${options.seed}`);
  const history: EpochLog[] = [];
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const order = shuffledIndexes(train.rows, rng);
      const xs = tf.tensor2d(gatherRows(train.x, width, order), [train.rows, width]);
      const ys = tf.tensor2d(gatherRows(train.y, outputs, order), [train.rows, outputs]);
      let result: tf.History;
      try {
        result = await model.fit(xs, ys, { epochs: 1, batchSize: options.batchSize, shuffle: false, verbose: 0, validationData: [xTest, yTest] });
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
