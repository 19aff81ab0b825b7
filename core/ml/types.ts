/**
 * Shared shapes of Stratum's machine-learning layer: the fitted preprocessing pipeline, the
 * trained classifier artifact and its evaluation. Training (core/ml), templates, serving
 * (core/serving) and the kernel all speak these types; everything here but the live
 * `tf.LayersModel` is plain JSON.
 */
import type * as tf from '@tensorflow/tfjs';
import type { EarlyStoppingReport } from './fit.ts';

/** One input record as received by training or serving: feature name -> raw value. */
export type FeatureRecord = Record<string, unknown>;

/** Fitted step for a numeric feature: median imputation then standardization. */
export interface NumericFeatureStep {
  kind: 'numeric';
  /** Feature (column) name. */
  name: string;
  /** Median of the non-missing training values; replaces missing values (scikit-learn `SimpleImputer(strategy="median")`). */
  median: number;
  /** Mean of the imputed training values. */
  mean: number;
  /** Population standard deviation (ddof=0, as scikit-learn `StandardScaler`); 1 when the column is constant. */
  std: number;
}

/** Fitted step for a categorical feature: most-frequent imputation then one-hot encoding. */
export interface CategoricalFeatureStep {
  kind: 'categorical';
  /** Feature (column) name. */
  name: string;
  /** Most frequent training category (ties broken by sorted order); replaces missing values. */
  mostFrequent: string;
  /** Known categories, sorted; one output column each, in this order. */
  categories: string[];
  /**
   * Policy for a category not seen in training (scikit-learn `OneHotEncoder(handle_unknown=...)`):
   * `error` rejects the record naming the field; `ignore` encodes it as all zeros.
   */
  unseen: 'error' | 'ignore';
  /**
   * JS type of the raw values (`categories` hold their `String()` form): a request value must have
   * this type. Absent means `string` (the common case).
   */
  valueType?: 'string' | 'number' | 'boolean';
}

/** A fitted, JSON-serializable preprocessing pipeline. The same object transforms training data and live requests. */
export interface PreprocessorState {
  /** Format version of this JSON shape. */
  version: 1;
  /** Steps in feature order; the output matrix concatenates their columns in this order. */
  steps: Array<NumericFeatureStep | CategoricalFeatureStep>;
  /** Number of output columns (numeric steps give 1, categorical steps give `categories.length`). */
  outputWidth: number;
}

/** Per-class precision, recall and F1 (scikit-learn definitions); `null` where undefined (0/0), with the reason. */
export interface ClassMetrics {
  label: string;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Number of true instances of this class in the evaluated set. */
  support: number;
  /** Why a metric is null, e.g. "class never predicted (precision is 0/0)". */
  undefinedReason?: string;
}

/** Evaluation of a classifier on a held-out set. */
export interface ClassificationReport {
  /** Fraction of correct predictions, in [0, 1]. */
  accuracy: number;
  /** Unweighted mean of per-class F1 over classes whose F1 is defined (scikit-learn `f1_score(average="macro")`). */
  macroF1: number;
  perClass: ClassMetrics[];
  /** Class labels in the order used by `confusionMatrix`. */
  labels: string[];
  /** `confusionMatrix[i][j]` = count of samples with true label `labels[i]` predicted as `labels[j]` (scikit-learn convention). */
  confusionMatrix: number[][];
  /** Number of evaluated samples. */
  n: number;
}

/** One epoch of training progress. */
export interface EpochLog {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss (categorical cross-entropy, nats). */
  loss: number;
  /** Training accuracy in [0, 1]. */
  accuracy: number;
  /** Validation loss on the held-out split, if one is used during training. */
  valLoss?: number;
  /** Validation accuracy, if measured. */
  valAccuracy?: number;
}

/** A trained tabular classifier with everything needed to evaluate, export and serve it. */
export interface TrainedClassifier {
  task: 'classification';
  /** Label (target) column name. */
  target: string;
  /** Feature names, in the order the preprocessor expects. */
  features: string[];
  /** Class labels; model output column i is the probability of `labels[i]`. */
  labels: string[];
  preprocessor: PreprocessorState;
  /** The TF.js model (owned by this object: call `model.dispose()` when done). */
  model: tf.LayersModel;
  /** Evaluation on the held-out test split. */
  evaluation: ClassificationReport;
  /** Per-epoch training history. */
  history: EpochLog[];
  /** Name of the TF.js backend that trained it (e.g. `wasm`, `tensorflow`, `cpu`). */
  backend: string;
  /** The template params that produced it (JSON). */
  params: Record<string, unknown>;
  /** Training-set size and test-set size. */
  sizes: { train: number; test: number };
  /** Rows left out of training and evaluation, by reason (e.g. `missingTarget`: the target value was missing). */
  dropped?: { missingTarget: number };
  /** Wall-clock training time (fit loop only, milliseconds) and throughput (training samples x epochs / second). */
  timing?: { trainMs: number; samplesPerSecond: number };
  /** Guardrail warnings about the training data (core/ml/guardrails.ts); absent or empty when none. */
  warnings?: string[];
  /** What early stopping did, when it was on (the held-out split then also selected the model). */
  earlyStopping?: EarlyStoppingReport;
  /** The held-out rows of the evaluation, for plots and permutation importance (core/ml/plots.ts, importance.ts). */
  heldOut?: HeldOutData;
}

/**
 * The held-out (test) rows a model was evaluated on, kept on the trained model so that ROC/PR
 * curves and permutation importance can be computed after training. Not serialized into bundles
 * or runs.
 */
export interface HeldOutData {
  /** The held-out records, in evaluation order (the caller's record objects, not copies). */
  records: FeatureRecord[];
  /** Their targets: class labels as strings (classification) or numbers (regression). */
  y: string[] | number[];
}

/** One prediction: the most probable label and the probability of every class (sums to 1). */
export interface Prediction {
  label: string;
  probabilities: Record<string, number>;
}
