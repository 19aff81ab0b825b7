/**
 * Threshold curves of a classifier's scores, with scikit-learn 1.2's definitions: the ROC curve
 * (`sklearn.metrics.roc_curve`), the precision-recall curve (`precision_recall_curve`) and average
 * precision (`average_precision_score`), for one binary target or one-vs-rest per class.
 *
 * A curve that is undefined for the data (no positive sample, or for ROC no negative sample) is an
 * {@link UndefinedCurve} with the reason, where scikit-learn warns and returns NaN (ROC) or sets
 * recall to 1 (PR). The ROC AUC reported with a curve is {@link binaryRocAuc} (core/ml/evaluate.ts),
 * the same number the evaluation reports, which equals the trapezoidal area under these points
 * (tested).
 */
import { StratumError } from '../errors.ts';
import { binaryRocAuc } from './evaluate.ts';

/** Why a class has no curve. */
export interface UndefinedCurve {
  defined: false;
  /** Class (one-vs-rest) or positive label the curve was asked for. */
  label: string;
  /** Why it is undefined, e.g. "class absent from the held-out labels (no positive sample)". */
  reason: string;
  /** Number of positive and negative samples. */
  positives: number;
  negatives: number;
}

/** A ROC curve: points ordered by decreasing threshold, from (0, 0) to (1, 1). */
export interface RocCurve {
  defined: true;
  label: string;
  /** False positive rate FP / N at each threshold, non-decreasing, in [0, 1]. */
  fpr: number[];
  /** True positive rate (recall) TP / P at each threshold, non-decreasing, in [0, 1]. */
  tpr: number[];
  /**
   * Decreasing thresholds: point i counts `score >= thresholds[i]` as positive. The first is
   * `max(score) + 1` (scikit-learn 1.2; 1.3+ uses `inf`, which JSON cannot hold), so the curve starts at (0, 0).
   */
  thresholds: number[];
  /** Area under the curve ({@link binaryRocAuc}), in [0, 1]. */
  auc: number;
  positives: number;
  negatives: number;
}

/** A precision-recall curve, in scikit-learn's order: decreasing recall, ending at (recall 0, precision 1). */
export interface PrecisionRecallCurve {
  defined: true;
  label: string;
  /** Precision TP / (TP + FP) at each threshold (0 where nothing is predicted positive), then a final 1. */
  precision: number[];
  /** Recall TP / P at each threshold, non-increasing, then a final 0. */
  recall: number[];
  /** Increasing thresholds, one fewer than the points: point i counts `score >= thresholds[i]` as positive. */
  thresholds: number[];
  /** Average precision `sum_n (R_n - R_{n-1}) P_n` (the step integral, no interpolation), in [0, 1]. */
  averagePrecision: number;
  /** Fraction of positive samples: the precision of a random classifier (the chance baseline). */
  prevalence: number;
  positives: number;
  negatives: number;
}

/** Options of {@link rocCurve} and {@link rocCurves}. */
export interface RocOptions {
  /**
   * Drop thresholds that are not corners of the curve (collinear points; the area is unchanged),
   * as scikit-learn's `drop_intermediate`; default true (scikit-learn's default).
   */
  dropIntermediate?: boolean;
}

function dataError(message: string, field: string): StratumError {
  return new StratumError('DATA_INVALID', message, { detail: { field } });
}

/**
 * True and false positive counts at each distinct score, highest score first: scikit-learn's
 * `_binary_clf_curve`. Tied scores form one threshold.
 */
function binaryClfCurve(positive: readonly boolean[], scores: ArrayLike<number>): { tps: number[]; fps: number[]; thresholds: number[] } {
  if (positive.length !== scores.length) throw dataError(`yTrue has ${positive.length} values but scores has ${scores.length}`, 'scores');
  if (positive.length === 0) throw dataError('cannot draw a curve from zero samples', 'yTrue');
  for (let i = 0; i < scores.length; i++) if (!Number.isFinite(scores[i])) throw dataError(`scores[${i}] is not a finite number`, `scores[${i}]`);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let i = 0; i < order.length; i++) {
    if (positive[order[i]]) tp++;
    if (i === order.length - 1 || scores[order[i + 1]] !== scores[order[i]]) {
      tps.push(tp);
      fps.push(i + 1 - tp);
      thresholds.push(scores[order[i]]);
    }
  }
  return { tps, fps, thresholds };
}

function counts(positive: readonly boolean[]): { positives: number; negatives: number } {
  const positives = positive.filter(Boolean).length;
  return { positives, negatives: positive.length - positives };
}

/**
 * The ROC curve of a score for a binary target, as scikit-learn 1.2.1
 * `roc_curve(y_true, y_score, drop_intermediate=...)`
 * (https://scikit-learn.org/1.2/modules/generated/sklearn.metrics.roc_curve.html).
 *
 * @param positive - true when sample i is of the positive class
 * @param scores - higher = more likely positive (e.g. the class probability), one per sample
 * @param label - name of the positive class, carried into the result
 * @returns the curve, or an {@link UndefinedCurve} when there is no positive or no negative sample
 * @throws StratumError `DATA_INVALID` when the lengths differ, there is no sample or a score is not finite
 * @example
 * ```ts
 * rocCurve([false, false, true, true], [0.1, 0.4, 0.35, 0.8], '1');
 * // fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1], thresholds [1.8, 0.8, 0.4, 0.35, 0.1], auc 0.75
 * ```
 */
export function rocCurve(positive: readonly boolean[], scores: ArrayLike<number>, label: string, options: RocOptions = {}): RocCurve | UndefinedCurve {
  let { tps, fps, thresholds } = binaryClfCurve(positive, scores);
  const { positives, negatives } = counts(positive);
  if (positives === 0 || negatives === 0) {
    return { defined: false, label, positives, negatives, reason: positives === 0 ? `no sample of ${JSON.stringify(label)} in the true labels: the true positive rate is 0/0` : `every sample is ${JSON.stringify(label)}: the false positive rate is 0/0` };
  }
  if ((options.dropIntermediate ?? true) && tps.length > 2) {
    // Keep the ends and every point where the second difference of fps or tps is non-zero (a corner).
    const keep = tps.map((_, i) => i === 0 || i === tps.length - 1 || fps[i + 1] - 2 * fps[i] + fps[i - 1] !== 0 || tps[i + 1] - 2 * tps[i] + tps[i - 1] !== 0);
    tps = tps.filter((_, i) => keep[i]);
    fps = fps.filter((_, i) => keep[i]);
    thresholds = thresholds.filter((_, i) => keep[i]);
  }
  const auc = binaryRocAuc([...positive], scores).value as number;
  return {
    defined: true,
    label,
    fpr: [0, ...fps.map((f) => f / negatives)],
    tpr: [0, ...tps.map((t) => t / positives)],
    thresholds: [thresholds[0] + 1, ...thresholds],
    auc,
    positives,
    negatives,
  };
}

/**
 * The precision-recall curve and average precision of a score for a binary target, as
 * scikit-learn 1.2.1 `precision_recall_curve` and `average_precision_score`
 * (https://scikit-learn.org/1.2/modules/generated/sklearn.metrics.precision_recall_curve.html,
 * https://scikit-learn.org/1.2/modules/generated/sklearn.metrics.average_precision_score.html):
 * AP = `-sum(diff(recall) * precision[:-1])`, the step integral scikit-learn computes.
 *
 * @param positive - true when sample i is of the positive class
 * @param scores - higher = more likely positive, one per sample
 * @param label - name of the positive class, carried into the result
 * @returns the curve, or an {@link UndefinedCurve} when there is no positive sample (recall is 0/0;
 *   scikit-learn warns and sets recall to 1)
 * @throws StratumError `DATA_INVALID` when the lengths differ, there is no sample or a score is not finite
 * @example
 * ```ts
 * precisionRecallCurve([false, false, true, true], [0.1, 0.4, 0.35, 0.8], '1');
 * // precision [0.5, 0.667, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0], thresholds [0.1, 0.35, 0.4, 0.8], averagePrecision 0.8333
 * ```
 */
export function precisionRecallCurve(positive: readonly boolean[], scores: ArrayLike<number>, label: string): PrecisionRecallCurve | UndefinedCurve {
  const { tps, fps, thresholds } = binaryClfCurve(positive, scores);
  const { positives, negatives } = counts(positive);
  if (positives === 0) {
    return { defined: false, label, positives, negatives, reason: `no sample of ${JSON.stringify(label)} in the true labels: recall is 0/0` };
  }
  const precision = [...tps.map((t, i) => (t + fps[i] > 0 ? t / (t + fps[i]) : 0)).reverse(), 1];
  const recall = [...tps.map((t) => t / positives).reverse(), 0];
  let ap = 0;
  for (let i = 0; i + 1 < recall.length; i++) ap -= (recall[i + 1] - recall[i]) * precision[i];
  return { defined: true, label, precision, recall, thresholds: [...thresholds].reverse(), averagePrecision: ap, prevalence: positives / positive.length, positives, negatives };
}

function columns(yTrue: readonly string[], probabilities: ArrayLike<number>, labels: readonly string[]): Array<{ label: string; positive: boolean[]; scores: Float64Array }> {
  const k = labels.length;
  if (probabilities.length !== yTrue.length * k) throw dataError(`probabilities has ${probabilities.length} values, expected ${yTrue.length} x ${k}`, 'probabilities');
  return labels.map((label, c) => ({
    label,
    positive: yTrue.map((y) => y === label),
    scores: Float64Array.from({ length: yTrue.length }, (_, i) => probabilities[i * k + c]),
  }));
}

/**
 * One-vs-rest ROC curves, one per class: class c's curve treats `yTrue == labels[c]` as positive
 * and column c of `probabilities` as its score (as scikit-learn's `roc_auc_score(multi_class="ovr")`
 * does per class).
 *
 * @param yTrue - true label of each sample
 * @param probabilities - row-major n x labels.length class probabilities (column j = `labels[j]`)
 * @param labels - classes in column order
 * @returns one curve (or {@link UndefinedCurve}, e.g. for a class absent from `yTrue`) per label, in order
 * @throws StratumError `DATA_INVALID` for a size mismatch, no sample or a non-finite probability
 */
export function rocCurves(yTrue: readonly string[], probabilities: ArrayLike<number>, labels: readonly string[], options: RocOptions = {}): Array<RocCurve | UndefinedCurve> {
  return columns(yTrue, probabilities, labels).map((c) => rocCurve(c.positive, c.scores, c.label, options));
}

/**
 * One-vs-rest precision-recall curves, one per class (as `average_precision_score` on
 * `label_binarize(yTrue, classes=labels)`, column by column).
 *
 * @param yTrue - true label of each sample
 * @param probabilities - row-major n x labels.length class probabilities
 * @param labels - classes in column order
 * @returns one curve (or {@link UndefinedCurve}) per label, in order
 * @throws StratumError `DATA_INVALID` for a size mismatch, no sample or a non-finite probability
 */
export function precisionRecallCurves(yTrue: readonly string[], probabilities: ArrayLike<number>, labels: readonly string[]): Array<PrecisionRecallCurve | UndefinedCurve> {
  return columns(yTrue, probabilities, labels).map((c) => precisionRecallCurve(c.positive, c.scores, c.label));
}

/**
 * Macro average precision: the unweighted mean of the defined per-class APs
 * (`average_precision_score(label_binarize(y), P, average="macro")` when every class is present;
 * scikit-learn counts an absent class as AP 0 with a warning, this leaves it out).
 *
 * @returns the mean, or null when no class has a defined curve
 */
export function macroAveragePrecision(curves: ReadonlyArray<PrecisionRecallCurve | UndefinedCurve>): number | null {
  const aps = curves.filter((c): c is PrecisionRecallCurve => c.defined).map((c) => c.averagePrecision);
  return aps.length ? aps.reduce((a, b) => a + b, 0) / aps.length : null;
}
