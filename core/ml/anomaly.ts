/**
 * Anomaly detection with a dense autoencoder (TF.js): the network learns to reconstruct the
 * preprocessed rows it is trained on; a row it reconstructs badly is unlike them, an anomaly.
 *
 * - **Score** of a record = its reconstruction error: the mean, over the preprocessed columns
 *   (standardized numbers and one-hot categories, `core/ml/preprocess.ts`), of the squared
 *   difference between the column and its reconstruction, `mean_j (x_j - x̂_j)^2`. Unitless
 *   (squared standard deviations for numeric features); 0 = perfectly reconstructed.
 * - **Threshold** = the `thresholdQuantile` quantile of the validation rows' scores, with numpy's
 *   default definition (`np.quantile(scores, q)`, linear interpolation, R type 7; computed with
 *   simple-statistics `quantileSorted`). A record is an anomaly when `score > threshold`, so about
 *   `1 - q` of normal data is flagged: with the default q = 0.99, the expected false-positive rate
 *   on data like the validation rows is 1 %.
 * - **Training**: seeded split into training and validation rows, preprocessing fitted on the
 *   training rows only, the shared loop of `core/ml/fit.ts` (Adam, MSE between the input and its
 *   reconstruction, a seeded shuffle) with early stopping on the validation reconstruction loss
 *   (the best epoch's weights are kept). The validation rows thus select the epoch *and* set the
 *   threshold; an early-stopped model fits them slightly better than unseen data, so the flagged
 *   share on new normal data can be slightly above `1 - q`.
 * - **Label** (optional): a column flagging known anomalies (`true`/`1` anomaly, `false`/`0`
 *   normal, `null` unknown). It is never a feature. It only adds evaluation (precision, recall and
 *   F1 of the flag; ROC AUC and average precision of the score), unless `normalOnly` is set: then
 *   known anomalies are also left out of the training rows and out of the validation rows that
 *   early stopping watches and the threshold is computed on (they are still scored and evaluated),
 *   so the threshold's quantile is exactly the expected false-positive rate on normal data. With a label the split is stratified
 *   by it, so both sides get their share of known anomalies.
 */
import * as tf from '@tensorflow/tfjs';
import { quantileSorted } from 'simple-statistics';
import type { PlotlyFigure } from '../data/profile.ts';
import { StratumError } from '../errors.ts';
import { deserializeModel, MODEL_JSON_FILE, modelJsonText, serializeModel, WEIGHTS_FILE } from '../serving/model-io.ts';
import { initBackend } from '../tf/backend.ts';
import { averagePrecision, binaryRocAuc, type MaybeMetric, type UndefinedReasons } from './evaluate.ts';
import { fitSeededReport, gatherRows, type EarlyStoppingOptions } from './fit.ts';
import { checkTrainingData } from './guardrails.ts';
import { classificationReport } from './metrics.ts';
import type { SerializedModelFiles, TfjsModelAdapter, TrainedModel } from './model.ts';
import { fieldPath, fitPreprocessor, transformRecords } from './preprocess.ts';
import { stratifiedSplit } from './split.ts';
import { checkColumns, type TabularColumns } from './supervised.ts';
import type { EpochLog, FeatureRecord } from './types.ts';
import { AUTOENCODER_DEFAULTS } from './defaults.ts';

/** Template id of the autoencoder anomaly detector. */
export const AUTOENCODER_TEMPLATE_ID = 'tabular.autoencoder-anomaly';

/** Activation of the autoencoder's hidden layers (TF.js activation identifiers). */
export type AutoencoderActivation = 'tanh' | 'relu' | 'elu' | 'sigmoid' | 'linear';

/** Every {@link AutoencoderActivation}, for validation and the template's schema. */
export const AUTOENCODER_ACTIVATIONS: readonly AutoencoderActivation[] = ['tanh', 'relu', 'elu', 'sigmoid', 'linear'];

/** Parameters of {@link trainAutoencoder} (defaults in {@link AUTOENCODER_DEFAULTS}). */
export interface AutoencoderParams extends Pick<TabularColumns, 'features' | 'categorical' | 'unseen'> {
  /**
   * Units of the encoder's hidden layers, outside in (e.g. `[16, 8]`); the decoder mirrors them.
   * Empty: the bottleneck is the only hidden layer.
   */
  encoderLayers?: number[];
  /** Units of the bottleneck (the code); smaller than the number of preprocessed columns, or the network can learn to copy its input. */
  bottleneck?: number;
  /** Activation of every hidden layer, bottleneck included (the output layer is linear). */
  activation?: AutoencoderActivation;
  /** Maximum passes over the training rows. */
  epochs?: number;
  /** Rows per gradient step. */
  batchSize?: number;
  /** Adam learning rate. */
  learningRate?: number;
  /** Fraction of the rows held out as validation rows (early stopping, threshold, evaluation), in (0, 1). */
  validationFraction?: number;
  /** Seed of the split, the initializers and the shuffle. */
  seed?: number;
  /**
   * Quantile of the validation scores used as the threshold, in (0, 1]: the expected share of
   * normal records flagged (false-positive rate) is `1 - thresholdQuantile`.
   */
  thresholdQuantile?: number;
  /** Epochs without a lower validation reconstruction loss before stopping (best weights kept); 0 = off (every epoch runs). */
  earlyStoppingPatience?: number;
  /** Optional column flagging known anomalies (`true`/`1`, `false`/`0`, `null` unknown): evaluation only (see `normalOnly`). Never a feature. */
  label?: string;
  /** With `label`: leave known anomalies out of training, and out of the validation rows behind early stopping and the threshold. */
  normalOnly?: boolean;
}

export { AUTOENCODER_DEFAULTS };

/** Progress hooks of {@link trainAutoencoder}. */
export interface AutoencoderHooks {
  /** Called after each epoch (`loss` / `valLoss`: mean reconstruction error of the training / validation rows; `accuracy` is NaN). */
  onEpoch?: (log: EpochLog) => void;
}

/** Summary of a score distribution (numpy-default quantiles). */
export interface ScoreSummary {
  min: number;
  p25: number;
  median: number;
  p75: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * Evaluation of an anomaly detector on its validation rows. Top-level numbers are what run
 * comparison shows; the labelled metrics are present only when a label column was given, and
 * `null` (with the reason in `undefinedReasons`) where the labels make them undefined.
 */
export interface AnomalyEvaluation {
  task: 'anomaly';
  /** Validation rows scored. */
  n: number;
  /** Score above which a record is flagged. */
  threshold: number;
  /** Quantile of the validation scores the threshold is (numpy default, linear interpolation). */
  thresholdQuantile: number;
  /** Validation rows the threshold was computed on (all, or with `normalOnly` those not labelled anomalous). */
  thresholdRows: number;
  /** Validation rows flagged (`score > threshold`). */
  flagged: number;
  /** `flagged / n`. */
  flaggedShare: number;
  /** Mean validation score (the validation reconstruction loss). */
  meanScore: number;
  /** Distribution of the validation scores. */
  scoreSummary: ScoreSummary;
  /** Validation scores, in validation-row order (histograms). */
  scores: number[];
  /** Known label of each validation row (`true` anomaly, `false` normal, `null` unknown); with a label column only. */
  isAnomaly?: Array<boolean | null>;
  /** Validation rows with a known label (label column given). */
  labelled?: number;
  /** Validation rows labelled anomalous. */
  anomalies?: number;
  /** Of the flagged labelled rows, the share that are anomalies: TP / (TP + FP). */
  precision?: number | null;
  /** Of the labelled anomalies, the share flagged: TP / (TP + FN). */
  recall?: number | null;
  /** 2TP / (2TP + FP + FN). */
  f1?: number | null;
  /** ROC AUC of the score for the label (`roc_auc_score`). */
  rocAuc?: number | null;
  /** Average precision of the score for the label (`average_precision_score`). */
  averagePrecision?: number | null;
  /**
   * The trivial detector on the same rows: the reconstruction error of a model that always outputs
   * the training mean of each preprocessed column (for numeric features, the mean squared
   * z-score). Its ROC AUC and AP are present with a label column.
   */
  baseline: { strategy: 'mean-reconstruction'; meanScore: number; rocAuc?: number | null; averagePrecision?: number | null };
  /** Rows left out of training because they are labelled anomalous (`normalOnly`). */
  excludedFromTraining: number;
  /** Why a null metric is undefined. */
  undefinedReasons: UndefinedReasons;
}

/** A TF.js autoencoder behind {@link TfjsModelAdapter}: `predict` returns one score per row (`outputWidth` 1). */
export interface AnomalyAdapter extends TfjsModelAdapter {
  readonly task: 'anomaly';
  /** Score above which a record is an anomaly. */
  readonly threshold: number;
  /** Quantile of the validation scores the threshold was set at. */
  readonly thresholdQuantile: number;
  /** Reconstructions of a batch: row-major float32, `rows` x `inputWidth`. */
  reconstruct(x: Float32Array, rows: number): Float32Array;
}

/** File beside the TF.js model in a bundle's `model/` folder: what turns reconstructions into flags. */
export const ANOMALY_FILE = 'anomaly.json';

/** Content of {@link ANOMALY_FILE}. */
interface AnomalyFile {
  format: 'stratum-anomaly';
  version: 1;
  score: 'mean-squared-reconstruction-error';
  threshold: number;
  thresholdQuantile: number;
}

/**
 * Per-row reconstruction error: `mean_j (x[i][j] - r[i][j])^2`, in float64.
 *
 * @param x - row-major inputs, `rows` x `width`
 * @param reconstruction - row-major reconstructions, same shape
 * @returns `rows` scores
 * @example
 * ```ts
 * reconstructionErrors(Float32Array.of(1, 2), Float32Array.of(0, 0), 1, 2); // [(1 + 4) / 2] = [2.5]
 * ```
 */
export function reconstructionErrors(x: ArrayLike<number>, reconstruction: ArrayLike<number>, rows: number, width: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let j = 0; j < width; j++) sum += (x[i * width + j] - reconstruction[i * width + j]) ** 2;
    out[i] = sum / width;
  }
  return out;
}

/**
 * The threshold rule: the `q` quantile of `scores` with numpy's default definition
 * (`np.quantile(scores, q)`: position `(n - 1) q` in the sorted scores, linear interpolation
 * between its neighbours), via simple-statistics `quantileSorted`.
 *
 * @throws StratumError `DATA_INVALID` for no score or a non-finite one; `TEMPLATE_PARAMS` for q outside (0, 1]
 * @example
 * ```ts
 * scoreQuantile([3, 6, 7, 8, 8, 9, 10, 13, 15, 16, 20], 0.99); // 19.6 (= np.quantile(..., 0.99))
 * ```
 */
export function scoreQuantile(scores: ArrayLike<number>, q: number): number {
  if (!(q > 0 && q <= 1)) throw new StratumError('TEMPLATE_PARAMS', `thresholdQuantile: expected a number in (0, 1], got ${JSON.stringify(q)}`, { detail: { field: 'thresholdQuantile' } });
  if (scores.length === 0) throw new StratumError('DATA_INVALID', 'cannot choose a threshold from zero validation scores', { detail: { field: 'validationFraction' }, hint: 'Use more rows or a larger validationFraction.' });
  const sorted = Float64Array.from(scores).sort();
  if (!sorted.every(Number.isFinite)) {
    throw new StratumError('DATA_INVALID', 'a reconstruction error is not a finite number (the autoencoder diverged?)', { detail: { field: 'learningRate' }, hint: 'Lower the learning rate.' });
  }
  return quantileSorted(Array.from(sorted), q);
}

function summarize(scores: ArrayLike<number>): ScoreSummary {
  const sorted = Array.from(scores).sort((a, b) => a - b);
  const q = (p: number): number => quantileSorted(sorted, p);
  return { min: sorted[0], p25: q(0.25), median: q(0.5), p75: q(0.75), p95: q(0.95), p99: q(0.99), max: sorted[sorted.length - 1], mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

/** What {@link evaluateAnomalyScores} evaluates. */
export interface AnomalyScoresInput {
  /** Score of each evaluated row. */
  scores: ArrayLike<number>;
  /** Flag rule: `score > threshold`. */
  threshold: number;
  /** Quantile the threshold was set at (reported). */
  thresholdQuantile: number;
  /** Rows the threshold was computed on (reported); default all. */
  thresholdRows?: number;
  /** Known label of each row (`null` unknown); absent = no label column (no labelled metrics). */
  isAnomaly?: Array<boolean | null>;
  /** Scores of the trivial detector on the same rows (see {@link AnomalyEvaluation.baseline}). */
  baselineScores: ArrayLike<number>;
  /** Rows left out of training (reported); default 0. */
  excludedFromTraining?: number;
}

function undefinedTo(reasons: UndefinedReasons, name: string, metric: MaybeMetric): number | null {
  if (metric.value === null) reasons[name] = metric.reason ?? 'not defined for these labels';
  return metric.value;
}

/**
 * Evaluates anomaly scores and their flags.
 *
 * Always: the threshold, the flagged count and share (`score > threshold`), the score summary.
 * With labels (rows whose label is `null` are left out of these): precision, recall and F1 of the
 * flag for the anomaly class (`core/ml/metrics.ts` `classificationReport`, scikit-learn's
 * definitions: `precision_recall_fscore_support(pos_label=anomaly)`), ROC AUC (`roc_auc_score`)
 * and average precision (`average_precision_score`) of the score, the same two for the baseline.
 * Undefined metrics are `null` with the reason: no validation row flagged (precision), no
 * labelled anomaly (recall, ROC AUC, AP), no labelled normal row (ROC AUC), no labelled row.
 *
 * @throws StratumError `DATA_INVALID` when the lengths disagree, there is no score, or a score is not finite
 */
export function evaluateAnomalyScores(input: AnomalyScoresInput): AnomalyEvaluation {
  const { scores, threshold, isAnomaly, baselineScores } = input;
  const n = scores.length;
  if (n === 0) throw new StratumError('DATA_INVALID', 'cannot evaluate on zero validation rows', { detail: { field: 'validationFraction' }, hint: 'Use more rows or a larger validationFraction.' });
  if (baselineScores.length !== n || (isAnomaly && isAnomaly.length !== n)) {
    throw new StratumError('DATA_INVALID', `scores has ${n} values but the baseline has ${baselineScores.length}${isAnomaly ? ` and the labels ${isAnomaly.length}` : ''}`, { detail: { field: 'scores' } });
  }
  for (let i = 0; i < n; i++) if (!Number.isFinite(scores[i])) throw new StratumError('DATA_INVALID', `scores[${i}] is not a finite number (the autoencoder diverged?)`, { detail: { field: `scores[${i}]` } });
  let flagged = 0;
  for (let i = 0; i < n; i++) if (scores[i] > threshold) flagged++;
  const list = Array.from(scores);
  const undefinedReasons: UndefinedReasons = {};
  const evaluation: AnomalyEvaluation = {
    task: 'anomaly',
    n,
    threshold,
    thresholdQuantile: input.thresholdQuantile,
    thresholdRows: input.thresholdRows ?? n,
    flagged,
    flaggedShare: flagged / n,
    meanScore: list.reduce((a, b) => a + b, 0) / n,
    scoreSummary: summarize(list),
    scores: list,
    baseline: { strategy: 'mean-reconstruction', meanScore: Array.from(baselineScores).reduce((a, b) => a + b, 0) / n },
    excludedFromTraining: input.excludedFromTraining ?? 0,
    undefinedReasons,
  };
  if (!isAnomaly) return evaluation;
  const known = isAnomaly.flatMap((flag, i) => (flag === null ? [] : [i]));
  const anomalies = known.filter((i) => isAnomaly[i]).length;
  Object.assign(evaluation, { isAnomaly: [...isAnomaly], labelled: known.length, anomalies });
  if (known.length === 0) {
    const reason = 'no validation row has a known label: the labelled metrics are not defined';
    for (const name of ['precision', 'recall', 'f1', 'rocAuc', 'averagePrecision']) undefinedReasons[name] = reason;
    Object.assign(evaluation, { precision: null, recall: null, f1: null, rocAuc: null, averagePrecision: null });
    evaluation.baseline = { ...evaluation.baseline, rocAuc: null, averagePrecision: null };
    return evaluation;
  }
  const yTrue = known.map((i) => (isAnomaly[i] ? 'anomaly' : 'normal'));
  const yPred = known.map((i) => (scores[i] > threshold ? 'anomaly' : 'normal'));
  const report = classificationReport(yTrue, yPred, ['normal', 'anomaly']).perClass[1];
  if (report.precision === null) undefinedReasons.precision = 'no labelled validation row is flagged (precision is 0/0)';
  if (report.recall === null) undefinedReasons.recall = 'no validation row is labelled anomalous (recall is 0/0)';
  if (report.f1 === null) undefinedReasons.f1 = 'no validation row is labelled anomalous or flagged (F1 is 0/0)';
  const positive = known.map((i) => isAnomaly[i] === true);
  const knownScores = known.map((i) => scores[i]);
  const knownBaseline = known.map((i) => baselineScores[i]);
  const baseReasons: UndefinedReasons = {};
  Object.assign(evaluation, {
    precision: report.precision,
    recall: report.recall,
    f1: report.f1,
    rocAuc: undefinedTo(undefinedReasons, 'rocAuc', binaryRocAuc(positive, knownScores)),
    averagePrecision: undefinedTo(undefinedReasons, 'averagePrecision', averagePrecision(positive, knownScores)),
  });
  evaluation.baseline = {
    ...evaluation.baseline,
    rocAuc: undefinedTo(baseReasons, 'rocAuc', binaryRocAuc(positive, knownBaseline)),
    averagePrecision: undefinedTo(baseReasons, 'averagePrecision', averagePrecision(positive, knownBaseline)),
  };
  return evaluation;
}

/**
 * The lines `modelSummary` prints for an anomaly evaluation (threshold, flagged share, score
 * distribution, and with labels precision/recall/F1, ROC AUC and AP next to the baseline's).
 */
export function anomalySummaryLines(e: AnomalyEvaluation): string[] {
  const f = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined ? 'n/a' : x.toFixed(digits));
  const g = (x: number): string => x.toPrecision(4);
  const s = e.scoreSummary;
  const lines = [
    `threshold ${g(e.threshold)} = the ${e.thresholdQuantile} quantile of ${e.thresholdRows} validation scores (expected false-positive rate on normal data ${f((1 - e.thresholdQuantile) * 100, 1)}%)`,
    `flagged ${e.flagged} of ${e.n} validation rows (${f(e.flaggedShare * 100, 1)}%)`,
    `validation scores (mean squared reconstruction error): min ${g(s.min)}, median ${g(s.median)}, p95 ${g(s.p95)}, p99 ${g(s.p99)}, max ${g(s.max)}, mean ${g(s.mean)}; mean-reconstruction baseline mean ${g(e.baseline.meanScore)}`,
  ];
  if (e.labelled !== undefined) {
    lines.push(`labelled validation rows ${e.labelled} (${e.anomalies ?? 0} anomalies): precision ${f(e.precision)}, recall ${f(e.recall)}, F1 ${f(e.f1)}`);
    lines.push(`ROC AUC ${f(e.rocAuc)} (baseline ${f(e.baseline.rocAuc)}), average precision ${f(e.averagePrecision)} (baseline ${f(e.baseline.averagePrecision)})`);
  }
  if (e.excludedFromTraining > 0) lines.push(`${e.excludedFromTraining} known anomalies left out of training (normalOnly)`);
  return lines;
}

/**
 * Wraps a trained autoencoder (a `tf.LayersModel` whose output has the input's width) as an
 * {@link AnomalyAdapter}. `predict` runs the model inside `tf.tidy` and returns the reconstruction
 * error of each row ({@link reconstructionErrors}); `save` gives `model.json` + `weights.bin`
 * (core/serving/model-io.ts) and {@link ANOMALY_FILE} with the threshold.
 *
 * @param model - the autoencoder (ownership passes to the adapter)
 * @param threshold - flag rule `score > threshold`
 * @param thresholdQuantile - the quantile it was chosen at
 * @throws StratumError `BUNDLE_INVALID` when the model's output width differs from its input width
 */
export function anomalyAdapter(model: tf.LayersModel, threshold: number, thresholdQuantile: number): AnomalyAdapter {
  const inputWidth = model.inputs[0]?.shape[1] ?? 0;
  const outputWidth = model.outputs[0]?.shape[1] ?? 0;
  if (inputWidth !== outputWidth || inputWidth <= 0) {
    throw new StratumError('BUNDLE_INVALID', `an autoencoder must output as many columns as it takes (takes ${inputWidth}, outputs ${outputWidth})`, { detail: { field: 'model' } });
  }
  let disposed = false;
  const reconstruct = (x: Float32Array, rows: number): Float32Array => {
    if (rows === 0) return new Float32Array(0);
    return tf.tidy(() => {
      const y = model.predict(tf.tensor2d(x, [rows, inputWidth]));
      return (Array.isArray(y) ? y[0] : y).dataSync() as Float32Array;
    });
  };
  return {
    kind: 'tfjs-layers',
    task: 'anomaly',
    inputWidth,
    outputWidth: 1,
    model,
    threshold,
    thresholdQuantile,
    reconstruct,
    predict: (x, rows) => reconstructionErrors(x, reconstruct(x, rows), rows, inputWidth),
    async save(): Promise<SerializedModelFiles> {
      const { modelJson, weights } = await serializeModel(model);
      const file: AnomalyFile = { format: 'stratum-anomaly', version: 1, score: 'mean-squared-reconstruction-error', threshold, thresholdQuantile };
      return {
        [WEIGHTS_FILE]: weights,
        [MODEL_JSON_FILE]: Buffer.from(modelJsonText(modelJson), 'utf8'),
        [ANOMALY_FILE]: Buffer.from(`${JSON.stringify(file, null, 2)}\n`, 'utf8'),
      };
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
 * Rebuilds an {@link AnomalyAdapter} from a bundle's `model/` files (`model.json`, `weights.bin`, {@link ANOMALY_FILE}).
 *
 * @throws StratumError `BUNDLE_INVALID` naming the file when one is missing or malformed
 */
export async function loadAnomalyAdapter(files: SerializedModelFiles, source: string): Promise<AnomalyAdapter> {
  const json = files[MODEL_JSON_FILE];
  const weights = files[WEIGHTS_FILE];
  const anomaly = files[ANOMALY_FILE];
  if (!json || !weights || !anomaly) {
    throw new StratumError('BUNDLE_INVALID', `${source}: an anomaly model needs ${MODEL_JSON_FILE}, ${WEIGHTS_FILE} and ${ANOMALY_FILE}`, { detail: { path: source }, hint: 'Re-export the bundle.' });
  }
  const parse = <T>(bytes: Uint8Array, name: string): T => {
    try {
      return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
    } catch (error) {
      throw new StratumError('BUNDLE_INVALID', `${source}/${name} is not valid JSON: ${(error as Error).message}`, { detail: { path: source } });
    }
  };
  const file = parse<AnomalyFile>(anomaly, ANOMALY_FILE);
  const q = file?.thresholdQuantile;
  if (file?.format !== 'stratum-anomaly' || file.version !== 1 || !Number.isFinite(file.threshold) || !(typeof q === 'number' && q > 0 && q <= 1)) {
    throw new StratumError('BUNDLE_INVALID', `${source}/${ANOMALY_FILE} is not a version-1 Stratum anomaly file with a finite threshold`, { detail: { path: source }, hint: 'Re-export the bundle.' });
  }
  await initBackend();
  const model = await deserializeModel(parse<tf.io.ModelJSON>(json, MODEL_JSON_FILE), weights, source);
  try {
    return anomalyAdapter(model, file.threshold, q);
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** The threshold of an anomaly adapter (a {@link ModelAdapter} whose task is `anomaly`). */
export function anomalyThreshold(adapter: { task: string; threshold?: unknown }): number {
  if (adapter.task !== 'anomaly' || typeof adapter.threshold !== 'number' || !Number.isFinite(adapter.threshold)) {
    throw new StratumError('BUNDLE_INVALID', `the model is a ${adapter.task} model without an anomaly threshold`, { detail: { field: 'threshold' } });
  }
  return adapter.threshold;
}

/**
 * The autoencoder network: `Dense(units, activation)` for each encoder layer, the bottleneck
 * `Dense(bottleneck, activation)`, the encoder layers mirrored, then a linear `Dense(width)`
 * reconstruction. Seeded Glorot-uniform kernels (layer i uses `seed + i`), zero biases.
 */
export function buildAutoencoder(width: number, options: { encoderLayers: number[]; bottleneck: number; activation: AutoencoderActivation; seed: number }): tf.Sequential {
  const units = [...options.encoderLayers, options.bottleneck, ...[...options.encoderLayers].reverse()];
  const model = tf.sequential();
  units.forEach((u, i) => {
    model.add(tf.layers.dense({ units: u, activation: options.activation, kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed + i }), ...(i === 0 ? { inputShape: [width] } : {}) }));
  });
  model.add(tf.layers.dense({ units: width, activation: 'linear', kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed + units.length }) }));
  return model;
}

/** The model parameters with defaults applied. */
type ModelParams = Required<Omit<AutoencoderParams, 'label' | 'categorical' | 'unseen' | 'features'>>;
type Resolved = ModelParams & { label?: string };

function bad(field: string, message: string, hint?: string): StratumError {
  return new StratumError('TEMPLATE_PARAMS', `${field}: ${message}`, { detail: { field }, hint });
}

function resolve(p: AutoencoderParams): Resolved {
  if (typeof p !== 'object' || p === null) throw bad('params', 'expected an object with at least features');
  const d = AUTOENCODER_DEFAULTS;
  const r: Resolved = {
    encoderLayers: [...(p.encoderLayers ?? d.encoderLayers)],
    bottleneck: p.bottleneck ?? d.bottleneck,
    activation: p.activation ?? d.activation,
    epochs: p.epochs ?? d.epochs,
    batchSize: p.batchSize ?? d.batchSize,
    learningRate: p.learningRate ?? d.learningRate,
    validationFraction: p.validationFraction ?? d.validationFraction,
    seed: p.seed ?? d.seed,
    thresholdQuantile: p.thresholdQuantile ?? d.thresholdQuantile,
    earlyStoppingPatience: p.earlyStoppingPatience ?? d.earlyStoppingPatience,
    normalOnly: p.normalOnly ?? d.normalOnly,
    ...(p.label === undefined ? {} : { label: p.label }),
  };
  const positiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
  const json = JSON.stringify;
  if (!Array.isArray(r.encoderLayers) || !r.encoderLayers.every(positiveInt)) throw bad('encoderLayers', `expected a list of positive integers, got ${json(p.encoderLayers)}`);
  if (!positiveInt(r.bottleneck)) throw bad('bottleneck', `expected a positive integer, got ${json(r.bottleneck)}`);
  if (!AUTOENCODER_ACTIVATIONS.includes(r.activation)) throw bad('activation', `expected one of ${AUTOENCODER_ACTIVATIONS.map((a) => json(a)).join(', ')}, got ${json(r.activation)}`);
  if (!positiveInt(r.epochs)) throw bad('epochs', `expected a positive integer, got ${json(r.epochs)}`);
  if (!positiveInt(r.batchSize)) throw bad('batchSize', `expected a positive integer, got ${json(r.batchSize)}`);
  if (!(typeof r.learningRate === 'number' && r.learningRate > 0 && Number.isFinite(r.learningRate))) throw bad('learningRate', `expected a positive number, got ${json(r.learningRate)}`);
  if (!(typeof r.validationFraction === 'number' && r.validationFraction > 0 && r.validationFraction < 1)) throw bad('validationFraction', `expected a number in (0, 1), got ${json(r.validationFraction)}`);
  if (!Number.isInteger(r.seed)) throw bad('seed', `expected an integer, got ${json(r.seed)}`);
  if (!(typeof r.thresholdQuantile === 'number' && r.thresholdQuantile > 0 && r.thresholdQuantile <= 1)) {
    throw bad('thresholdQuantile', `expected a number in (0, 1], got ${json(r.thresholdQuantile)}`, 'E.g. 0.99 flags about 1% of normal records.');
  }
  if (!(Number.isInteger(r.earlyStoppingPatience) && r.earlyStoppingPatience >= 0)) throw bad('earlyStoppingPatience', `expected an integer >= 0 (0 = off), got ${json(r.earlyStoppingPatience)}`);
  if (typeof r.normalOnly !== 'boolean') throw bad('normalOnly', `expected true or false, got ${json(r.normalOnly)}`);
  if (r.label !== undefined && (typeof r.label !== 'string' || r.label === '')) throw bad('label', `expected a column name, got ${json(r.label)}`);
  if (r.normalOnly && r.label === undefined) throw bad('normalOnly', 'needs a label column naming the known anomalies', 'Set label, or turn normalOnly off.');
  return r;
}

/** Reads the label column: `true`/`1` anomaly, `false`/`0` normal, missing = unknown. */
function readLabels(records: FeatureRecord[], label: string): Array<boolean | null> {
  return records.map((record, row) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new StratumError('DATA_INVALID', `records[${row}]: expected an object, got ${JSON.stringify(record)}`, { detail: { field: `records[${row}]`, row } });
    }
    const v = record[label];
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return null;
    if (v === true || v === 1) return true;
    if (v === false || v === 0) return false;
    const field = fieldPath(row, label);
    throw new StratumError('DATA_INVALID', `${field}: the label must be true/1 (anomaly), false/0 (normal) or null (unknown), got ${JSON.stringify(v)}`, {
      detail: { field, row },
      hint: `Convert ${JSON.stringify(label)} to true/false (or 1/0) before training.`,
    });
  });
}

/** Mean of each column of a row-major matrix. */
function columnMeans(x: Float32Array, rows: number, width: number): Float64Array {
  const m = new Float64Array(width);
  for (let i = 0; i < rows; i++) for (let j = 0; j < width; j++) m[j] += x[i * width + j];
  for (let j = 0; j < width; j++) m[j] /= Math.max(rows, 1);
  return m;
}

/**
 * Trains an autoencoder anomaly detector (see the module doc for the score, the threshold rule
 * and what the label does).
 *
 * @param records - one object per row (features, and the label column when given)
 * @param params - features and network/optimization/threshold parameters (defaults {@link AUTOENCODER_DEFAULTS})
 * @param hooks - per-epoch progress
 * @returns an `anomaly` {@link TrainedModel}: `adapter.predict` gives scores, `adapter.threshold`
 *   the flag rule, `evaluation` an {@link AnomalyEvaluation} on the validation rows
 * @throws StratumError `TEMPLATE_PARAMS` for a bad parameter or column (naming it); `DATA_INVALID`
 *   for a bad label value, too few rows for a training or validation split, or bad feature values;
 *   `TRAINING_FAILED` when the loss diverges
 * @example
 * ```ts
 * const model = await trainAutoencoder(rows, { features: ['Horsepower', 'Weight_in_lbs', 'Displacement'] });
 * predictTabular(model, [row]); // [{ score: 0.12, anomaly: false }]
 * ```
 */
export async function trainAutoencoder(records: FeatureRecord[], params: AutoencoderParams, hooks: AutoencoderHooks = {}): Promise<TrainedModel> {
  const r = resolve(params);
  checkColumns(records, params, false);
  const label = r.label;
  if (label !== undefined) {
    const known = new Set(records.slice(0, 1000).flatMap((x) => (typeof x === 'object' && x !== null ? Object.keys(x) : [])));
    if (!known.has(label)) throw bad('label', `unknown column ${JSON.stringify(label)}`, `Available columns: ${[...known].map((c) => JSON.stringify(c)).join(', ')}.`);
    if (params.features.includes(label)) throw bad('features', `the label ${JSON.stringify(label)} cannot also be a feature (it marks the anomalies; a model given it would only learn to copy it)`);
  }
  const flags = label === undefined ? undefined : readLabels(records, label);
  const strata = flags ? flags.map((f) => (f === null ? '?' : f ? '1' : '0')) : records.map(() => '');
  const split = stratifiedSplit(strata, { testFraction: r.validationFraction, seed: r.seed });
  if (split.test.length === 0) {
    throw new StratumError('DATA_INVALID', `the validation split is empty (${records.length} rows, validationFraction ${r.validationFraction})`, { detail: { field: 'validationFraction' }, hint: 'Use more rows or a larger validationFraction.' });
  }
  const trainIdx = r.normalOnly && flags ? split.train.filter((i) => flags[i] !== true) : split.train;
  const excluded = split.train.length - trainIdx.length;
  if (trainIdx.length < 2) {
    throw new StratumError('DATA_INVALID', `only ${trainIdx.length} training row${trainIdx.length === 1 ? '' : 's'} (${records.length} rows, validationFraction ${r.validationFraction}${excluded ? `, ${excluded} known anomalies left out` : ''}): an autoencoder needs more`, {
      detail: { field: 'validationFraction' },
      hint: 'Use more rows or a smaller validationFraction.',
    });
  }
  const trainRecords = trainIdx.map((i) => records[i]);
  const valRecords = split.test.map((i) => records[i]);
  const preprocessor = fitPreprocessor(trainRecords, { features: params.features, categorical: params.categorical ?? [], unseen: params.unseen ?? 'error' });
  const width = preprocessor.outputWidth;
  const xTrain = transformRecords(preprocessor, trainRecords);
  const xVal = transformRecords(preprocessor, valRecords, { unseen: 'ignore' });
  const valFlags = flags ? split.test.map((i) => flags[i]) : undefined;
  const thresholdIdx = r.normalOnly && valFlags ? valFlags.flatMap((f, i) => (f === true ? [] : [i])) : valRecords.map((_, i) => i);
  if (thresholdIdx.length === 0) {
    throw new StratumError('DATA_INVALID', 'every validation row is a known anomaly: no normal row to set the threshold on', { detail: { field: 'label' }, hint: 'Check the label column (true/1 = anomaly).' });
  }

  const warnings = checkTrainingData(records, { features: params.features, task: 'clustering' });
  if (r.bottleneck >= width) {
    warnings.push(`the bottleneck (${r.bottleneck} units) is not smaller than the ${width} preprocessed columns: the autoencoder can learn to copy its input and flag little; use a smaller bottleneck`);
  }
  // numpy's quantile sits at position (n - 1) q of the sorted scores: fewer than one score above it means it is interpolated between the two largest.
  const n = thresholdIdx.length;
  if ((n - 1) * (1 - r.thresholdQuantile) < 1 - 1e-9) {
    warnings.push(`the threshold is the ${r.thresholdQuantile} quantile of only ${n} validation scores, which puts it between the two largest ((${n} - 1) x (1 - ${r.thresholdQuantile}) < 1): it is noisy; use more data, a larger validationFraction or a lower thresholdQuantile`);
  }

  const backend = (await initBackend()).name;
  const model = buildAutoencoder(width, r);
  const earlyStopping: EarlyStoppingOptions | undefined = r.earlyStoppingPatience > 0 ? { monitor: 'valLoss', patience: r.earlyStoppingPatience, restoreBest: true } : undefined;
  const started = performance.now();
  // Early stopping watches the reconstruction loss of the same validation rows the threshold uses (normal ones under normalOnly).
  const xStop = thresholdIdx.length === valRecords.length ? xVal : gatherRows(xVal, width, thresholdIdx);
  const fit = await fitSeededReport(model, { x: xTrain, y: xTrain, rows: trainIdx.length }, { x: xStop, y: xStop, rows: thresholdIdx.length }, width, {
    epochs: r.epochs,
    batchSize: r.batchSize,
    learningRate: r.learningRate,
    seed: r.seed,
    loss: 'meanSquaredError',
    onEpoch: hooks.onEpoch,
    ...(earlyStopping ? { earlyStopping } : {}),
  });
  const trainMs = performance.now() - started;
  try {
    const probe = anomalyAdapter(model, Number.NaN, r.thresholdQuantile);
    const scores = probe.predict(xVal, valRecords.length);
    const threshold = scoreQuantile(thresholdIdx.map((i) => scores[i]), r.thresholdQuantile);
    const adapter = anomalyAdapter(model, threshold, r.thresholdQuantile);
    const means = columnMeans(xTrain, trainIdx.length, width);
    const meanRows = new Float32Array(valRecords.length * width);
    for (let i = 0; i < valRecords.length; i++) meanRows.set(means, i * width);
    const evaluation = evaluateAnomalyScores({
      scores,
      threshold,
      thresholdQuantile: r.thresholdQuantile,
      thresholdRows: thresholdIdx.length,
      ...(valFlags ? { isAnomaly: valFlags } : {}),
      baselineScores: reconstructionErrors(xVal, meanRows, valRecords.length, width),
      excludedFromTraining: excluded,
    });
    return {
      task: 'anomaly',
      templateId: AUTOENCODER_TEMPLATE_ID,
      target: '',
      features: [...params.features],
      labels: [],
      preprocessor,
      adapter,
      evaluation,
      history: fit.history,
      backend,
      params: { ...params, ...r, categorical: params.categorical ?? [], unseen: params.unseen ?? 'error' },
      sizes: { train: trainIdx.length, test: valRecords.length },
      timing: { trainMs },
      warnings,
      ...(fit.earlyStopping ? { earlyStopping: fit.earlyStopping } : {}),
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Plotly figure of a trained detector's validation scores: a histogram (split into normal /
 * anomaly / unlabelled rows when a label column was given) with the threshold as a vertical line.
 *
 * @param model - an `anomaly` {@link TrainedModel}
 * @param options - `bins`: number of equal-width bins (default 40)
 * @throws StratumError `USAGE` for a model of another task
 */
export function anomalyPlot(model: TrainedModel, options: { bins?: number } = {}): PlotlyFigure {
  const e = model.evaluation as Partial<AnomalyEvaluation> & { task: string };
  if (e.task !== 'anomaly' || !e.scores || e.threshold === undefined) {
    throw new StratumError('USAGE', `anomalyPlot needs an anomaly model (from trainAutoencoder), got a ${e.task} model`, { detail: { field: 'model' } });
  }
  const scores = e.scores;
  const threshold = e.threshold;
  const bins = options.bins ?? 40;
  const max = Math.max(threshold, ...scores);
  const size = max > 0 ? max / bins : 1;
  const trace = (name: string, xs: number[], color: string): Record<string, unknown> => ({
    type: 'histogram',
    name,
    x: xs,
    xbins: { start: 0, end: max + size, size },
    marker: { color },
    opacity: 0.75,
  });
  const data = e.isAnomaly
    ? [
        trace('normal (label)', scores.filter((_, i) => e.isAnomaly?.[i] === false), '#4c78a8'),
        trace('anomaly (label)', scores.filter((_, i) => e.isAnomaly?.[i] === true), '#e45756'),
        ...(e.isAnomaly.some((f) => f === null) ? [trace('unlabelled', scores.filter((_, i) => e.isAnomaly?.[i] === null), '#9d9d9d')] : []),
      ]
    : [trace('validation rows', scores, '#4c78a8')];
  return {
    data,
    layout: {
      title: { text: `Validation reconstruction errors (${e.flagged} of ${e.n} above the threshold)` },
      barmode: 'overlay',
      xaxis: { title: { text: 'score (mean squared reconstruction error)' } },
      yaxis: { title: { text: 'rows' } },
      shapes: [{ type: 'line', x0: threshold, x1: threshold, yref: 'paper', y0: 0, y1: 1, line: { color: '#e45756', dash: 'dash', width: 2 } }],
      annotations: [{ x: threshold, yref: 'paper', y: 1, text: `threshold ${threshold.toPrecision(4)} (q = ${e.thresholdQuantile})`, showarrow: false, xanchor: 'left', yanchor: 'bottom' }],
    },
  };
}
