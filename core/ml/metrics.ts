/**
 * Classification metrics with scikit-learn's definitions, built on `ml-confusion-matrix`.
 *
 * Differences from scikit-learn, on purpose: a metric that is 0/0 is `null` with an
 * `undefinedReason` instead of scikit-learn's warning-plus-0 (`zero_division="warn"`), and
 * macro-F1 averages only the defined F1 values. F1 is undefined only for a label that appears
 * neither in `yTrue` nor in `yPred` (possible only when `labels` is given), so macro-F1 differs
 * from scikit-learn's only then: scikit-learn counts such a label as F1 = 0.
 */
import { ConfusionMatrix } from 'ml-confusion-matrix';
import { StratumError } from '../errors.ts';
import type { ClassMetrics, ClassificationReport } from './types.ts';

/**
 * Evaluates predictions against true labels.
 *
 * - confusion matrix: `m[i][j]` = samples of true label `labels[i]` predicted `labels[j]`
 *   (scikit-learn `confusion_matrix`); a sample whose true or predicted label is not in `labels`
 *   is left out of the matrix but still counts in the per-class TP/FP/FN, as in scikit-learn
 * - accuracy: fraction of all samples with `yPred[k] === yTrue[k]` (`accuracy_score`)
 * - precision = TP / (TP + FP), `null` when the class is never predicted
 * - recall = TP / (TP + FN), `null` when the class is absent from `yTrue`
 * - F1 = 2TP / (2TP + FP + FN): scikit-learn (>= 1.3) computes F-beta this way, and it equals
 *   2PR / (P + R) whenever P and R are defined; a class present but never predicted gets F1 = 0
 * - macro-F1: unweighted mean of the defined per-class F1 (`f1_score(average="macro")`)
 *
 * @param yTrue - true label of each sample
 * @param yPred - predicted label of each sample (same length)
 * @param labels - labels to report, in order; default: sorted union of `yTrue` and `yPred`
 *   (scikit-learn `unique_labels`)
 * @throws StratumError `DATA_INVALID` when the lengths differ or there is no sample
 * @example
 * ```ts
 * classificationReport(['a', 'b'], ['a', 'a']).accuracy; // 0.5
 * ```
 */
export function classificationReport(yTrue: string[], yPred: string[], labels?: string[]): ClassificationReport {
  if (yTrue.length !== yPred.length) {
    throw new StratumError('DATA_INVALID', `yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`, { detail: { field: 'yPred' } });
  }
  if (yTrue.length === 0) {
    throw new StratumError('DATA_INVALID', 'cannot evaluate on zero samples', { detail: { field: 'yTrue' }, hint: 'Use a larger data set or test fraction.' });
  }
  const present = [...new Set([...yTrue, ...yPred])].sort();
  const order = labels ?? present;
  // Count over every label (requested ones first) so that a sample predicted as an unrequested
  // label is still a false negative of its true class, as in scikit-learn; report only `order`.
  const cm = ConfusionMatrix.fromLabels(yTrue, yPred, { labels: [...order, ...present.filter((l) => !order.includes(l))] });
  const perClass = order.map((label): ClassMetrics => {
    const tp = cm.getTruePositiveCount(label);
    const fp = cm.getFalsePositiveCount(label);
    const fn = cm.getFalseNegativeCount(label);
    const support = cm.getPositiveCount(label);
    const reasons: string[] = [];
    const precision = tp + fp > 0 ? tp / (tp + fp) : null;
    if (precision === null) reasons.push('class never predicted (precision is 0/0)');
    const recall = tp + fn > 0 ? tp / (tp + fn) : null;
    if (recall === null) reasons.push('class absent from the true labels (recall is 0/0)');
    const f1Denominator = 2 * tp + fp + fn;
    const f1 = f1Denominator > 0 ? (2 * tp) / f1Denominator : null;
    if (f1 === null) reasons.push('class neither present nor predicted (F1 is 0/0)');
    return { label, precision, recall, f1, support, ...(reasons.length ? { undefinedReason: reasons.join('; ') } : {}) };
  });
  const definedF1 = perClass.map((c) => c.f1).filter((f): f is number => f !== null);
  let correct = 0;
  for (let k = 0; k < yTrue.length; k++) if (yTrue[k] === yPred[k]) correct++;
  return {
    accuracy: correct / yTrue.length,
    macroF1: definedF1.length ? definedF1.reduce((a, b) => a + b, 0) / definedF1.length : 0,
    perClass,
    labels: order,
    confusionMatrix: cm.getMatrix().slice(0, order.length).map((row) => row.slice(0, order.length)),
    n: yTrue.length,
  };
}
