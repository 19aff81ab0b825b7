/**
 * Tabular classification with a TF.js multilayer perceptron: validation of the parameters,
 * preprocessing, seeded stratified split, deterministic training, held-out evaluation,
 * prediction (the single function used both in notebooks and by the REST service) and a readable
 * summary.
 */
import * as tf from '@tensorflow/tfjs';
import { StratumError } from '../errors.ts';
import { initBackend } from '../tf/backend.ts';
import { classificationReport } from './metrics.ts';
import { fieldPath, fitPreprocessor, transformRecords, type TransformOptions } from './preprocess.ts';
import { stratifiedSplit, type SplitIndexes } from './split.ts';
import { explicitSplit } from './supervised.ts';
import { balancedClassWeights, fitSeededReport, buildDenseNetwork } from './fit.ts';
import { checkTrainingData, trainingNotes } from './guardrails.ts';
import type { ClassificationReport, EpochLog, FeatureRecord, Prediction, PreprocessorState, TrainedClassifier } from './types.ts';

/** Parameters of {@link trainMlpClassifier} (the `tabular.mlp-classifier` template's model params). */
export interface MlpClassifierParams {
  /** Target (label) column; its values are converted to strings to form the class labels. */
  target: string;
  /** Feature columns, in model input order. */
  features: string[];
  /** Features to one-hot encode even when their values are numbers; string columns are categorical anyway. */
  categorical?: string[];
  /** Units of each hidden ReLU layer; default `[64, 64]`. */
  hiddenLayers?: number[];
  /** Passes over the training set; default 50. */
  epochs?: number;
  /** Mini-batch size (rows); default 32. */
  batchSize?: number;
  /** Adam learning rate; default 0.001. */
  learningRate?: number;
  /** Fraction of each class held out for evaluation, in (0, 1); default 0.2. */
  testFraction?: number;
  /** Seed of the split, the weight initializers and the per-epoch shuffle; default 42. */
  seed?: number;
  /** Policy for a category unseen in training (at prediction time); default `error`. */
  unseen?: 'error' | 'ignore';
  /**
   * Early stopping: stop once the held-out loss has not improved for this many epochs and keep
   * the best epoch's weights. Absent = off. When on, the held-out split selects the model, so its
   * metrics are optimistic.
   */
  earlyStoppingPatience?: number;
  /** `balanced`: weight each class's loss by `n / (n_classes * count_c)` (scikit-learn `class_weight="balanced"`); absent = unweighted. */
  classWeight?: 'balanced';
  /** An explicit split instead of the seeded one (cross-validation folds): see `TabularColumns.splitIndexes` in supervised.ts. */
  splitIndexes?: SplitIndexes;
}

/** {@link MlpClassifierParams} with every default applied (the two opt-in options stay optional). */
export type ResolvedMlpParams = Required<Omit<MlpClassifierParams, 'categorical' | 'earlyStoppingPatience' | 'classWeight' | 'splitIndexes'>> & {
  categorical: string[];
  earlyStoppingPatience?: number;
  classWeight?: 'balanced';
};

/** Hooks called during {@link trainMlpClassifier}. */
export interface TrainingHooks {
  /** Called after each epoch with its training (and held-out) loss and accuracy. */
  onEpoch?: (log: EpochLog) => void;
}

/** What {@link predictRecords} needs: a {@link TrainedClassifier} or a model loaded from a bundle. */
export interface ClassifierModel {
  model: tf.LayersModel;
  preprocessor: PreprocessorState;
  labels: string[];
}

/** Defaults of {@link MlpClassifierParams}. */
export const MLP_DEFAULTS = {
  hiddenLayers: [64, 64],
  epochs: 50,
  batchSize: 32,
  learningRate: 0.001,
  testFraction: 0.2,
  seed: 42,
  unseen: 'error',
} as const satisfies Partial<MlpClassifierParams>;

function paramError(field: string, message: string, hint?: string): StratumError {
  return new StratumError('TEMPLATE_PARAMS', `${field}: ${message}`, { detail: { field }, hint });
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value));
}

function availableColumns(records: FeatureRecord[]): string[] {
  const names = new Set<string>();
  for (const record of records.slice(0, 1000)) if (typeof record === 'object' && record !== null) for (const k of Object.keys(record)) names.add(k);
  return [...names];
}

/**
 * Applies defaults and checks the parameters against the data's columns.
 *
 * @param params - user parameters
 * @param columns - column names available in the data
 * @throws StratumError `TEMPLATE_PARAMS` naming the bad parameter (unknown columns list the available ones)
 */
export function resolveMlpParams(params: MlpClassifierParams, columns: string[]): ResolvedMlpParams {
  const p = params as Partial<MlpClassifierParams> | null | undefined;
  if (typeof p !== 'object' || p === null) throw paramError('params', 'expected an object');
  const known = new Set(columns);
  const list = columns.map((c) => JSON.stringify(c)).join(', ');
  const hint = `Available columns: ${list}.`;
  if (typeof p.target !== 'string') throw paramError('target', 'expected a column name');
  if (!known.has(p.target)) throw paramError('target', `unknown column ${JSON.stringify(p.target)}`, hint);
  if (!Array.isArray(p.features) || p.features.length === 0 || p.features.some((f) => typeof f !== 'string')) throw paramError('features', 'expected a non-empty list of column names', hint);
  for (const f of p.features) if (!known.has(f)) throw paramError('features', `unknown column ${JSON.stringify(f)}`, hint);
  if (p.features.includes(p.target)) throw paramError('features', `the target ${JSON.stringify(p.target)} cannot also be a feature`);
  if (new Set(p.features).size !== p.features.length) throw paramError('features', 'a column is listed twice');
  const categorical = p.categorical ?? [];
  if (!Array.isArray(categorical)) throw paramError('categorical', 'expected a list of column names');
  for (const c of categorical) if (!p.features.includes(c)) throw paramError('categorical', `${JSON.stringify(c)} is not one of the features`);
  const r: ResolvedMlpParams = {
    target: p.target,
    features: [...p.features],
    categorical: [...categorical],
    hiddenLayers: [...(p.hiddenLayers ?? MLP_DEFAULTS.hiddenLayers)],
    epochs: p.epochs ?? MLP_DEFAULTS.epochs,
    batchSize: p.batchSize ?? MLP_DEFAULTS.batchSize,
    learningRate: p.learningRate ?? MLP_DEFAULTS.learningRate,
    testFraction: p.testFraction ?? MLP_DEFAULTS.testFraction,
    seed: p.seed ?? MLP_DEFAULTS.seed,
    unseen: p.unseen ?? MLP_DEFAULTS.unseen,
  };
  const positiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
  if (!Array.isArray(r.hiddenLayers) || !r.hiddenLayers.every(positiveInt)) throw paramError('hiddenLayers', `expected a list of positive integers, got ${JSON.stringify(r.hiddenLayers)}`);
  if (!positiveInt(r.epochs)) throw paramError('epochs', `expected a positive integer, got ${JSON.stringify(r.epochs)}`);
  if (!positiveInt(r.batchSize)) throw paramError('batchSize', `expected a positive integer, got ${JSON.stringify(r.batchSize)}`);
  if (!(typeof r.learningRate === 'number' && r.learningRate > 0 && Number.isFinite(r.learningRate))) throw paramError('learningRate', `expected a positive number, got ${JSON.stringify(r.learningRate)}`);
  if (!(typeof r.testFraction === 'number' && r.testFraction > 0 && r.testFraction < 1)) throw paramError('testFraction', `expected a number in (0, 1), got ${JSON.stringify(r.testFraction)}`);
  if (!Number.isInteger(r.seed)) throw paramError('seed', `expected an integer, got ${JSON.stringify(r.seed)}`);
  if (r.unseen !== 'error' && r.unseen !== 'ignore') throw paramError('unseen', `expected "error" or "ignore", got ${JSON.stringify(r.unseen)}`);
  if (p.earlyStoppingPatience !== undefined) {
    if (!positiveInt(p.earlyStoppingPatience)) throw paramError('earlyStoppingPatience', `expected a positive integer, got ${JSON.stringify(p.earlyStoppingPatience)}`);
    r.earlyStoppingPatience = p.earlyStoppingPatience;
  }
  if (p.classWeight !== undefined) {
    if (p.classWeight !== 'balanced') throw paramError('classWeight', `expected "balanced", got ${JSON.stringify(p.classWeight)}`);
    r.classWeight = p.classWeight;
  }
  return r;
}

function oneHotLabels(indexes: number[], numClasses: number): Float32Array {
  const y = new Float32Array(indexes.length * numClasses);
  indexes.forEach((k, i) => (y[i * numClasses + k] = 1));
  return y;
}

/**
 * Trains an MLP classifier on tabular records and evaluates it on a seeded, stratified held-out split.
 *
 * Pipeline: drop rows whose target is missing (counted in `dropped.missingTarget`); split with
 * {@link stratifiedSplit}; fit the {@link fitPreprocessor} pipeline on the training rows only;
 * train `Dense(relu)` x `hiddenLayers` then `Dense(softmax)` with Adam and categorical
 * cross-entropy. Deterministic for a given seed and backend: seeded Glorot-uniform kernels (zero
 * biases) and a seeded per-epoch shuffle of the training rows (TF.js `fit`'s own shuffle uses
 * `Math.random`). The held-out split is also reported per epoch as `valLoss`/`valAccuracy`
 * (monitoring only, unless `earlyStoppingPatience` is set: then it also decides when to stop and
 * which epoch's weights to keep, so its metrics are optimistic). With `classWeight: 'balanced'`
 * each class's loss is weighted by `n / (n_classes * count_c)`. Guardrails
 * (`checkTrainingData`) refuse target leakage and return warnings on the result. The optimizer's state is disposed after
 * training, so the returned model owns only its weights.
 *
 * @param records - training data, one object per row (see `toRecords`)
 * @param params - model parameters (see {@link MlpClassifierParams} for defaults)
 * @param hooks - progress callbacks
 * @returns the trained classifier (call `result.model.dispose()` when done)
 * @throws StratumError `TEMPLATE_PARAMS` for a bad parameter or unknown column (listing the
 *   available columns), `DATA_INVALID` for fewer than 2 classes, target leakage or unusable feature values,
 *   `TRAINING_FAILED` when the loss becomes non-finite
 * @example
 * ```ts
 * const clf = await trainMlpClassifier(rows, { target: 'weather', features: ['temp_max', 'wind'] });
 * console.log(trainingSummary(clf));
 * ```
 */
export async function trainMlpClassifier(records: FeatureRecord[], params: MlpClassifierParams, hooks: TrainingHooks = {}): Promise<TrainedClassifier> {
  if (!Array.isArray(records)) throw new StratumError('DATA_INVALID', 'expected an array of records', { hint: 'Convert a DataFrame with toRecords(df).' });
  const p = resolveMlpParams(params, availableColumns(records));

  const kept: FeatureRecord[] = [];
  const targets: string[] = [];
  const keptRows: number[] = [];
  let missingTarget = 0;
  records.forEach((record, row) => {
    const value = record[p.target];
    if (isMissing(value)) {
      missingTarget++;
      return;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      const field = fieldPath(row, p.target);
      throw new StratumError('DATA_INVALID', `${field}: expected a class label (string, number or boolean), got ${typeof value}`, { detail: { field, row } });
    }
    kept.push(record);
    keptRows.push(row);
    targets.push(String(value));
  });
  const labels = [...new Set(targets)].sort();
  if (labels.length < 2) {
    throw new StratumError('DATA_INVALID', `target ${JSON.stringify(p.target)} has ${labels.length} class${labels.length === 1 ? ` (${JSON.stringify(labels[0])})` : 'es'} after dropping ${missingTarget} rows with a missing target; classification needs at least 2`, {
      detail: { field: 'target' },
      hint: 'Choose a target column with at least two distinct values.',
    });
  }
  const split = params.splitIndexes === undefined ? stratifiedSplit(targets, { testFraction: p.testFraction, seed: p.seed }) : explicitSplit(params.splitIndexes, keptRows, records.length);
  if (split.test.length === 0) {
    throw new StratumError('DATA_INVALID', `the held-out split is empty (${kept.length} rows, testFraction ${p.testFraction})`, { detail: { field: 'testFraction' }, hint: 'Use more rows or a larger testFraction.' });
  }
  const trainRecords = split.train.map((i) => kept[i]);
  const testRecords = split.test.map((i) => kept[i]);
  const warnings = checkTrainingData(kept, { target: p.target, features: p.features, task: 'classification', testRows: testRecords.length });
  const preprocessor = fitPreprocessor(trainRecords, { features: p.features, categorical: p.categorical, unseen: p.unseen });
  const width = preprocessor.outputWidth;
  const xTrain = transformRecords(preprocessor, trainRecords);
  const classIndex = new Map(labels.map((l, i) => [l, i]));
  const trainClass = split.train.map((i) => classIndex.get(targets[i]) ?? 0);
  const testTruth = split.test.map((i) => targets[i]);

  const backend = (await initBackend()).name;
  const model = buildDenseNetwork(width, labels.length, 'softmax', { hiddenLayers: p.hiddenLayers, seed: p.seed });
  // The held-out split doubles as validation data for the per-epoch held-out loss. A category
  // present only in held-out rows is encoded as all zeros here, whatever the serving policy.
  const xTest = transformRecords(preprocessor, testRecords, { unseen: 'ignore' });
  const testClass = split.test.map((i) => classIndex.get(targets[i]) ?? 0);
  const started = performance.now();
  const { history, earlyStopping } = await fitSeededReport(
    model,
    { x: xTrain, y: oneHotLabels(trainClass, labels.length), rows: trainRecords.length },
    { x: xTest, y: oneHotLabels(testClass, labels.length), rows: testRecords.length },
    labels.length,
    {
      epochs: p.epochs, batchSize: p.batchSize, learningRate: p.learningRate, seed: p.seed, loss: 'categoricalCrossentropy', onEpoch: hooks.onEpoch,
      ...(p.earlyStoppingPatience === undefined ? {} : { earlyStopping: { monitor: 'valLoss', patience: p.earlyStoppingPatience, restoreBest: true } }),
      ...(p.classWeight === 'balanced' ? { classWeight: balancedClassWeights(split.train.map((i) => targets[i]), labels) } : {}),
    },
  );
  const trainMs = performance.now() - started;

  const classifier = { model, preprocessor, labels };
  const evaluation: ClassificationReport = classificationReport(testTruth, predictRecords(classifier, testRecords, { unseen: 'ignore' }).map((pr) => pr.label), labels);
  return {
    task: 'classification',
    target: p.target,
    features: p.features,
    labels,
    preprocessor,
    model,
    evaluation,
    history,
    backend,
    params: { ...p },
    sizes: { train: trainRecords.length, test: testRecords.length },
    dropped: { missingTarget },
    timing: { trainMs, samplesPerSecond: (trainRecords.length * history.length) / (trainMs / 1000) },
    warnings,
    ...(earlyStopping ? { earlyStopping } : {}),
    heldOut: { records: testRecords, y: testTruth },
  };
}

/**
 * Predicts the class of each record: validates and transforms the records with the model's own
 * preprocessing, runs the network inside `tf.tidy`, and returns plain numbers (no tensor
 * survives the call). The REST service and the notebook use this same function.
 *
 * The TF.js backend must already be initialized (it is whenever `model` exists in this process).
 *
 * @param model - the network, its fitted preprocessing and its class labels
 * @param records - records to classify
 * @param options - missing-value policy: `{ missing: 'error' }` for serving, default `impute`
 * @returns one {@link Prediction} per record, in order; `probabilities[label]` is the softmax output
 *   (float32 precision); `label` is the most probable class (first one on a tie)
 * @throws StratumError `REQUEST_INVALID` naming field and row for an invalid record (see
 *   `transformRecords`); `BUNDLE_INVALID` when the model's input width disagrees with the preprocessing
 */
export function predictRecords(model: ClassifierModel, records: FeatureRecord[], options: TransformOptions = {}): Prediction[] {
  const width = model.preprocessor.outputWidth;
  const inputWidth = model.model.inputs[0]?.shape[1];
  if (inputWidth !== width) {
    throw new StratumError('BUNDLE_INVALID', `model expects ${inputWidth} inputs but the preprocessing produces ${width}`, { detail: { expected: width, actual: inputWidth } });
  }
  if (records.length === 0) return [];
  const x = transformRecords(model.preprocessor, records, options);
  const probs = tf.tidy(() => {
    const out = model.model.predict(tf.tensor2d(x, [records.length, width]));
    return (Array.isArray(out) ? out[0] : out).dataSync() as Float32Array;
  });
  const k = model.labels.length;
  return records.map((_, i) => {
    const probabilities: Record<string, number> = {};
    let best = 0;
    for (let j = 0; j < k; j++) {
      probabilities[model.labels[j]] = probs[i * k + j];
      if (probs[i * k + j] > probs[i * k + best]) best = j;
    }
    return { label: model.labels[best], probabilities };
  });
}

function fmt(x: number | null, digits = 3): string {
  return x === null ? 'n/a' : x.toFixed(digits);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows.map((r) => r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  ').trimEnd()).join('\n');
}

/**
 * Renders a trained classifier as a readable text block: backend, data sizes, held-out accuracy
 * and macro-F1, a per-class precision/recall/F1/support table (`n/a` where undefined, with the
 * reason) and the confusion matrix (rows = true, columns = predicted).
 *
 * @param t - a trained classifier
 * @returns multi-line plain text
 */
export function trainingSummary(t: TrainedClassifier): string {
  const e = t.evaluation;
  const last = t.history.at(-1);
  const lines: string[] = [];
  lines.push(`MLP classifier: ${JSON.stringify(t.target)} from ${t.features.length} feature${t.features.length === 1 ? '' : 's'} (${t.features.join(', ')}), ${t.labels.length} classes`);
  const speed = t.timing ? `, ${(t.timing.trainMs / 1000).toFixed(1)} s (${Math.round(t.timing.samplesPerSecond)} samples/s)` : '';
  lines.push(`backend ${t.backend}; train ${t.sizes.train} rows, test ${t.sizes.test} rows${t.dropped?.missingTarget ? `, ${t.dropped.missingTarget} rows dropped (missing target)` : ''}; ${t.history.length} epochs${speed}`);
  if (last) lines.push(`last epoch: loss ${last.loss.toFixed(4)}, train accuracy ${last.accuracy.toFixed(3)}${last.valLoss === undefined ? '' : `, held-out loss ${last.valLoss.toFixed(4)}`}`);
  lines.push(`test accuracy ${e.accuracy.toFixed(3)}, macro-F1 ${e.macroF1.toFixed(3)} (n = ${e.n})`, '');
  lines.push(table([['class', 'precision', 'recall', 'f1', 'support'], ...e.perClass.map((c) => [c.label, fmt(c.precision), fmt(c.recall), fmt(c.f1), String(c.support)])]));
  for (const c of e.perClass) if (c.undefinedReason) lines.push(`  ${c.label}: ${c.undefinedReason}`);
  lines.push('', 'confusion matrix (rows = true, columns = predicted):');
  lines.push(table([['', ...e.labels], ...e.confusionMatrix.map((row, i) => [e.labels[i], ...row.map(String)])]));
  lines.push(...trainingNotes(t));
  return lines.join('\n');
}

