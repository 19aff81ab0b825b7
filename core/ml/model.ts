/**
 * The model-adapter abstraction: one small interface over every model family Stratum trains
 * (TF.js layers models, `ml-cart` trees, `ml-random-forest` forests, `ml-naivebayes`, `ml-kmeans`),
 * so evaluation, bundles and the REST service never care which library made a model.
 *
 * An adapter maps the preprocessed input matrix (row-major float32, the output of
 * `transformRecords`) to a row-major float64 output matrix whose meaning follows the task:
 * - `classification`: `outputWidth` = number of classes, row i = class probabilities (sum 1)
 * - `regression`: `outputWidth` = 1, the predicted value
 * - `clustering`: `outputWidth` = 1, the cluster id (0-based integer)
 * - `anomaly`: `outputWidth` = 1, the anomaly score (reconstruction error); the flag threshold is
 *   the adapter's `threshold` (core/ml/anomaly.ts `AnomalyAdapter`, saved as `model/anomaly.json`)
 * - `forecasting`: input = a window of `lookback` raw series values (oldest first), `outputWidth` =
 *   `horizon`, the next values in series units (core/ml/forecast.ts: the scaling is inside the network)
 *
 * TF.js models are stored as `model/model.json` + `model/weights.bin` (core/serving/model-io.ts);
 * the `ml-*` models as `model/model.json` holding their library's own `toJSON()` (restored with the
 * library's `load()`), wrapped in `{ format: 'stratum-ml-model', kind, task, inputWidth, outputWidth, state }`.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ClusteringEvaluation, RegressionEvaluation, ClassificationEvaluation } from './evaluate.ts';
import type { AnomalyEvaluation } from './anomaly.ts';
import type { ForecastEvaluation } from './forecast.ts';
import type { EarlyStoppingReport } from './fit.ts';
import type { EpochLog, FeatureRecord, HeldOutData, PreprocessorState } from './types.ts';

/** Kind of problem a model solves. */
export type ModelTask = 'classification' | 'regression' | 'clustering' | 'forecasting' | 'anomaly';

/** Library and format of a model, as recorded in a bundle manifest (`modelKind`). */
export type ModelKind = 'tfjs-layers' | 'ml-cart' | 'ml-random-forest' | 'ml-naivebayes' | 'ml-kmeans';

/** Every {@link ModelKind}, for validation. */
export const MODEL_KINDS: readonly ModelKind[] = ['tfjs-layers', 'ml-cart', 'ml-random-forest', 'ml-naivebayes', 'ml-kmeans'];

/** A model's on-disk form: files relative to the bundle's `model/` folder (POSIX paths) and their bytes. */
export type SerializedModelFiles = Record<string, Uint8Array>;

/**
 * A trained model behind one interface.
 *
 * Owns its resources (TF.js tensors): call {@link ModelAdapter.dispose} when done (safe twice).
 */
export interface ModelAdapter {
  /** Library/format of the model. */
  readonly kind: ModelKind;
  /** What {@link ModelAdapter.predict} returns (see the module doc). */
  readonly task: ModelTask;
  /** Columns of the input matrix (= the preprocessor's `outputWidth`). */
  readonly inputWidth: number;
  /** Columns of the output matrix: classes (classification) or 1 (regression, clustering). */
  readonly outputWidth: number;
  /**
   * Predicts a batch.
   *
   * @param x - row-major input matrix, `rows` x {@link ModelAdapter.inputWidth}
   * @param rows - number of rows
   * @returns row-major `rows` x {@link ModelAdapter.outputWidth}: probabilities, values or cluster ids
   */
  predict(x: Float32Array, rows: number): Float64Array;
  /** Serializes the model (see the module doc for the files). */
  save(): Promise<SerializedModelFiles>;
  /** Trainable parameter count (TF.js) or a size measure of the model's JSON state (number of stored numbers). */
  parameterCount(): number;
  /** Frees the model's resources; safe to call twice. */
  dispose(): void;
}

/** Evaluation of a model on held-out data, by task. */
export type ModelEvaluation = ClassificationEvaluation | RegressionEvaluation | ClusteringEvaluation | AnomalyEvaluation | ForecastEvaluation;

/**
 * A model trained by a Stratum template, with everything needed to evaluate, export and serve it.
 * (The MLP classifier keeps its older shape, `TrainedClassifier`; bundles accept both.)
 */
export interface TrainedModel {
  /** Kind of problem solved. */
  task: ModelTask;
  /** Id of the template that trained it, e.g. `tabular.random-forest`. */
  templateId: string;
  /** Target column (classification, regression); empty for clustering. */
  target: string;
  /** Feature names, in the order the preprocessor expects. */
  features: string[];
  /** Class labels (classification; adapter output column i = `labels[i]`); empty otherwise. */
  labels: string[];
  preprocessor: PreprocessorState;
  /** The model (owned by this object: call `adapter.dispose()` when done). */
  adapter: ModelAdapter;
  /** Held-out evaluation (clustering: on the training data itself). */
  evaluation: ModelEvaluation;
  /** Per-epoch history (TF.js models), empty otherwise. */
  history: EpochLog[];
  /** TF.js backend (TF.js models) or `js` (the `ml-*` libraries). */
  backend: string;
  /** Parameters as used (defaults applied). */
  params: Record<string, unknown>;
  /** Training and test set sizes (rows); clustering: test = 0. */
  sizes: { train: number; test: number };
  /** Rows left out, by reason. */
  dropped?: { missingTarget: number };
  /** Wall-clock fit time (ms). */
  timing?: { trainMs: number };
  /** Guardrail warnings about the training data (core/ml/guardrails.ts); absent or empty when none. */
  warnings?: string[];
  /** What early stopping did, when it was on (TF.js templates; the held-out split then also selected the model). */
  earlyStopping?: EarlyStoppingReport;
  /** The held-out rows of the evaluation (supervised templates), for plots and permutation importance (core/ml/plots.ts, importance.ts). */
  heldOut?: HeldOutData;
  /**
   * A valid request record for serving, when the preprocessor cannot derive one (forecasting: the
   * last `lookback` values as `{ history }`); bundles use it as the OpenAPI example and to measure latency.
   */
  example?: FeatureRecord;
}

/** JSON wrapper of an `ml-*` model, the content of `model/model.json`. */
export interface MlModelFile<S = unknown> {
  format: 'stratum-ml-model';
  kind: Exclude<ModelKind, 'tfjs-layers'>;
  task: ModelTask;
  inputWidth: number;
  outputWidth: number;
  /** The library's own `toJSON()` plus anything Stratum adds (e.g. variance smoothing). */
  state: S;
}

/** File name of the JSON model inside `model/`. */
export const ML_MODEL_FILE = 'model.json';

/**
 * Encodes an `ml-*` model's wrapper as `model/model.json` bytes (2-space JSON; numbers keep full
 * float64 precision through `JSON.stringify`, so a reload predicts identically).
 */
export function mlModelFiles(file: MlModelFile): SerializedModelFiles {
  return { [ML_MODEL_FILE]: Buffer.from(`${JSON.stringify(file, null, 2)}\n`, 'utf8') };
}

/** Type guard: a {@link TrainedModel} (has an adapter) as opposed to the MLP's `TrainedClassifier`. */
export function isTrainedModel(x: unknown): x is TrainedModel {
  return typeof x === 'object' && x !== null && typeof (x as { adapter?: { predict?: unknown } }).adapter?.predict === 'function';
}

/** What a TF.js-backed adapter exposes in addition (for code that needs the live `tf.LayersModel`). */
export interface TfjsModelAdapter extends ModelAdapter {
  readonly kind: 'tfjs-layers';
  /** The live model (owned by the adapter). */
  readonly model: tf.LayersModel;
}
