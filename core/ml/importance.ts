/**
 * Permutation feature importance with scikit-learn's semantics
 * (`sklearn.inspection.permutation_importance`,
 * https://scikit-learn.org/1.2/modules/permutation_importance.html): the score of the model on its
 * held-out rows, minus the score after shuffling one feature's values across those rows,
 * repeated `nRepeats` times with a seeded shuffle; reported as the mean and the (population)
 * standard deviation of the decreases.
 *
 * A feature is permuted as a whole *raw* column, before preprocessing, so the one-hot columns of a
 * categorical feature move together. Because every fitted preprocessing step (impute, scale,
 * one-hot) maps one raw value to its own output columns, this is done by moving the feature's block
 * of preprocessed columns row-wise, which gives exactly the matrix that preprocessing the permuted
 * records would give (tested), without re-validating the records for every repeat.
 *
 * Also the one place that turns a trained model (a template's `TrainedModel` or the MLP's
 * `TrainedClassifier`) into predictions on its kept held-out rows ({@link heldOutOutputs}), which
 * the evaluation plots use.
 */
import { mean, standardDeviation } from 'simple-statistics';
import seedrandom from 'seedrandom';
import { StratumError } from '../errors.ts';
import { isTrainedModel, type TrainedModel } from './model.ts';
import { tfjsAdapter } from './neural.ts';
import { transformRecords } from './preprocess.ts';
import { shuffledIndexes } from './split.ts';
import type { HeldOutData, PreprocessorState, TrainedClassifier } from './types.ts';

/**
 * Score used by {@link permutationImportance}; higher is better for all of them (scikit-learn's
 * scorer convention): `accuracy` (`accuracy_score`), `balancedAccuracy` (`balanced_accuracy_score`),
 * `r2` (`r2_score`), `negMeanAbsoluteError` (`neg_mean_absolute_error`).
 */
export type ImportanceScoring = 'accuracy' | 'balancedAccuracy' | 'r2' | 'negMeanAbsoluteError';

/** Options of {@link permutationImportance}. */
export interface PermutationImportanceOptions {
  /** Shuffles per feature (positive integer); default 5 (scikit-learn's `n_repeats`). */
  nRepeats?: number;
  /** Seed of the shuffles (integer); default the model's `params.seed`, else 42. */
  seed?: number;
  /** Score; default `accuracy` for classification, `r2` for regression (scikit-learn's estimator `score`). */
  scoring?: ImportanceScoring;
  /**
   * Use at most this many held-out rows (a seeded sample without replacement, drawn once and used
   * for the baseline and every shuffle); default all. scikit-learn's `max_samples` instead scores
   * the baseline on all rows and draws a sample per feature.
   */
  maxSamples?: number;
}

/** Importance of one feature. */
export interface FeatureImportance {
  /** Feature (raw column) name. */
  feature: string;
  /** Mean decrease of the score over the repeats (score units; > 0 = the model relies on it). */
  mean: number;
  /** Population standard deviation (ddof = 0, as numpy `std`) of the decreases. */
  std: number;
  /** The decrease of each repeat. */
  importances: number[];
}

/** Result of {@link permutationImportance}. */
export interface PermutationImportanceResult {
  scoring: ImportanceScoring;
  /** Score of the unpermuted held-out rows. */
  baseline: number;
  /** Held-out rows used. */
  rows: number;
  nRepeats: number;
  seed: number;
  /** One entry per feature, in the model's feature order. */
  features: FeatureImportance[];
}

/** A supervised model reduced to what importance and plots need. */
interface SupervisedView {
  task: 'classification' | 'regression';
  labels: string[];
  features: string[];
  preprocessor: PreprocessorState;
  heldOut: HeldOutData;
  params: Record<string, unknown>;
  predict(x: Float32Array, rows: number): Float64Array;
}

/** A trained model as the plots and importance accept it: a template's model or the MLP classifier. */
export type AnyTrainedModel = TrainedModel | TrainedClassifier;

function supervisedView(model: AnyTrainedModel, what: string): SupervisedView {
  if (typeof model !== 'object' || model === null || !('task' in model)) {
    throw new StratumError('USAGE', `${what}: expected a trained model (the result of a stratum.train* call)`, { detail: { field: 'model' } });
  }
  if (model.task !== 'classification' && model.task !== 'regression') {
    throw new StratumError('USAGE', `${what} needs a classification or regression model; this is a ${model.task} model`, { detail: { field: 'model', task: model.task } });
  }
  if (!model.heldOut || model.heldOut.records.length === 0) {
    throw new StratumError('DATA_INVALID', `${what} needs the model's held-out rows, which this model does not keep`, {
      detail: { field: 'model.heldOut' },
      hint: 'Retrain the model with this version of Stratum (models keep their held-out rows since plots were added).',
    });
  }
  if (model.heldOut.y.length !== model.heldOut.records.length) {
    throw new StratumError('DATA_INVALID', `model.heldOut has ${model.heldOut.records.length} records but ${model.heldOut.y.length} targets`, { detail: { field: 'model.heldOut.y' } });
  }
  const predict = isTrainedModel(model) ? (x: Float32Array, rows: number) => model.adapter.predict(x, rows) : tfjsAdapter((model as TrainedClassifier).model, 'classification').predict;
  return { task: model.task, labels: model.labels, features: model.features, preprocessor: model.preprocessor, heldOut: model.heldOut, params: model.params, predict };
}

/**
 * The model's output on its held-out rows (the rows of its evaluation): class probabilities
 * (row-major n x labels.length, column j = `labels[j]`) or predicted values.
 *
 * @param model - a trained classification or regression model
 * @throws StratumError `USAGE` for another task; `DATA_INVALID` when the model keeps no held-out rows
 */
export function heldOutOutputs(model: AnyTrainedModel): { task: 'classification' | 'regression'; yTrue: string[] | number[]; output: Float64Array; labels: string[] } {
  const view = supervisedView(model, 'held-out predictions');
  const { records, y } = view.heldOut;
  return { task: view.task, yTrue: y, labels: view.labels, output: view.predict(transformRecords(view.preprocessor, records, { unseen: 'ignore' }), records.length) };
}

function scorer(scoring: ImportanceScoring, view: SupervisedView, y: string[] | number[]): (out: Float64Array) => number {
  const n = y.length;
  if (scoring === 'accuracy' || scoring === 'balancedAccuracy') {
    if (view.task !== 'classification') throw new StratumError('USAGE', `scoring: ${scoring} needs a classification model; use r2 or negMeanAbsoluteError`, { detail: { field: 'scoring' } });
    const k = view.labels.length;
    const index = new Map(view.labels.map((l, j) => [l, j]));
    const truth = (y as string[]).map((label) => index.get(label) ?? -1);
    const support = new Array<number>(k).fill(0);
    for (const t of truth) if (t >= 0) support[t]++;
    const present = support.filter((s) => s > 0).length;
    return (out) => {
      const hits = new Array<number>(k).fill(0);
      let correct = 0;
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (out[i * k + c] > out[i * k + best]) best = c;
        if (best === truth[i]) {
          correct++;
          hits[best]++;
        }
      }
      if (scoring === 'accuracy') return correct / n;
      return hits.reduce((s, h, c) => s + (support[c] > 0 ? h / support[c] : 0), 0) / present;
    };
  }
  if (view.task !== 'regression') throw new StratumError('USAGE', `scoring: ${scoring} needs a regression model; use accuracy or balancedAccuracy`, { detail: { field: 'scoring' } });
  const values = y as number[];
  const m = mean(values);
  const ssTot = values.reduce((s, v) => s + (v - m) ** 2, 0);
  if (scoring === 'r2' && ssTot === 0) {
    throw new StratumError('DATA_INVALID', 'R^2 is not defined on these held-out rows: the true target is constant', { detail: { field: 'scoring' }, hint: 'Use scoring: "negMeanAbsoluteError".' });
  }
  return (out) => {
    let ss = 0;
    let abs = 0;
    for (let i = 0; i < n; i++) {
      ss += (values[i] - out[i]) ** 2;
      abs += Math.abs(values[i] - out[i]);
    }
    return scoring === 'r2' ? 1 - ss / ssTot : -abs / n;
  };
}

/** Output columns `[offset, offset + width)` of each feature in the preprocessed matrix. */
function featureBlocks(preprocessor: PreprocessorState): Array<{ feature: string; offset: number; width: number }> {
  let offset = 0;
  return preprocessor.steps.map((step) => {
    const width = step.kind === 'numeric' ? 1 : step.categories.length;
    const block = { feature: step.name, offset, width };
    offset += width;
    return block;
  });
}

function checkOptions(options: PermutationImportanceOptions, view: SupervisedView): { nRepeats: number; seed: number; scoring: ImportanceScoring; maxSamples?: number } {
  const bad = (field: string, message: string): StratumError => new StratumError('USAGE', `${field}: ${message}`, { detail: { field } });
  const nRepeats = options.nRepeats ?? 5;
  if (!Number.isInteger(nRepeats) || nRepeats < 1 || nRepeats > 10000) throw bad('nRepeats', `expected an integer in [1, 10000], got ${JSON.stringify(nRepeats)}`);
  const seed = options.seed ?? (Number.isInteger(view.params.seed) ? (view.params.seed as number) : 42);
  if (!Number.isInteger(seed)) throw bad('seed', `expected an integer, got ${JSON.stringify(seed)}`);
  const scoring = options.scoring ?? (view.task === 'classification' ? 'accuracy' : 'r2');
  if (!['accuracy', 'balancedAccuracy', 'r2', 'negMeanAbsoluteError'].includes(scoring)) throw bad('scoring', `expected accuracy, balancedAccuracy, r2 or negMeanAbsoluteError, got ${JSON.stringify(scoring)}`);
  if (options.maxSamples !== undefined && (!Number.isInteger(options.maxSamples) || options.maxSamples < 1)) throw bad('maxSamples', `expected a positive integer, got ${JSON.stringify(options.maxSamples)}`);
  return { nRepeats, seed, scoring, ...(options.maxSamples === undefined ? {} : { maxSamples: options.maxSamples }) };
}

/**
 * Permutation importance of every feature of a trained model, on the held-out rows it was
 * evaluated on (see the module doc).
 *
 * For each feature and repeat r, the feature's raw values are put in a fresh seeded random order
 * (the same sequence of orders for every feature, as scikit-learn reuses one seed per feature) and
 * the importance is `baseline - score(permuted)`. Cost: `features x nRepeats` predictions of the
 * held-out rows.
 *
 * @param model - a trained classification or regression model (`TrainedModel` or the MLP's `TrainedClassifier`)
 * @param options - repeats, seed, scoring, row cap
 * @returns the baseline score and each feature's mean/std decrease, in the model's feature order
 * @throws StratumError `USAGE` for a clustering model or a bad option; `DATA_INVALID` when the
 *   model keeps no held-out rows, or for R^2 on a constant held-out target
 * @example
 * ```ts
 * const imp = permutationImportance(model, { nRepeats: 10 });
 * imp.features.map((f) => `${f.feature}: ${f.mean.toFixed(3)} ± ${f.std.toFixed(3)}`);
 * ```
 */
export function permutationImportance(model: AnyTrainedModel, options: PermutationImportanceOptions = {}): PermutationImportanceResult {
  const view = supervisedView(model, 'permutation importance');
  const resolved = checkOptions(options, view);
  // A trained model does not change, so the same options give the same result: computed once per
  // model (the template's displayed plots and the tracked run's stored plots share it).
  const key = JSON.stringify(resolved);
  const cached = CACHE.get(model)?.get(key);
  if (cached) return structuredClone(cached);
  const result = compute(view, resolved);
  CACHE.set(model, (CACHE.get(model) ?? new Map<string, PermutationImportanceResult>()).set(key, result));
  return structuredClone(result);
}

/** Results by model and resolved options (weak: an entry goes with its model). */
const CACHE = new WeakMap<object, Map<string, PermutationImportanceResult>>();

function compute(view: SupervisedView, { nRepeats, seed, scoring, maxSamples }: ReturnType<typeof checkOptions>): PermutationImportanceResult {
  let { records, y } = view.heldOut;
  if (maxSamples !== undefined && maxSamples < records.length) {
    const keep = shuffledIndexes(records.length, seedrandom(`stratum-permutation-rows:${seed}`)).slice(0, maxSamples).sort((a, b) => a - b);
    records = keep.map((i) => records[i]);
    y = (view.task === 'classification' ? keep.map((i) => (y as string[])[i]) : keep.map((i) => (y as number[])[i])) as string[] | number[];
  }
  const rows = records.length;
  const width = view.preprocessor.outputWidth;
  const x = transformRecords(view.preprocessor, records, { unseen: 'ignore' });
  const score = scorer(scoring, view, y);
  const baseline = score(view.predict(x, rows));
  const permuted = new Float32Array(x.length);
  const features = featureBlocks(view.preprocessor).map(({ feature, offset, width: w }): FeatureImportance => {
    const rng = seedrandom(`stratum-permutation:${seed}`);
    const importances: number[] = [];
    permuted.set(x);
    for (let r = 0; r < nRepeats; r++) {
      const order = shuffledIndexes(rows, rng);
      for (let i = 0; i < rows; i++) permuted.set(x.subarray(order[i] * width + offset, order[i] * width + offset + w), i * width + offset);
      importances.push(baseline - score(view.predict(permuted, rows)));
    }
    return { feature, mean: mean(importances), std: importances.length > 1 ? standardDeviation(importances) : 0, importances };
  });
  return { scoring, baseline, rows, nRepeats, seed, features };
}
