/**
 * Evaluation metrics for classification, regression and clustering, with scikit-learn's
 * definitions (each function cites the one it follows). A metric that is mathematically
 * undefined for the data (one class present for ROC AUC, a constant target for R^2, one cluster
 * for the silhouette) is `null` with a reason in `undefinedReasons`, never a silent `NaN`.
 *
 * The per-class precision/recall/F1, macro-F1, accuracy and confusion matrix come from
 * {@link classificationReport} (core/ml/metrics.ts).
 */
import { StratumError } from '../errors.ts';
import { classificationReport } from './metrics.ts';
import type { ClassificationReport } from './types.ts';

/** Clipping bound of {@link logLoss}: scikit-learn 1.2's `log_loss(eps=1e-15)` default. */
export const LOG_LOSS_EPS = 1e-15;

/** Why metrics are undefined, by metric name (e.g. `rocAuc: "only one class present in the true labels"`). */
export type UndefinedReasons = Record<string, string>;

/** A metric value that may be undefined for the data, with the reason. */
export interface MaybeMetric {
  value: number | null;
  /** Present exactly when `value` is null. */
  reason?: string;
}

/** Classification evaluation: the {@link ClassificationReport} plus probability-based and averaged metrics. */
export interface ClassificationEvaluation extends ClassificationReport {
  task: 'classification';
  /** Mean per-class recall over classes present in the true labels (`balanced_accuracy_score`); null if none. */
  balancedAccuracy: number | null;
  /** Support-weighted mean of per-class F1 (`f1_score(average="weighted")`). */
  weightedF1: number;
  /** ROC AUC, one-vs-rest, macro average over classes where it is defined (`roc_auc_score(multi_class="ovr", average="macro")`). */
  rocAuc: number | null;
  /** One-vs-rest ROC AUC of each class (order of `labels`); null for a class absent from, or alone in, the true labels. */
  rocAucPerClass: Array<number | null>;
  /** Mean cross-entropy in nats (`log_loss` with `eps=1e-15`). */
  logLoss: number | null;
  /** Most-frequent-class baseline on the same test set (class chosen on the training rows). */
  baseline?: { strategy: 'most_frequent'; label: string; accuracy: number };
  /** Why a null metric is undefined. */
  undefinedReasons: UndefinedReasons;
}

/** Regression evaluation. */
export interface RegressionEvaluation {
  task: 'regression';
  /** Number of evaluated samples. */
  n: number;
  /** Mean absolute error (`mean_absolute_error`), target units. */
  mae: number;
  /** Root mean squared error (`sqrt(mean_squared_error)`), target units. */
  rmse: number;
  /** Coefficient of determination (`r2_score`); null for a constant true target. */
  r2: number | null;
  /** `yTrue[i] - yPred[i]`, in sample order (residuals vs predicted plots). */
  residuals: number[];
  /** The predictions, in sample order. */
  predicted: number[];
  /** Mean predictor (training-set mean of the target) on the same test set. */
  baseline?: { strategy: 'mean'; value: number; mae: number; rmse: number; r2: number | null };
  undefinedReasons: UndefinedReasons;
}

/** One row of the elbow table. */
export interface ElbowPoint {
  k: number;
  /** Sum of squared distances of samples to their closest centroid (scikit-learn `KMeans.inertia_`). */
  inertia: number;
  /** Mean silhouette coefficient; null where undefined. */
  silhouette: number | null;
}

/** Clustering evaluation (on the data that was clustered). */
export interface ClusteringEvaluation {
  task: 'clustering';
  /** Number of samples. */
  n: number;
  /** Number of clusters. */
  k: number;
  /** See {@link ElbowPoint.inertia}, in squared preprocessed (standardized) units. */
  inertia: number;
  /** Mean silhouette coefficient (`silhouette_score`, euclidean); null where undefined. */
  silhouette: number | null;
  /** Samples in each cluster. */
  clusterSizes: number[];
  /** Inertia and silhouette for each k tried. */
  elbow: ElbowPoint[];
  undefinedReasons: UndefinedReasons;
}

function dataError(message: string, field: string): StratumError {
  return new StratumError('DATA_INVALID', message, { detail: { field } });
}

function checkSameLength(a: { length: number }, b: { length: number }, names: [string, string]): void {
  if (a.length !== b.length) throw dataError(`${names[0]} has ${a.length} values but ${names[1]} has ${b.length}`, names[1]);
  if (a.length === 0) throw dataError('cannot evaluate on zero samples', names[0]);
}

/**
 * Binary ROC AUC: the probability that a random positive scores higher than a random negative,
 * ties counting 1/2 (Mann-Whitney U / (n+ n-)), which equals the trapezoidal area under the ROC
 * curve that scikit-learn's `roc_auc_score` computes.
 *
 * @param positive - true when sample i is of the positive class
 * @param scores - score (probability) of the positive class for each sample
 * @returns the AUC in [0, 1], or null with the reason when only one class is present
 * @throws StratumError `DATA_INVALID` when the lengths differ, there is no sample or a score is not finite
 * @example
 * ```ts
 * binaryRocAuc([false, false, true, true], [0.1, 0.4, 0.35, 0.8]).value; // 0.75 (scikit-learn docs example)
 * ```
 */
export function binaryRocAuc(positive: boolean[], scores: ArrayLike<number>): MaybeMetric {
  checkSameLength(positive, scores, ['yTrue', 'scores']);
  for (let i = 0; i < scores.length; i++) if (!Number.isFinite(scores[i])) throw dataError(`scores[${i}] is not a finite number`, `scores[${i}]`);
  const nPos = positive.filter(Boolean).length;
  const nNeg = positive.length - nPos;
  if (nPos === 0 || nNeg === 0) return { value: null, reason: `only one class present in the true labels (${nPos === 0 ? 'no positive' : 'no negative'} sample): ROC AUC is not defined` };
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  // Average 1-based ranks over ties.
  let rankSumPos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const rank = (i + j + 2) / 2;
    for (let t = i; t <= j; t++) if (positive[order[t]]) rankSumPos += rank;
    i = j + 1;
  }
  return { value: (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg) };
}

/**
 * Multiclass log loss (cross-entropy, nats): `-(1/n) sum_i log p_i[y_i]`, with probabilities
 * clipped to `[eps, 1 - eps]` and each row renormalized to sum 1, as scikit-learn 1.2
 * `log_loss(y_true, y_pred, eps=1e-15, labels=labels)`.
 *
 * @param yTrue - true label of each sample (each must be in `labels`)
 * @param probabilities - row-major n x labels.length probabilities, column j = `labels[j]`
 * @param labels - class labels in column order
 * @throws StratumError `DATA_INVALID` for a size mismatch, a true label not in `labels` or a non-finite probability
 */
export function logLoss(yTrue: string[], probabilities: ArrayLike<number>, labels: string[], eps = LOG_LOSS_EPS): number {
  const k = labels.length;
  if (probabilities.length !== yTrue.length * k) throw dataError(`probabilities has ${probabilities.length} values, expected ${yTrue.length} x ${k}`, 'probabilities');
  if (yTrue.length === 0) throw dataError('cannot evaluate on zero samples', 'yTrue');
  const index = new Map(labels.map((l, j) => [l, j]));
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const j = index.get(yTrue[i]);
    if (j === undefined) throw dataError(`yTrue[${i}] = ${JSON.stringify(yTrue[i])} is not one of the labels`, `yTrue[${i}]`);
    let rowSum = 0;
    for (let c = 0; c < k; c++) {
      const p = probabilities[i * k + c];
      if (!Number.isFinite(p)) throw dataError(`probabilities[${i}][${c}] is not a finite number`, 'probabilities');
      rowSum += Math.min(Math.max(p, eps), 1 - eps);
    }
    total -= Math.log(Math.min(Math.max(probabilities[i * k + j], eps), 1 - eps) / rowSum);
  }
  return total / yTrue.length;
}

/**
 * Evaluates class probabilities against true labels.
 *
 * The predicted label of a row is its most probable class (first on a tie). Then:
 * - everything in {@link classificationReport} (accuracy, per-class P/R/F1, macro-F1, confusion matrix)
 * - balanced accuracy: mean recall over the classes present in `yTrue`
 *   (`balanced_accuracy_score`, which drops the NaN recalls of absent classes)
 * - weighted F1: `sum_c F1_c * support_c / n` (`f1_score(average="weighted")`)
 * - ROC AUC one-vs-rest, macro: the mean over classes of {@link binaryRocAuc}(y == c, p_c)
 *   (`roc_auc_score(y, p, multi_class="ovr", average="macro", labels=labels)`); for two labels the
 *   two one-vs-rest AUCs are equal, so this is the binary AUC. Where scikit-learn raises for a
 *   class absent from `yTrue`, this averages over the classes where the AUC is defined and says
 *   which were left out; null (with the reason) when none is defined.
 * - log loss: {@link logLoss}
 *
 * @param yTrue - true labels
 * @param probabilities - row-major n x labels.length
 * @param labels - class labels in column order (e.g. the model's `labels`)
 * @param trainLabels - training labels, for the most-frequent baseline (ties: sorted first)
 * @throws StratumError `DATA_INVALID` on size mismatch, no sample, or an unknown true label
 */
export function evaluateClassification(yTrue: string[], probabilities: ArrayLike<number>, labels: string[], trainLabels?: string[]): ClassificationEvaluation {
  const k = labels.length;
  if (probabilities.length !== yTrue.length * k) throw dataError(`probabilities has ${probabilities.length} values, expected ${yTrue.length} x ${k}`, 'probabilities');
  const yPred = yTrue.map((_, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (probabilities[i * k + c] > probabilities[i * k + best]) best = c;
    return labels[best];
  });
  const report = classificationReport(yTrue, yPred, labels);
  const undefinedReasons: UndefinedReasons = {};
  const recalls = report.perClass.filter((c) => c.support > 0 && c.recall !== null).map((c) => c.recall as number);
  const balancedAccuracy = recalls.length ? recalls.reduce((a, b) => a + b, 0) / recalls.length : null;
  if (balancedAccuracy === null) undefinedReasons.balancedAccuracy = 'no class of the labels is present in the true labels';
  const n = yTrue.length;
  const weightedF1 = report.perClass.reduce((s, c) => s + (c.f1 ?? 0) * c.support, 0) / n;
  const perClassAuc = labels.map((label, c) => {
    const scores = Array.from({ length: n }, (_, i) => probabilities[i * k + c]);
    return binaryRocAuc(yTrue.map((y) => y === label), scores);
  });
  const defined = perClassAuc.map((m) => m.value).filter((v): v is number => v !== null);
  let rocAuc: number | null = defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null;
  if (k === 2) rocAuc = perClassAuc[1].value;
  const left = labels.filter((_, c) => perClassAuc[c].value === null);
  if (rocAuc === null) undefinedReasons.rocAuc = `ROC AUC is not defined: ${perClassAuc.find((m) => m.reason)?.reason ?? 'no class has both positive and negative samples'}`;
  else if (left.length) undefinedReasons.rocAucExcluded = `classes ${left.map((l) => JSON.stringify(l)).join(', ')} left out of the macro average: absent from (or the only class in) the true labels`;
  const present = new Set(yTrue);
  const unknown = [...present].filter((y) => !labels.includes(y));
  let loss: number | null = null;
  if (unknown.length) undefinedReasons.logLoss = `true labels ${unknown.map((l) => JSON.stringify(l)).join(', ')} have no probability column`;
  else loss = logLoss(yTrue, probabilities, labels);
  let baseline: ClassificationEvaluation['baseline'];
  if (trainLabels && trainLabels.length) {
    const counts = new Map<string, number>();
    for (const l of trainLabels) counts.set(l, (counts.get(l) ?? 0) + 1);
    const label = [...counts.keys()].sort().reduce((best, l) => ((counts.get(l) ?? 0) > (counts.get(best) ?? 0) ? l : best));
    baseline = { strategy: 'most_frequent', label, accuracy: yTrue.filter((y) => y === label).length / n };
  }
  return {
    task: 'classification',
    ...report,
    balancedAccuracy,
    weightedF1,
    rocAuc,
    rocAucPerClass: perClassAuc.map((m) => m.value),
    logLoss: loss,
    ...(baseline ? { baseline } : {}),
    undefinedReasons,
  };
}

/**
 * Regression metrics (scikit-learn `mean_absolute_error`, `mean_squared_error` (then sqrt),
 * `r2_score`):
 * - MAE = mean |y - ŷ|; RMSE = sqrt(mean (y - ŷ)^2)
 * - R^2 = 1 - SS_res / SS_tot with SS_tot = sum (y - mean(y))^2; undefined (null, with reason)
 *   when SS_tot = 0 (constant true target), where scikit-learn returns 1.0 or 0.0 by convention
 * - residuals = y - ŷ
 *
 * @param yTrue - true values
 * @param yPred - predicted values (same length)
 * @param trainMean - mean of the training target: adds the mean-predictor baseline
 * @throws StratumError `DATA_INVALID` on size mismatch, no sample or a non-finite value
 * @example
 * ```ts
 * evaluateRegression([3, -0.5, 2, 7], [2.5, 0, 2, 8]).r2; // 0.9486081370449679 (scikit-learn r2_score docs)
 * ```
 */
export function evaluateRegression(yTrue: number[], yPred: ArrayLike<number>, trainMean?: number): RegressionEvaluation {
  checkSameLength(yTrue, yPred, ['yTrue', 'yPred']);
  for (let i = 0; i < yTrue.length; i++) {
    if (!Number.isFinite(yTrue[i])) throw dataError(`yTrue[${i}] is not a finite number`, `yTrue[${i}]`);
    if (!Number.isFinite(yPred[i])) throw dataError(`yPred[${i}] is not a finite number (the model diverged?)`, `yPred[${i}]`);
  }
  const core = regressionCore(yTrue, Array.from(yPred));
  const undefinedReasons: UndefinedReasons = {};
  if (core.r2 === null) undefinedReasons.r2 = 'the true target is constant (total sum of squares is 0): R^2 is not defined';
  let baseline: RegressionEvaluation['baseline'];
  if (trainMean !== undefined) {
    const b = regressionCore(yTrue, yTrue.map(() => trainMean));
    baseline = { strategy: 'mean', value: trainMean, mae: b.mae, rmse: b.rmse, r2: b.r2 };
  }
  return { task: 'regression', n: yTrue.length, ...core, residuals: yTrue.map((y, i) => y - yPred[i]), predicted: Array.from(yPred), ...(baseline ? { baseline } : {}), undefinedReasons };
}

function regressionCore(y: number[], p: number[]): { mae: number; rmse: number; r2: number | null } {
  const n = y.length;
  const mean = y.reduce((a, b) => a + b, 0) / n;
  let abs = 0;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    abs += Math.abs(y[i] - p[i]);
    ssRes += (y[i] - p[i]) ** 2;
    ssTot += (y[i] - mean) ** 2;
  }
  return { mae: abs / n, rmse: Math.sqrt(ssRes / n), r2: ssTot > 0 ? 1 - ssRes / ssTot : null };
}

/**
 * Mean silhouette coefficient with euclidean distance (scikit-learn `silhouette_score`): for
 * sample i, `a` = mean distance to the other members of its cluster, `b` = the smallest mean
 * distance to the members of another cluster, `s = (b - a) / max(a, b)`; a sample alone in its
 * cluster has s = 0. O(n^2) time.
 *
 * @param x - row-major n x width matrix
 * @param width - columns
 * @param clusters - cluster id of each row
 * @returns the mean over samples, or null with the reason when the number of distinct clusters
 *   is not in [2, n - 1] (where scikit-learn raises)
 * @throws StratumError `DATA_INVALID` when the sizes disagree or there is no sample
 */
export function silhouetteScore(x: ArrayLike<number>, width: number, clusters: ArrayLike<number>): MaybeMetric {
  const n = clusters.length;
  if (x.length !== n * width) throw dataError(`x has ${x.length} values, expected ${n} x ${width}`, 'x');
  if (n === 0) throw dataError('cannot evaluate on zero samples', 'x');
  const ids = [...new Set(Array.from(clusters))].sort((a, b) => a - b);
  if (ids.length < 2 || ids.length > n - 1) {
    return { value: null, reason: `the silhouette needs between 2 and n - 1 = ${n - 1} clusters, got ${ids.length}` };
  }
  const slot = new Map(ids.map((id, j) => [id, j]));
  const sizes = new Array<number>(ids.length).fill(0);
  for (let i = 0; i < n; i++) sizes[slot.get(clusters[i]) as number]++;
  const sums = new Float64Array(ids.length);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      let d = 0;
      for (let c = 0; c < width; c++) d += (x[i * width + c] - x[j * width + c]) ** 2;
      sums[slot.get(clusters[j]) as number] += Math.sqrt(d);
    }
    const own = slot.get(clusters[i]) as number;
    if (sizes[own] === 1) continue; // s(i) = 0
    const a = sums[own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < ids.length; c++) if (c !== own) b = Math.min(b, sums[c] / sizes[c]);
    const m = Math.max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return { value: total / n };
}

/**
 * Inertia: sum over samples of the squared euclidean distance to the closest centroid
 * (scikit-learn `KMeans.inertia_`).
 *
 * @param x - row-major n x width
 * @param width - columns
 * @param centroids - k centroids of `width` values
 */
export function inertia(x: ArrayLike<number>, width: number, centroids: number[][]): number {
  const n = x.length / width;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (const c of centroids) {
      let d = 0;
      for (let j = 0; j < width; j++) d += (x[i * width + j] - c[j]) ** 2;
      if (d < best) best = d;
    }
    total += best;
  }
  return total;
}

/**
 * Average precision of a score for a binary target, as scikit-learn's `average_precision_score`
 * (https://scikit-learn.org/1.2/modules/generated/sklearn.metrics.average_precision_score.html):
 * `AP = sum_n (R_n - R_{n-1}) P_n` over the distinct score values taken as thresholds in
 * decreasing order, where `P_n` and `R_n` are the precision and recall of "score >= threshold n"
 * (no interpolation; tied scores enter together).
 *
 * @param positive - true when sample i is of the positive class
 * @param scores - higher = more likely positive, one per sample
 * @returns AP in [0, 1], or null with the reason when no sample is positive (scikit-learn warns
 *   and returns 0 there)
 * @throws StratumError `DATA_INVALID` when the lengths differ, there is no sample or a score is not finite
 * @example
 * ```ts
 * averagePrecision([false, false, true, true], [0.1, 0.4, 0.35, 0.8]).value; // 0.8333333333333333 (scikit-learn docs example)
 * ```
 */
export function averagePrecision(positive: boolean[], scores: ArrayLike<number>): MaybeMetric {
  checkSameLength(positive, scores, ['yTrue', 'scores']);
  for (let i = 0; i < scores.length; i++) if (!Number.isFinite(scores[i])) throw dataError(`scores[${i}] is not a finite number`, `scores[${i}]`);
  const nPos = positive.filter(Boolean).length;
  if (nPos === 0) return { value: null, reason: 'no positive sample in the true labels: recall, hence average precision, is not defined' };
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let tp = 0;
  let fp = 0;
  let previousRecall = 0;
  let ap = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && scores[order[j]] === scores[order[i]]) {
      if (positive[order[j]]) tp++;
      else fp++;
      j++;
    }
    const recall = tp / nPos;
    ap += (recall - previousRecall) * (tp / (tp + fp));
    previousRecall = recall;
    i = j;
  }
  return { value: ap };
}
